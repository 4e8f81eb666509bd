//! Twilio-style webhooks as a carrier sends them, signed with the one
//! signer the simulator uses too (`smsdesk::sim::signing`).

pub use smsdesk::sim::signing::{form, twilio_signature as sign};

use super::server::Server;

pub fn sms_params<'a>(sid: &'a str, from: &'a str, to: &'a str, body: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("Body", body),
        ("From", from),
        ("MessageSid", sid),
        ("NumMedia", "0"),
        ("To", to),
    ]
}

/// Posts a signed inbound webhook; returns (status, body).
pub async fn post_signed(
    client: &reqwest::Client,
    server: &Server,
    params: &[(&str, &str)],
    token: &str,
) -> (u16, String) {
    let url = server.url("/webhooks/twilio/inbound");
    let signature = sign(&url, params, token);
    let r = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(form(params))
        .send()
        .await
        .expect("smsdesk answers");
    let status = r.status().as_u16();
    (status, r.text().await.expect("a body"))
}
