//! `GET /desk`: the desk's page, or its sign-in page when the request has
//! no live session. Both are HTML shells (maud, escaped by construction)
//! whose script and style are files of ours (`assets`): the
//! Content-Security-Policy runs no inline script at all. The desk page's
//! script fills everything in from `/desk/events`, with text only (never
//! HTML), so nothing a customer or a colleague writes can become markup.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use super::Desk;

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

/// The sign-in page: Matrix id and password go to the homeserver only.
fn sign_in(homeserver: &str, message: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("smsdesk desk — sign in", "/desk/signin.js"))
            body {
                main.signin {
                    h1 { "smsdesk desk" }
                    @if let Some(m) = message { p.error role="alert" { (m) } }
                    p.hint { "Sign in with your Matrix account. Your password goes to your homeserver only; smsdesk gets a one-time proof of who you are." }
                    form #matrix data-endpoint="/desk/openid" data-next="/desk" {
                        label { "Matrix id " input type="text" name="user" placeholder="@you:example.com" autocomplete="username" autofocus required; }
                        label { "Password " input type="password" name="password" autocomplete="current-password" required; }
                        label { "Homeserver " input type="url" name="homeserver" value=(homeserver) required; }
                        button #matrix-submit type="submit" { "Sign in with Matrix" }
                    }
                    p.error #matrix-error role="alert" {}
                }
            }
        }
    }
}

/// The desk: empty containers the script fills from the event stream.
fn desk_page() -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("smsdesk desk", "/desk/desk.js"))
            body {
                header.bar {
                    h1 { "smsdesk" }
                    span #who {}
                    label { "State " select #state aria-label="Your state" {} }
                    span #live role="status" { "connecting…" }
                    button #signout type="button" { "Sign out" }
                }
                p #rona .banner hidden role="alert" { "You missed an offer and are now RONA: set yourself Available to get offers again." }
                section #offers aria-label="Offers" {}
                nav #tabs role="tablist" aria-label="Your conversations" {}
                main #conversation aria-live="polite" {}
                p #error .error role="alert" {}
                dialog #transfer aria-labelledby="transfer-title" {}
                dialog #conference aria-labelledby="conference-title" {}
            }
        }
    }
}

pub async fn desk(State(d): State<Arc<Desk>>, headers: HeaderMap) -> Response {
    if let Some(off) = d.off() {
        return off;
    }
    let (status, page) = match (d.agent(&headers), &d.signin) {
        (Some(_), _) => (StatusCode::OK, desk_page()),
        (None, Some(signin)) => (StatusCode::OK, sign_in(&signin.homeserver, None)),
        (None, None) => return (StatusCode::NOT_FOUND, "no desk here\n").into_response(),
    };
    let mut r = (status, Html(page.into_string())).into_response();
    d.harden(r.headers_mut());
    r
}
