//! The simulator's Twilio: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! (basic auth with the account SID and auth token, form body, 201 with a
//! `sid`, then `sent` and `delivered` callbacks to `StatusCallback`), and a
//! customer's SMS as a signed form webhook.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;

use super::{media, signing, Effect, InboundMedia, Kind, Shared, Sim, SimMessage};

fn twilio_error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = serde_json::json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

/// Posts a signed form to `url`; returns the status and body.
async fn post_signed(sim: &Sim, url: &str, params: Vec<(String, String)>) -> Result<(u16, String), reqwest::Error> {
    let signature = signing::twilio_signature(url, &params, &sim.args.auth_token);
    let body = signing::form(&params);
    let r = sim
        .client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.text().await.unwrap_or_default()))
}

fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
    let expected =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", sim.args.account_sid, sim.args.auth_token));
    !sim.args.auth_token.is_empty()
        && headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == format!("Basic {expected}"))
}

pub(super) async fn create_message(
    State(sim): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if account != sim.args.account_sid || !authorized(&sim, &headers) {
        return twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate");
    }
    let effect = sim.fault().await;
    match effect {
        Effect::ServerError => return twilio_error(StatusCode::INTERNAL_SERVER_ERROR, 20500, "Internal Server Error"),
        Effect::TooManyRequests => return twilio_error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests"),
        Effect::OptedOut => {
            return twilio_error(
                StatusCode::BAD_REQUEST,
                21610,
                "Attempt to send to unsubscribed recipient",
            )
        }
        Effect::InvalidNumber => {
            return twilio_error(
                StatusCode::BAD_REQUEST,
                21211,
                "The 'To' number is not a valid phone number.",
            )
        }
        Effect::Drop | Effect::None => {}
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let media_urls: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "MediaUrl")
        .map(|(_, v)| v.clone())
        .collect();
    let form: BTreeMap<String, String> = pairs.into_iter().collect();
    let (Some(to), Some(from)) = (form.get("To"), form.get("From").or(form.get("MessagingServiceSid"))) else {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' and a 'From' phone number are required",
        );
    };
    let text = form.get("Body").cloned().unwrap_or_default();
    if text.is_empty() && media_urls.is_empty() {
        return twilio_error(StatusCode::BAD_REQUEST, 21602, "Message body is required.");
    }
    if text.chars().count() > 1600 {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21617,
            "The concatenated message body exceeds the 1600 character limit",
        );
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let carrier = sim.name_of(Kind::Twilio);
    let fetched = media::fetch_all(&sim.client, &media_urls).await;
    let (sid, fresh) = sim.record(key, |n| SimMessage {
        media: fetched,
        carrier,
        sid: format!("SM{n:032x}"),
        from: from.clone(),
        to: to.clone(),
        body: text.clone(),
        status: "queued".into(),
        error_code: None,
    });
    if fresh && effect != Effect::Drop {
        if let Some(callback) = form.get("StatusCallback").cloned() {
            let (sim, sid, to, from) = (sim.clone(), sid.clone(), to.clone(), from.clone());
            tokio::spawn(async move {
                for status in ["sent", "delivered"] {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    sim.set_status(&sid, status);
                    let params = vec![
                        ("AccountSid".to_owned(), sim.args.account_sid.clone()),
                        ("From".to_owned(), from.clone()),
                        ("MessageSid".to_owned(), sid.clone()),
                        ("MessageStatus".to_owned(), status.to_owned()),
                        ("SmsSid".to_owned(), sid.clone()),
                        ("To".to_owned(), to.clone()),
                    ];
                    if let Err(error) = post_signed(&sim, &callback, params).await {
                        tracing::warn!(%error, "status callback failed");
                    }
                }
            });
        }
    }
    let answer = serde_json::json!({
        "sid": sid,
        "account_sid": sim.args.account_sid,
        "to": to,
        "from": from,
        "body": text,
        "status": "queued",
        "num_segments": "1",
        "error_code": null,
        "error_message": null,
        "uri": format!("/2010-04-01/Accounts/{}/Messages/{sid}.json", sim.args.account_sid),
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// The customer texts through Twilio: a signed form webhook to smsdesk.
/// Returns the message's sid and smsdesk's answer.
pub(super) async fn inbound(
    sim: &Sim,
    carrier: &str,
    from: String,
    to: String,
    body: String,
    media: &[InboundMedia],
) -> Result<(String, u16, String), reqwest::Error> {
    let sid = format!("{}{:032x}", if media.is_empty() { "SM" } else { "MM" }, sim.next_id());
    let mut params = vec![
        ("AccountSid".to_owned(), sim.args.account_sid.clone()),
        ("ApiVersion".to_owned(), "2010-04-01".to_owned()),
        ("Body".to_owned(), body),
        ("From".to_owned(), from),
        ("MessageSid".to_owned(), sid.clone()),
        ("NumMedia".to_owned(), media.len().to_string()),
        ("NumSegments".to_owned(), "1".to_owned()),
        ("SmsSid".to_owned(), sid.clone()),
        ("To".to_owned(), to),
    ];
    for (i, m) in media.iter().enumerate() {
        params.push((format!("MediaContentType{i}"), m.content_type.clone()));
        params.push((format!("MediaUrl{i}"), m.url.clone()));
    }
    let (status, answer) = post_signed(sim, &sim.webhook_url(carrier, "inbound"), params).await?;
    Ok((sid, status, answer))
}
