//! The simulator's Twilio: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! (basic auth with the account SID and auth token, form body, 201 with a
//! `sid`, then `sent` and `delivered` callbacks to `StatusCallback`), and a
//! customer's SMS as a signed form webhook.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;

use super::send::{self, Api, Refusal, Request, Sent};
use super::{signing, Kind, Shared, Sim, Texted};

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

/// Twilio's send API.
pub(super) struct Twilio;

impl Api for Twilio {
    const KIND: Kind = Kind::Twilio;

    fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
        let expected = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", sim.args.account_sid, sim.args.auth_token));
        !sim.args.auth_token.is_empty()
            && headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == format!("Basic {expected}"))
    }

    fn refuse(refusal: Refusal) -> Response {
        let (status, code, message) = match refusal {
            Refusal::Unauthorized => (StatusCode::UNAUTHORIZED, 20003, "Authenticate"),
            Refusal::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, 20500, "Internal Server Error"),
            Refusal::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests"),
            Refusal::OptedOut => (
                StatusCode::BAD_REQUEST,
                21610,
                "Attempt to send to unsubscribed recipient",
            ),
            Refusal::InvalidNumber => (
                StatusCode::BAD_REQUEST,
                21211,
                "The 'To' number is not a valid phone number.",
            ),
        };
        twilio_error(status, code, message)
    }

    fn parse(body: &str) -> Result<Request, Box<Response>> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes()).into_owned().collect();
        let media_urls: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "MediaUrl")
            .map(|(_, v)| v.clone())
            .collect();
        let mut form: BTreeMap<String, String> = pairs.into_iter().collect();
        let from = form.remove("From").or_else(|| form.remove("MessagingServiceSid"));
        let (Some(to), Some(from)) = (form.remove("To"), from) else {
            return Err(Box::new(twilio_error(
                StatusCode::BAD_REQUEST,
                21604,
                "A 'To' and a 'From' phone number are required",
            )));
        };
        let text = form.remove("Body").unwrap_or_default();
        if text.is_empty() && media_urls.is_empty() {
            return Err(Box::new(twilio_error(
                StatusCode::BAD_REQUEST,
                21602,
                "Message body is required.",
            )));
        }
        if text.chars().count() > 1600 {
            return Err(Box::new(twilio_error(
                StatusCode::BAD_REQUEST,
                21617,
                "The concatenated message body exceeds the 1600 character limit",
            )));
        }
        Ok(Request {
            from,
            to,
            text,
            media_urls,
            callback: form.remove("StatusCallback"),
        })
    }

    fn message_id(n: u64) -> String {
        format!("SM{n:032x}")
    }

    fn answer(sim: &Sim, sent: &Sent) -> Response {
        let answer = serde_json::json!({
            "sid": sent.id,
            "account_sid": sim.args.account_sid,
            "to": sent.to,
            "from": sent.from,
            "body": sent.text,
            "status": "queued",
            "num_segments": "1",
            "error_code": null,
            "error_message": null,
            "uri": format!("/2010-04-01/Accounts/{}/Messages/{}.json", sim.args.account_sid, sent.id),
        });
        (StatusCode::CREATED, Json(answer)).into_response()
    }

    async fn report(sim: &Sim, url: &str, sent: &Sent, status: &'static str) -> Result<(u16, String), reqwest::Error> {
        let params = vec![
            ("AccountSid".to_owned(), sim.args.account_sid.clone()),
            ("From".to_owned(), sent.from.clone()),
            ("MessageSid".to_owned(), sent.id.clone()),
            ("MessageStatus".to_owned(), status.to_owned()),
            ("SmsSid".to_owned(), sent.id.clone()),
            ("To".to_owned(), sent.to.clone()),
        ];
        post_signed(sim, url, params).await
    }
}

/// `POST /2010-04-01/Accounts/{sid}/Messages.json`: the account in the
/// path must be the simulator's too.
pub(super) async fn create_message(
    State(sim): State<Shared>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if account != sim.args.account_sid {
        return Twilio::refuse(Refusal::Unauthorized);
    }
    send::create_message::<Twilio>(State(sim), headers, body).await
}

/// The customer texts through Twilio: a signed form webhook to smsdesk.
/// Returns the message's sid and smsdesk's answer.
pub(super) async fn inbound(sim: &Sim, carrier: &str, sms: Texted) -> Result<(String, u16, String), reqwest::Error> {
    let sid = format!(
        "{}{:032x}",
        if sms.media.is_empty() { "SM" } else { "MM" },
        sim.next_id()
    );
    let mut params = vec![
        ("AccountSid".to_owned(), sim.args.account_sid.clone()),
        ("ApiVersion".to_owned(), "2010-04-01".to_owned()),
        ("Body".to_owned(), sms.body),
        ("From".to_owned(), sms.from),
        ("MessageSid".to_owned(), sid.clone()),
        ("NumMedia".to_owned(), sms.media.len().to_string()),
        ("NumSegments".to_owned(), "1".to_owned()),
        ("SmsSid".to_owned(), sid.clone()),
        ("To".to_owned(), sms.to),
    ];
    for (i, m) in sms.media.iter().enumerate() {
        params.push((format!("MediaContentType{i}"), m.content_type.clone()));
        params.push((format!("MediaUrl{i}"), m.url.clone()));
    }
    let (status, answer) = post_signed(sim, &sim.webhook_url(carrier, "inbound"), params).await?;
    Ok((sid, status, answer))
}
