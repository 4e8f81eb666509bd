//! Conversions between the host-side carrier types and each interface
//! version's bindings. What every version shares is written once (a macro
//! expanded in each version's module); what a version lacks is filled in
//! here: a 0.1.0 status update never says "opted out", a 0.1.0 request has
//! no receive time. 0.3.0's carrier is 0.2.0's.

use super::types::*;

/// The conversions of the types every interface version shares, for the
/// bindings module in scope as `c`.
macro_rules! shared {
    () => {
        impl From<&HttpResponse> for c::HttpResponse {
            fn from(r: &HttpResponse) -> Self {
                Self {
                    status: r.status,
                    headers: r.headers.clone(),
                    body: r.body.clone(),
                }
            }
        }

        impl From<c::HttpResponse> for HttpResponse {
            fn from(r: c::HttpResponse) -> Self {
                Self {
                    status: r.status,
                    headers: r.headers,
                    body: r.body,
                }
            }
        }

        impl From<WebhookKind> for c::WebhookKind {
            fn from(k: WebhookKind) -> Self {
                match k {
                    WebhookKind::Inbound => Self::Inbound,
                    WebhookKind::Status => Self::Status,
                }
            }
        }

        impl From<c::DeliveryState> for DeliveryState {
            fn from(s: c::DeliveryState) -> Self {
                match s {
                    c::DeliveryState::Accepted => Self::Accepted,
                    c::DeliveryState::Scheduled => Self::Scheduled,
                    c::DeliveryState::Queued => Self::Queued,
                    c::DeliveryState::Sending => Self::Sending,
                    c::DeliveryState::Sent => Self::Sent,
                    c::DeliveryState::Delivered => Self::Delivered,
                    c::DeliveryState::Read => Self::Read,
                    c::DeliveryState::Undelivered => Self::Undelivered,
                    c::DeliveryState::Failed => Self::Failed,
                    c::DeliveryState::Canceled => Self::Canceled,
                }
            }
        }

        impl From<c::InboundMessage> for InboundMessage {
            fn from(m: c::InboundMessage) -> Self {
                Self {
                    carrier_message_id: m.carrier_message_id,
                    from: m.from,
                    to: m.to,
                    body: m.body,
                    media_urls: m.media_urls,
                }
            }
        }

        impl From<c::WebhookResult> for WebhookResult {
            fn from(r: c::WebhookResult) -> Self {
                Self {
                    messages: r.messages.into_iter().map(Into::into).collect(),
                    statuses: r.statuses.into_iter().map(Into::into).collect(),
                    response: r.response.into(),
                }
            }
        }

        impl From<c::CarrierError> for CarrierError {
            fn from(e: c::CarrierError) -> Self {
                Self {
                    code: e.code,
                    message: e.message,
                    retry_after_ms: e.retry_after_ms,
                }
            }
        }

        impl From<c::OutgoingRequest> for OutgoingRequest {
            fn from(r: c::OutgoingRequest) -> Self {
                Self {
                    method: r.method,
                    url: r.url,
                    headers: r.headers,
                    body: r.body,
                    auth: match r.auth {
                        c::Auth::None => Auth::None,
                        c::Auth::Basic((u, p)) => Auth::Basic(u, p),
                        c::Auth::Bearer(t) => Auth::Bearer(t),
                    },
                }
            }
        }
    };
}

pub(super) mod v0_1 {
    pub(in crate::carrier) use crate::bindings::v0_1::carrier::exports::smsdesk::plugin::carrier as c;

    use super::*;

    shared!();

    pub(in crate::carrier) fn request(r: &HttpRequest) -> c::HttpRequest {
        c::HttpRequest {
            method: r.method.clone(),
            url: r.url.clone(),
            headers: r.headers.clone(),
            body: r.body.clone(),
        }
    }

    /// `None` when the message has media, which 0.1.0 cannot carry.
    pub(in crate::carrier) fn message(m: &OutboundMessage) -> Option<c::OutboundMessage> {
        m.media_urls.is_empty().then(|| c::OutboundMessage {
            message_id: m.message_id.clone(),
            from: m.from.clone(),
            to: m.to.clone(),
            body: m.body.clone(),
            status_callback_url: m.status_callback_url.clone(),
        })
    }

    impl From<c::WebhookError> for WebhookError {
        fn from(e: c::WebhookError) -> Self {
            match e {
                c::WebhookError::BadSignature(m) => Self::BadSignature(m),
                c::WebhookError::Malformed(m) => Self::Malformed(m),
            }
        }
    }

    impl From<c::StatusUpdate> for StatusUpdate {
        fn from(s: c::StatusUpdate) -> Self {
            Self {
                provider_id: s.provider_id,
                state: s.state.into(),
                error_code: s.error_code,
                error_message: s.error_message,
                opted_out: false,
            }
        }
    }

    impl From<c::SendOutcome> for SendOutcome {
        fn from(o: c::SendOutcome) -> Self {
            match o {
                c::SendOutcome::Sent(s) => Self::Sent {
                    provider_id: s.provider_id,
                    segments: s.segments,
                },
                c::SendOutcome::Retryable(e) => Self::Retryable(e.into()),
                c::SendOutcome::Permanent(e) => Self::Permanent(e.into()),
            }
        }
    }
}

/// What 0.2.0 added and every later version keeps, for the bindings
/// module in scope as `c`.
macro_rules! since_v0_2 {
    () => {
        shared!();

        pub(in crate::carrier) fn request(r: &HttpRequest, received_at_ms: u64) -> c::HttpRequest {
            c::HttpRequest {
                method: r.method.clone(),
                url: r.url.clone(),
                headers: r.headers.clone(),
                body: r.body.clone(),
                received_at_ms,
            }
        }

        pub(in crate::carrier) fn message(m: &OutboundMessage) -> c::OutboundMessage {
            c::OutboundMessage {
                message_id: m.message_id.clone(),
                from: m.from.clone(),
                to: m.to.clone(),
                body: m.body.clone(),
                media_urls: m.media_urls.clone(),
                status_callback_url: m.status_callback_url.clone(),
            }
        }

        impl From<c::WebhookError> for WebhookError {
            fn from(e: c::WebhookError) -> Self {
                match e {
                    c::WebhookError::BadSignature(m) => Self::BadSignature(m),
                    c::WebhookError::Malformed(m) => Self::Malformed(m),
                    c::WebhookError::RetryLater(m) => Self::RetryLater(m),
                }
            }
        }

        impl From<c::StatusUpdate> for StatusUpdate {
            fn from(s: c::StatusUpdate) -> Self {
                Self {
                    provider_id: s.provider_id,
                    state: s.state.into(),
                    error_code: s.error_code,
                    error_message: s.error_message,
                    opted_out: s.opted_out,
                }
            }
        }

        impl From<c::SendOutcome> for SendOutcome {
            fn from(o: c::SendOutcome) -> Self {
                match o {
                    c::SendOutcome::Sent(s) => Self::Sent {
                        provider_id: s.provider_id,
                        segments: s.segments,
                    },
                    c::SendOutcome::Retryable(e) => Self::Retryable(e.into()),
                    c::SendOutcome::Permanent(e) => Self::Permanent(e.into()),
                    c::SendOutcome::OptedOut(e) => Self::OptedOut(e.into()),
                }
            }
        }
    };
}

pub(super) mod v0_2 {
    pub(in crate::carrier) use crate::bindings::v0_2::carrier::exports::smsdesk::plugin::carrier as c;

    use super::*;

    since_v0_2!();
}

pub(super) mod v0_3 {
    pub(in crate::carrier) use crate::bindings::v0_3::carrier::exports::smsdesk::plugin::carrier as c;

    use super::*;

    since_v0_2!();
}
