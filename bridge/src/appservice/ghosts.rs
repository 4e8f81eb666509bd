//! Acting as customers' ghosts (named as `naming` says: by the number's
//! digits, or opaque once masking is on). Each request is one of ruma's typed
//! client-server requests, sent with the registration's `as_token` and
//! `?user_id=` naming the ghost (matrix-sdk cannot act as another user).
//! Registration tolerates `M_USER_IN_USE` (the ghost exists); messages
//! carry `ts=`, so a customer's SMS shows at the time it arrived. A ghost
//! no longer needed is deactivated with erasure (Synapse lets an
//! appservice deactivate its own users without interactive auth).

use std::borrow::Cow;
use std::time::Duration;

use ruma::api::client::account::deactivate;
use ruma::api::client::account::register::{self, LoginType, RegistrationKind};
use ruma::api::client::membership::{join_room_by_id, leave_room};
use ruma::api::client::message::send_message_event;
use ruma::api::client::profile::set_profile_field;
use ruma::api::path_builder::VersionHistory;
use ruma::api::{
    auth_scheme::{AuthScheme, SendAccessToken},
    AppserviceUserIdentity, IncomingResponse, MatrixVersion, OutgoingRequestAppserviceExt, SupportedVersions,
};
use ruma::events::room::message::RoomMessageEventContent;
use ruma::serde::Raw;
use ruma::{MilliSecondsSinceUnixEpoch, OwnedEventId, OwnedServerName, OwnedUserId, RoomId, TransactionId, UserId};

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A ghost's request that failed.
#[derive(Debug, thiserror::Error)]
pub enum GhostError {
    /// The homeserver answered with a Matrix error.
    #[error("the homeserver refused ({status} {errcode}): {message}")]
    Refused {
        status: u16,
        errcode: String,
        message: String,
    },
    /// No answer, or one that could not be read.
    #[error("{0}")]
    Unreachable(String),
}

impl GhostError {
    /// Whether this one request is refused for good (retrying it would
    /// not help); 401 (our token), 429 and 5xx are worth a retry.
    pub fn refused_for_good(&self) -> bool {
        matches!(self, Self::Refused { status: 400 | 403 | 404 | 413, errcode, .. } if errcode != "M_RESOURCE_LIMIT_EXCEEDED")
    }

    fn errcode(&self) -> Option<&str> {
        match self {
            Self::Refused { errcode, .. } => Some(errcode),
            Self::Unreachable(_) => None,
        }
    }
}

/// Customers' ghosts on one homeserver.
#[derive(Clone, Debug)]
pub struct Ghosts {
    http: reqwest::Client,
    homeserver: String,
    as_token: String,
    server: OwnedServerName,
    prefix: String,
}

impl Ghosts {
    pub fn new(homeserver: &str, as_token: &str, server: OwnedServerName, prefix: &str) -> Self {
        Self {
            http: reqwest::Client::builder().timeout(TIMEOUT).build().unwrap_or_default(),
            homeserver: homeserver.trim_end_matches('/').to_owned(),
            as_token: as_token.to_owned(),
            server,
            prefix: prefix.to_owned(),
        }
    }

    /// The ghost named by this customer's number (docs/operator-guide.md, "Appservice mode", while
    /// masking was never on).
    pub fn number_ghost(&self, number: &str) -> OwnedUserId {
        self.named(&super::naming::number_localpart(&self.prefix, number))
    }

    /// The opaque ghost of `customer` texting `entry`, in `generation`.
    pub fn opaque_ghost(
        &self,
        key: &super::naming::GhostKey,
        entry: &str,
        customer: &str,
        generation: u32,
    ) -> OwnedUserId {
        self.named(&key.opaque_localpart(&self.prefix, entry, customer, generation))
    }

    /// Whether `user` is a ghost named by a number (from before masking).
    pub fn is_number_ghost(&self, user: &UserId) -> bool {
        self.is_ghost(user) && super::naming::is_number_localpart(&self.prefix, user.localpart())
    }

    fn named(&self, localpart: &str) -> OwnedUserId {
        UserId::parse(format!("@{localpart}:{}", self.server))
            .unwrap_or_else(|_| UserId::parse(format!("@{}:{}", self.prefix, self.server)).expect("valid prefix"))
    }

    /// Whether `user` is one of our ghosts (their own messages come back
    /// in transactions; they are not agents).
    pub fn is_ghost(&self, user: &UserId) -> bool {
        user.server_name() == self.server && user.localpart().starts_with(&self.prefix)
    }

    /// Sends `request` as `user` (the bot itself when `None`).
    async fn call<R>(&self, request: R, user: Option<&UserId>) -> Result<R::IncomingResponse, GhostError>
    where
        R: OutgoingRequestAppserviceExt<PathBuilder = VersionHistory>,
        for<'a> R::Authentication: AuthScheme<Input<'a> = SendAccessToken<'a>>,
    {
        let versions = SupportedVersions {
            // 1.7: the appservice ping.
            versions: [MatrixVersion::V1_1, MatrixVersion::V1_3, MatrixVersion::V1_7].into(),
            features: Default::default(),
        };
        let identity = user.map(AppserviceUserIdentity::new).unwrap_or_default();
        let request: http::Request<Vec<u8>> = request
            .try_into_http_request_with_identity(
                &self.homeserver,
                SendAccessToken::Always(&self.as_token),
                identity,
                Cow::Owned(versions),
            )
            .map_err(|e| GhostError::Unreachable(format!("cannot build the request: {e}")))?;
        let (parts, body) = request.into_parts();
        tracing::debug!(method = %parts.method, uri = %parts.uri, "appservice request");
        let response = self
            .http
            .request(parts.method, parts.uri.to_string())
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| GhostError::Unreachable(format!("cannot reach the homeserver: {e}")))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| GhostError::Unreachable(format!("the homeserver's answer broke off: {e}")))?;
        if !status.is_success() {
            #[derive(serde::Deserialize, Default)]
            struct MatrixError {
                #[serde(default)]
                errcode: String,
                #[serde(default)]
                error: String,
            }
            let e: MatrixError = serde_json::from_slice(&bytes).unwrap_or_default();
            return Err(GhostError::Refused {
                status: status.as_u16(),
                errcode: e.errcode,
                message: e.error,
            });
        }
        let mut http_response = http::Response::builder().status(status.as_u16());
        if let Some(h) = http_response.headers_mut() {
            h.insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
        }
        let http_response = http_response
            .body(bytes.to_vec())
            .map_err(|e| GhostError::Unreachable(e.to_string()))?;
        R::IncomingResponse::try_from_http_response(http_response)
            .map_err(|e| GhostError::Unreachable(format!("the homeserver's answer cannot be read: {e}")))
    }

    /// Asks the homeserver to ping smsdesk's appservice endpoint back (spec
    /// v1.7), with the `as_token` the endpoint demands. (matrix-sdk's own
    /// client sent it without a token: "no access token provided".)
    pub async fn ping(&self, appservice_id: &str) -> Result<(), GhostError> {
        let request = ruma::api::client::appservice::request_ping::v1::Request::new(appservice_id.to_owned());
        self.call(request, None).await.map(|_| ())
    }

    /// Registers a user of our namespaces (a ghost, or the bot itself);
    /// one that exists already is fine.
    pub async fn register(&self, user: &UserId) -> Result<(), GhostError> {
        let mut request = register::v3::Request::new();
        request.username = Some(user.localpart().to_owned());
        request.login_type = Some(LoginType::ApplicationService);
        request.inhibit_login = true;
        request.kind = RegistrationKind::User;
        match self.call(request, None).await {
            Ok(_) => Ok(()),
            Err(e) if e.errcode() == Some("M_USER_IN_USE") => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Sets `user`'s display name.
    pub async fn set_display_name(&self, user: &UserId, name: &str) -> Result<(), GhostError> {
        let request = set_profile_field::v3::Request::new(
            user.to_owned(),
            ruma::profile::ProfileFieldValue::DisplayName(name.to_owned()),
        );
        self.call(request, Some(user)).await.map(|_| ())
    }

    /// Deactivates `user` (one of our ghosts) and asks the homeserver to
    /// erase what it can of them: their profile goes, and what they said
    /// is hidden from whoever joins a room later. A user deactivated
    /// already is fine.
    pub async fn deactivate(&self, user: &UserId) -> Result<(), GhostError> {
        let mut request = deactivate::v3::Request::new();
        request.erase = true;
        match self.call(request, Some(user)).await {
            Ok(_) => Ok(()),
            // (Synapse deactivates a deactivated user again with a 200; a
            // homeserver that refuses it as deactivated means the same.)
            Err(GhostError::Refused { errcode, .. }) if errcode == "M_USER_DEACTIVATED" => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `user` joins `room` (they must be invited).
    pub async fn join(&self, user: &UserId, room: &RoomId) -> Result<(), GhostError> {
        self.call(join_room_by_id::v3::Request::new(room.to_owned()), Some(user))
            .await
            .map(|_| ())
    }

    /// `user` leaves `room`.
    pub async fn leave(&self, user: &UserId, room: &RoomId) -> Result<(), GhostError> {
        self.call(leave_room::v3::Request::new(room.to_owned()), Some(user))
            .await
            .map(|_| ())
    }

    /// Posts `content` in `room` as `user`, dated `at`; the same `txn`
    /// is answered once by the homeserver.
    pub async fn send(
        &self,
        user: &UserId,
        room: &RoomId,
        content: &RoomMessageEventContent,
        txn: &TransactionId,
        at: MilliSecondsSinceUnixEpoch,
    ) -> Result<OwnedEventId, GhostError> {
        let body = Raw::new(content)
            .map_err(|e| GhostError::Unreachable(e.to_string()))?
            .cast_unchecked();
        let mut request =
            send_message_event::v3::Request::new_raw(room.to_owned(), txn.to_owned(), "m.room.message".into(), body);
        request.timestamp = Some(at);
        Ok(self.call(request, Some(user)).await?.event_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ghost_is_named_by_the_digits_of_the_number() {
        let ghosts = Ghosts::new("http://hs", "token", "example.com".try_into().unwrap(), "sms_");
        let ghost = ghosts.number_ghost("+1 (555) 777-0001");
        assert_eq!(ghost.as_str(), "@sms_15557770001:example.com");
        assert!(ghosts.is_ghost(&ghost) && ghosts.is_number_ghost(&ghost));
        assert!(!ghosts.is_ghost(<&UserId>::try_from("@alice:example.com").unwrap()));
        assert!(!ghosts.is_ghost(<&UserId>::try_from("@sms_1:elsewhere.org").unwrap()));
    }

    #[test]
    fn only_refusals_of_one_request_are_for_good() {
        let refused = |status, errcode: &str| GhostError::Refused {
            status,
            errcode: errcode.to_owned(),
            message: String::new(),
        };
        assert!(refused(403, "M_FORBIDDEN").refused_for_good());
        assert!(!refused(403, "M_RESOURCE_LIMIT_EXCEEDED").refused_for_good());
        assert!(!refused(401, "M_UNKNOWN_TOKEN").refused_for_good());
        assert!(!refused(502, "").refused_for_good());
        assert!(!GhostError::Unreachable("down".into()).refused_for_good());
    }
}
