//! A carrier plugin that fails every webhook (it traps), for the gateway's
//! "plugin failure" test: smsdesk must answer 503, keep the raw request for
//! replay, and keep serving. Never use this in production.

wit_bindgen::generate!({ path: "../../../plugins/wit/since_v0.1.0", world: "carrier-plugin" });

use exports::smsdesk::plugin::carrier::{
    Guest, HttpRequest, HttpResponse, OutboundMessage, OutgoingRequest, SendOutcome, Settings, WebhookError,
    WebhookKind, WebhookResult,
};

struct Plugin;

impl Guest for Plugin {
    fn handle_webhook(_: WebhookKind, _: HttpRequest, _: Settings) -> Result<WebhookResult, WebhookError> {
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
