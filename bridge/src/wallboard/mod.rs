//! The supervisor wallboard (docs/supervisor-guide.md): `GET /supervisor`, a live
//! page of queue figures and agents by state. Each supervisor signs in as
//! themselves, with their Matrix identity (`signin`: an OpenID token
//! checked with our homeserver, `crate::openid`), and sees only the
//! queues of their `[[supervisors]]` entry on every route; the operator's
//! `supervisor.token` (`auth`) sees every queue. Without a token and
//! without Matrix sign-in (`[matrix]` and `[[supervisors]]`) the routes
//! answer 404 (there is nothing to sign in to); without credentials, 401
//! and the sign-in page, which shows no figures. Wrong credentials are
//! counted by `crate::http::failure_limit`.
//!
//! - `GET /supervisor`: the page (`page`, its script `script.js`): queue
//!   figures, agents by state, the agents board and each queue's day by
//!   quarter hour as an SVG curve; filled in at once, then kept current by
//!   `GET /supervisor/events` (`events`, server-sent events).
//! - `GET /supervisor/conversation?id=N`: one conversation of the viewer's
//!   queues, read only (`conversation`), as the agents board links it.
//! - `POST /supervisor/openid`, `/supervisor/login`, `/supervisor/logout`:
//!   sign-in with Matrix, with the operator's key, sign-out (`signin`).
//! - `GET /supervisor/figures.json`: the same figures for scripts.
//! - `GET /supervisor/export?since=&until=&format=`: `smsdesk export`
//!   through the running server (`export`), the viewer's queues only.
//!
//! Every `GET` takes `?queue=<name>` to show one of the viewer's queues
//! (`auth::Scope::narrowed`): another queue is refused (403).

pub mod auth;
mod conversation;
mod events;
mod export;
mod page;
mod signin;
mod signin_page;
mod style;
pub mod view;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use serde::Deserialize;

use crate::app::AppState;
use crate::http::failure_limit::{FailureLimit, Limited, Source};
use crate::i18n::Lang;
use crate::sessions::signin::MatrixSignIn;
use crate::sessions::Sessions;
use crate::tr;
use auth::{Narrowing, Presented, Scope, Viewer, Who};

/// How long a wallboard sign-in lasts.
pub const LIFETIME: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

/// What the wallboard's routes share: the server, and who is signed in.
#[derive(Debug)]
pub struct Wallboard {
    pub app: Arc<AppState>,
    sessions: Sessions<Viewer>,
    /// Failed credentials, for every way in.
    limit: FailureLimit,
    /// Matrix sign-in: on when `[matrix]` and `[[supervisors]]` are set.
    openid: Option<MatrixSignIn>,
}

pub fn router(app: Arc<AppState>) -> axum::Router<Arc<AppState>> {
    let openid = match &app.config.matrix {
        Some(m) if !app.config.supervisors.is_empty() => Some(MatrixSignIn::new(m)),
        _ => None,
    };
    let wallboard = Arc::new(Wallboard {
        app,
        sessions: Sessions::new(LIFETIME),
        limit: FailureLimit::default(),
        openid,
    });
    axum::Router::new()
        .route("/supervisor", get(wallboard_page))
        .route("/supervisor/openid", post(signin::openid))
        .route("/supervisor/login", post(signin::login))
        .route("/supervisor/logout", post(signin::logout))
        .route("/supervisor/events", get(events))
        .route("/supervisor/figures.json", get(figures))
        .route("/supervisor/export", get(export::export))
        .route("/supervisor/conversation", get(conversation::conversation))
        .with_state(wallboard)
}

impl Wallboard {
    fn token(&self) -> Option<&str> {
        self.app.config.supervisor.token.as_deref()
    }

    /// Whether cookies get `Secure`.
    fn secure(&self) -> bool {
        self.app.config.public_url.starts_with("https://")
    }

    /// The answer when there is no way to sign in at all.
    fn off(&self) -> Option<Response> {
        (self.token().is_none() && self.openid.is_none()).then(|| {
            (
                StatusCode::NOT_FOUND,
                "no wallboard: set [supervisor] token, or [matrix] and [[supervisors]] for sign-in with Matrix\n",
            )
                .into_response()
        })
    }

    /// The language of a page: `?lang=` when there is a catalog for it,
    /// else the supervisor's own `language`, else the browser's
    /// `Accept-Language`, else `[matrix] language`.
    fn page_lang(&self, asked: Option<&str>, viewer: Option<&Viewer>, headers: &HeaderMap) -> Lang {
        let user = match viewer.map(|v| &v.who) {
            Some(Who::Supervisor(user)) => Some(user.as_str()),
            _ => None,
        };
        crate::sessions::lang::page_lang(&self.app.config, &self.app.languages, user, asked, headers)
    }

    /// The sign-in page with `status`, and `message` (the catalog id
    /// `message`, in the browser's language) on it.
    fn sign_in_page(&self, status: StatusCode, headers: &HeaderMap, message: Option<&str>) -> Response {
        let lang = self.page_lang(None, None, headers);
        let message = message.map(|id| lang.t(id));
        self.sign_in_page_in(status, &lang, message.as_deref())
    }

    /// The sign-in page with `status`, in `lang`, and `message` on it.
    fn sign_in_page_in(&self, status: StatusCode, lang: &Lang, message: Option<&str>) -> Response {
        let homeserver = self.openid.as_ref().map(|o| o.homeserver.as_str());
        let html = signin_page::login(lang, homeserver, self.token().is_some(), message).into_string();
        let mut r = (status, Html(html)).into_response();
        page::harden(r.headers_mut());
        r
    }

    /// Who is asking, or the answer for a request without valid
    /// credentials (404 when the wallboard is off, 429 when limited, 401).
    fn viewer(&self, headers: &HeaderMap, source: Source) -> Result<Viewer, Refusal> {
        if let Some(off) = self.off() {
            return Err(off.into());
        }
        let unauthorized = |message: Option<&str>| self.sign_in_page(StatusCode::UNAUTHORIZED, headers, message);
        match auth::presented(headers) {
            Presented::Bearer(given) => {
                let Some(token) = self.token() else {
                    return Err(unauthorized(Some("signin-no-token-here")).into());
                };
                if let Err(limited) = self.limit.before_check(source) {
                    return Err(self.too_many(limited, headers, false).into());
                }
                if auth::token_matches(&given, token) {
                    self.limit.passed(source);
                    Ok(Viewer::operator())
                } else {
                    tracing::warn!(%source, "a wrong supervisor.token was given as a bearer token");
                    Err(unauthorized(Some("signin-wrong-token")).into())
                }
            }
            Presented::BadAuthorization => Err(unauthorized(Some("signin-bad-authorization")).into()),
            Presented::Session(id) => self
                .sessions
                .get(&id, Instant::now())
                .map(|mut viewer| {
                    viewer.session = Some(id.key());
                    viewer
                })
                .ok_or_else(|| {
                    let mut r = unauthorized(Some("signin-ended"));
                    self.clear_cookie(&mut r);
                    r.into()
                }),
            Presented::BadCookie => {
                let mut r = unauthorized(None);
                self.clear_cookie(&mut r);
                Err(r.into())
            }
            Presented::Nothing => Err(unauthorized(None).into()),
        }
    }

    /// 429 with `Retry-After`: the sign-in page saying so, or (`json`)
    /// `{"error": …}`.
    fn too_many(&self, limited: Limited, headers: &HeaderMap, json: bool) -> Response {
        let secs = limited.retry_after_s();
        let lang = self.page_lang(None, None, headers);
        let message = tr!(lang, "signin-too-many", secs = secs);
        let mut r = if json {
            (
                StatusCode::TOO_MANY_REQUESTS,
                Json(serde_json::json!({ "error": message })),
            )
                .into_response()
        } else {
            self.sign_in_page_in(StatusCode::TOO_MANY_REQUESTS, &lang, Some(&message))
        };
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        r
    }

    fn clear_cookie(&self, r: &mut Response) {
        if let Ok(v) = HeaderValue::from_str(&auth::clear_cookie(self.secure())) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }

    /// The viewer's scope narrowed to `?queue=`, or the refusal.
    fn scope(&self, viewer: &Viewer, only: &Only, headers: &HeaderMap) -> Result<Scope, Refusal> {
        let existing: Vec<_> = self.app.config.queues.iter().map(|q| q.setup.name.clone()).collect();
        viewer.scope.narrowed(only.queue.as_deref(), &existing).map_err(|why| {
            let text = format!(
                "{}\n",
                why.text(&self.page_lang(only.lang.as_deref(), Some(viewer), headers))
            );
            let status = match why {
                Narrowing::NotYours { .. } => StatusCode::FORBIDDEN,
                Narrowing::NoSuchQueue { .. } => StatusCode::NOT_FOUND,
            };
            (status, text).into_response().into()
        })
    }
}

/// The answer to a request that may not go on (boxed: a response is large).
#[derive(Debug)]
pub struct Refusal(Box<Response>);

impl From<Response> for Refusal {
    fn from(r: Response) -> Self {
        Self(Box::new(r))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// `?queue=`: one of the viewer's queues.
#[derive(Debug, Default, Deserialize)]
pub struct Only {
    pub queue: Option<String>,
    /// A language to show the page in (a wall screen signed in with the
    /// operator's key has no supervisor to take it from).
    pub lang: Option<String>,
}

/// The viewer and their (narrowed) scope, or the refusal.
fn admit(wb: &Wallboard, headers: &HeaderMap, source: Source, only: &Only) -> Result<(Viewer, Scope), Refusal> {
    let viewer = wb.viewer(headers, source)?;
    let scope = wb.scope(&viewer, only, headers)?;
    Ok((viewer, scope))
}

async fn wallboard_page(
    State(wb): State<Arc<Wallboard>>,
    source: Source,
    headers: HeaderMap,
    Query(only): Query<Only>,
) -> Response {
    let (viewer, scope) = match admit(&wb, &headers, source, &only) {
        Ok(v) => v,
        Err(refusal) => return refusal.into_response(),
    };
    match events::read_board(&wb.app, scope.clone()).await {
        Some(board) => {
            let lang = wb.page_lang(only.lang.as_deref(), Some(&viewer), &headers);
            let page = page::wallboard(&board, &viewer, &scope, only.queue.as_deref(), &lang);
            let mut r = Html(page.into_string()).into_response();
            page::harden(r.headers_mut());
            r
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "the engine is not running\n").into_response(),
    }
}

async fn events(
    State(wb): State<Arc<Wallboard>>,
    source: Source,
    headers: HeaderMap,
    Query(only): Query<Only>,
) -> Response {
    match admit(&wb, &headers, source, &only) {
        Ok((viewer, scope)) => events::stream(wb.clone(), viewer.session, scope).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn figures(
    State(wb): State<Arc<Wallboard>>,
    source: Source,
    headers: HeaderMap,
    Query(only): Query<Only>,
) -> Response {
    let scope = match admit(&wb, &headers, source, &only) {
        Ok((_, scope)) => scope,
        Err(refusal) => return refusal.into_response(),
    };
    match events::read_board(&wb.app, scope).await {
        Some(board) => {
            let mut r = Json(board).into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        None => (StatusCode::SERVICE_UNAVAILABLE, "the engine is not running\n").into_response(),
    }
}
