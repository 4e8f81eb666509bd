//! The sign-in page (also the answer to a request without valid
//! credentials: it shows no figures at all).
//!
//! "Sign in with Matrix": the page's own script (inline, no library; the
//! desk's sign-in shares it, `crate::sessions::SIGNIN_JS`) logs
//! in to the homeserver's client API with the Matrix id and password,
//! asks for an OpenID token, logs that Matrix session out again (no
//! Matrix access token stays in the browser; the device is gone), and
//! posts the OpenID token to `POST /supervisor/openid`. The password goes
//! to the homeserver only. The homeserver field starts as `[matrix]
//! homeserver`; a supervisor whose browser reaches it by another address
//! may change it (smsdesk checks the token with its own homeserver
//! whatever the page used). "Operator key": `supervisor.token` in a form.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::style::head;

pub(super) const SCRIPT: &str = crate::sessions::SIGNIN_JS;

/// The sign-in page: with Matrix when `homeserver` is given (the form's
/// default), with the operator's key when `token`; `message` on top.
pub fn login(homeserver: Option<&str>, token: bool, message: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("smsdesk wallboard — sign in"))
            body {
                h1 { "smsdesk wallboard" }
                @if let Some(m) = message { p.error #message { (m) } }
                @if let Some(hs) = homeserver {
                    h2 { "Sign in with Matrix" }
                    p.hint { "Your password goes to your Matrix homeserver only; smsdesk gets a one-time proof of who you are." }
                    form #matrix data-endpoint="/supervisor/openid" data-next="/supervisor" {
                        input type="text" name="user" placeholder="@you:example.com" autocomplete="username" autofocus required;
                        input type="password" name="password" placeholder="Matrix password" autocomplete="current-password" required;
                        button #matrix-submit type="submit" { "Sign in with Matrix" }
                    }
                    details {
                        summary { "Homeserver" }
                        input form="matrix" type="url" name="homeserver" value=(hs) required;
                    }
                    p.error #matrix-error {}
                }
                @if token {
                    h2 { "Operator key" }
                    form method="post" action="/supervisor/login" {
                        input type="password" name="token" placeholder="supervisor token" required;
                        button #token-submit type="submit" { "Sign in" }
                    }
                }
                @if homeserver.is_some() { script { (PreEscaped(SCRIPT)) } }
            }
        }
    }
}
