//! `GET /desk`: the desk's page, or its sign-in page when the request has
//! no live session. Both are HTML shells (maud, escaped by construction)
//! whose script and style are files of ours (`assets`): the
//! Content-Security-Policy runs no inline script at all. The desk page's
//! script fills everything in from `/desk/events`, with text only (never
//! HTML), so nothing a customer or a colleague writes can become markup.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use smsdesk_core::AgentId;

use super::Desk;
use crate::i18n::Lang;
use crate::sessions::lang::page_lang;

fn head(title: &str, script: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            link rel="stylesheet" href="/desk/desk.css";
            script src=(script) defer {}
        }
    }
}

/// The sign-in page in `lang`: Matrix id and password go to the homeserver only.
fn sign_in(lang: &Lang, homeserver: &str, message: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            (head(&lang.t("deskpage-signin-title"), "/desk/signin.js"))
            body {
                main.signin {
                    h1 { (lang.t("deskpage-title")) }
                    @if let Some(m) = message { p.error role="alert" { (m) } }
                    p.hint { (lang.t("deskpage-signin-hint")) }
                    form #matrix data-endpoint="/desk/openid" data-next="/desk" {
                        label { (lang.t("deskpage-matrix-id")) " " input type="text" name="user" placeholder="@you:example.com" autocomplete="username" autofocus required; }
                        label { (lang.t("deskpage-password")) " " input type="password" name="password" autocomplete="current-password" required; }
                        label { (lang.t("signin-homeserver")) " " input type="url" name="homeserver" value=(homeserver) required; }
                        button #matrix-submit type="submit" { (lang.t("signin-with-matrix")) }
                    }
                    button #sso type="button" hidden { (lang.t("signin-sso")) }
                    p.error #matrix-error role="alert" {}
                }
            }
        }
    }
}

/// The sign-in page of the desk shown as a widget: the page's script asks
/// the client for an OpenID token (`widget.js`); the password form is there
/// too, for a client that cannot answer.
fn widget_sign_in(lang: &Lang, homeserver: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (lang.t("deskpage-signin-title")) }
                link rel="stylesheet" href="/desk/desk.css";
                script src="/desk/vendor/matrix-widget-api.js" defer {}
                script src="/desk/widget.js" defer {}
                script src="/desk/signin.js" defer {}
            }
            body {
                main.signin {
                    h1 { (lang.t("deskpage-title")) }
                    p #widget-status role="status" { (lang.t("deskpage-widget-signing-in")) }
                    p.error #widget-error role="alert" data-no-client=(lang.t("deskpage-widget-no-client")) {}
                    details {
                        summary { (lang.t("deskpage-widget-password")) }
                        form #matrix data-endpoint="/desk/openid?widget=1" data-next="/desk" {
                            label { (lang.t("deskpage-matrix-id")) " " input type="text" name="user" placeholder="@you:example.com" autocomplete="username" required; }
                            label { (lang.t("deskpage-password")) " " input type="password" name="password" autocomplete="current-password" required; }
                            label { (lang.t("signin-homeserver")) " " input type="url" name="homeserver" value=(homeserver) required; }
                            button #matrix-submit type="submit" { (lang.t("signin-with-matrix")) }
                        }
                        p.error #matrix-error role="alert" {}
                    }
                }
            }
        }
    }
}

/// What the client adds to a widget's address (`/desk?widgetId=…&parentUrl=…`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetQuery {
    widget_id: Option<String>,
}

/// The desk in `lang`: empty containers the script fills from the event stream.
fn desk_page(lang: &Lang) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            (head(&lang.t("deskpage-title"), "/desk/desk.js"))
            body data-words=(super::words::words(lang)) {
                header.bar {
                    h1 { "smsdesk" }
                    span #who {}
                    label { (lang.t("deskpage-state")) " " select #state aria-label=(lang.t("deskpage-your-state")) {} }
                    span #live role="status" { (lang.t("deskpage-connecting")) }
                    button #signout type="button" { (lang.t("deskpage-sign-out")) }
                }
                p #rona .banner hidden role="alert" { (lang.t("deskpage-rona")) }
                section #offers aria-label=(lang.t("deskpage-offers")) {}
                nav #tabs role="tablist" aria-label=(lang.t("deskpage-conversations")) {}
                main #conversation aria-live="polite" {}
                p #error .error role="alert" {}
                dialog #transfer aria-labelledby="transfer-title" {}
                dialog #conference aria-labelledby="conference-title" {}
            }
        }
    }
}

pub async fn desk(State(d): State<Arc<Desk>>, Query(widget): Query<WidgetQuery>, headers: HeaderMap) -> Response {
    if let Some(off) = d.off() {
        return off;
    }
    let user = d.agent(&headers).map(|(agent, _)| agent);
    let lang = page_lang(
        &d.app.config,
        &d.app.languages,
        user.as_ref().map(AgentId::as_str),
        None,
        &headers,
    );
    let (status, page) = match (user, &d.signin) {
        (Some(_), _) => (StatusCode::OK, desk_page(&lang)),
        (None, Some(signin)) if widget.widget_id.is_some() => {
            (StatusCode::OK, widget_sign_in(&lang, &signin.homeserver))
        }
        (None, Some(signin)) => (StatusCode::OK, sign_in(&lang, &signin.homeserver, None)),
        (None, None) => return (StatusCode::NOT_FOUND, "no desk here\n").into_response(),
    };
    let mut r = (status, Html(page.into_string())).into_response();
    d.harden(r.headers_mut());
    r
}
