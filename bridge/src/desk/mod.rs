//! The agent desktop (docs/agent-guide.md, "The desk in a browser"):
//! `GET /desk`, a screen over the same agent actions as the Matrix desk,
//! for a browser tab or as a widget in the agent's desk room. Agents sign
//! in with their Matrix identity (an OpenID token our homeserver vouches
//! for; only roster agents come in), the page follows their desk live
//! (server-sent events) and acts through `POST /desk/action`, which sends
//! the engine the commands the Matrix desk sends: what an agent does on
//! one shows on the other.
//!
//! - `GET /desk`: the desk, or the sign-in page (`page`); `GET
//!   /desk/{desk.js,signin.js,desk.css}`: its script and style (`assets`,
//!   in the binary: no inline script, no CDN).
//! - `POST /desk/openid`, `POST /desk/logout` (`signin`).
//! - `GET /desk/events`: the agent's desk as it changes (`events`, built
//!   by `view`).
//! - `POST /desk/action` (`actions`, JSON).
//!
//! Sessions are HttpOnly, SameSite=Strict cookies on `/desk`, lasting
//! `[desk] session`; every POST must come from our own pages; the page
//! may be framed only by `[desk] frame_ancestors`.

mod act;
pub mod actions;
mod assets;
mod events;
mod media;
mod page;
mod signin;
pub mod view;
mod words;

use std::sync::Arc;
use std::time::Instant;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use smsdesk_core::AgentId;

use crate::app::AppState;
use crate::http::failure_limit::FailureLimit;
use crate::sessions::signin::MatrixSignIn;
use crate::sessions::{cookie, SessionId, SessionKey, Sessions};

/// The desk's cookie, and where it is sent.
const COOKIE: &str = "smsdesk_desk";
const PATH: &str = "/desk";

/// What the desk's routes share.
#[derive(Debug)]
pub struct Desk {
    pub app: Arc<AppState>,
    sessions: Sessions<AgentId>,
    limit: FailureLimit,
    /// Off without `[matrix]`: there is no one to vouch for agents.
    signin: Option<MatrixSignIn>,
    /// Fetches customers' attachments from carriers (`media::fetch`).
    http: reqwest::Client,
}

pub fn router(app: Arc<AppState>) -> axum::Router<Arc<AppState>> {
    let signin = app.config.matrix.as_ref().map(MatrixSignIn::new);
    let desk = Arc::new(Desk {
        sessions: Sessions::new(app.config.desk.session),
        app,
        limit: FailureLimit::default(),
        signin,
        http: crate::media::fetch::client(),
    });
    axum::Router::new()
        .route("/desk", get(page::desk))
        .route("/desk/desk.js", get(assets::desk_js))
        .route("/desk/signin.js", get(assets::signin_js))
        .route("/desk/desk.css", get(assets::desk_css))
        .route("/desk/widget.js", get(assets::widget_js))
        .route("/desk/vendor/matrix-widget-api.js", get(assets::widget_api_js))
        .route("/desk/openid", post(signin::openid))
        .route("/desk/logout", post(signin::logout))
        .route("/desk/events", get(events::events))
        .route("/desk/action", post(act::action))
        .route("/desk/media", get(media::media))
        .route(
            "/desk/attach",
            post(media::attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::media::policy::MAX_BYTES + 4096,
            )),
        )
        .with_state(desk)
}

impl Desk {
    fn secure(&self) -> bool {
        self.app.config.public_url.starts_with("https://")
    }

    /// 404 when no one can sign in here.
    fn off(&self) -> Option<Response> {
        self.signin.is_none().then(|| {
            (
                StatusCode::NOT_FOUND,
                "no desk: agents sign in with Matrix, which needs [matrix] in the config\n",
            )
                .into_response()
        })
    }

    /// The signed-in agent and their session, if the request has a live one.
    fn agent(&self, headers: &HeaderMap) -> Option<(AgentId, SessionKey)> {
        let id = SessionId::parse(&cookie::read(headers, COOKIE)?)?;
        let agent = self.sessions.get(&id, Instant::now())?;
        // Taken off the roster since: no longer an agent here.
        self.app.config.agent(&agent)?;
        Some((agent, id.key()))
    }

    /// Sets the session's cookie; `embedded`: for the page shown as a
    /// widget inside the agent's client (`cookie::set_embedded`).
    fn set_cookie(&self, r: &mut Response, id: &SessionId, embedded: bool) {
        let (max_age, secure) = (self.sessions.lifetime().as_secs(), self.secure());
        let value = if embedded {
            cookie::set_embedded(COOKIE, PATH, id, max_age, secure)
        } else {
            cookie::set(COOKIE, PATH, id, max_age, secure)
        };
        if let Ok(v) = HeaderValue::from_str(&value) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }

    fn clear_cookie(&self, r: &mut Response) {
        if let Ok(v) = HeaderValue::from_str(&cookie::clear(COOKIE, PATH, self.secure())) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }

    /// The headers every answer of the desk gets: a Content-Security-Policy
    /// with no inline script or style, framing only by the configured
    /// clients, no caching, no referrer to other sites.
    fn harden(&self, headers: &mut HeaderMap) {
        let ancestors = &self.app.config.desk.frame_ancestors;
        let frame = if ancestors.is_empty() {
            "'none'".to_owned()
        } else {
            ancestors.join(" ")
        };
        let policy = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self' https: http:; form-action 'self'; frame-ancestors {frame}; base-uri 'none'"
        );
        if let Ok(v) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        if ancestors.is_empty() {
            headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    }
}
