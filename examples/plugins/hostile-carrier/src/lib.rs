//! A carrier plugin that fails every webhook (it traps), for the gateway's
//! "plugin failure" tests. Before it traps it asks the host to check the
//! request's `x-hostile-signature` header (hex of HMAC-SHA256 of the body
//! with the `auth_token` secret), as a real adapter would: smsdesk must
//! answer 503 either way, keep the raw request for replay only when the
//! signature was confirmed, and keep serving. Never use this in production.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.1.0", world: "carrier-plugin" });

use exports::smsdesk::plugin::carrier::{
    Guest, HttpRequest, HttpResponse, OutboundMessage, OutgoingRequest, SendOutcome, Settings, WebhookError,
    WebhookKind, WebhookResult,
};
use smsdesk::plugin::secrets::{hmac_verify, HmacAlgorithm};

struct Plugin;

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .filter_map(|i| text.get(2 * i..2 * i + 2))
        .filter_map(|pair| u8::from_str_radix(pair, 16).ok())
        .collect()
}

impl Guest for Plugin {
    fn handle_webhook(_: WebhookKind, request: HttpRequest, _: Settings) -> Result<WebhookResult, WebhookError> {
        let signature = request
            .headers
            .iter()
            .find(|(name, _)| name == "x-hostile-signature")
            .map(|(_, value)| unhex(value));
        if let Some(expected) = signature {
            let _ = hmac_verify(HmacAlgorithm::Sha256, "auth_token", &request.body, &expected);
        }
        panic!("hostile carrier traps on every webhook")
    }

    fn build_send(_: OutboundMessage, _: Settings) -> Result<OutgoingRequest, String> {
        Err("this carrier cannot send".into())
    }

    fn parse_send_response(_: HttpResponse, _: Settings) -> SendOutcome {
        panic!("hostile carrier traps")
    }
}

export!(Plugin);
