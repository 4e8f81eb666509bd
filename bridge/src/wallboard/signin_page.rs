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
use crate::i18n::Lang;

pub(super) const SCRIPT: &str = crate::sessions::SIGNIN_JS;

/// The sign-in page in `lang`: with Matrix when `homeserver` is given (the
/// form's default), with the operator's key when `token`; `message` on top.
pub fn login(lang: &Lang, homeserver: Option<&str>, token: bool, message: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            (head(&lang.t("wallboard-signin-title")))
            body {
                h1 { (lang.t("wallboard-title")) }
                @if let Some(m) = message { p.error #message { (m) } }
                @if let Some(hs) = homeserver {
                    h2 { (lang.t("signin-with-matrix")) }
                    p.hint { (lang.t("signin-hint")) }
                    form #matrix data-endpoint="/supervisor/openid" data-next="/supervisor" {
                        input type="text" name="user" placeholder="@you:example.com" autocomplete="username" autofocus required;
                        input type="password" name="password" placeholder=(lang.t("signin-password")) autocomplete="current-password" required;
                        button #matrix-submit type="submit" { (lang.t("signin-with-matrix")) }
                    }
                    button #sso type="button" hidden { (lang.t("signin-sso")) }
                    details {
                        summary { (lang.t("signin-homeserver")) }
                        input form="matrix" type="url" name="homeserver" value=(hs) required;
                    }
                    p.error #matrix-error {}
                }
                @if token {
                    h2 { (lang.t("signin-operator-key")) }
                    form method="post" action="/supervisor/login" {
                        input type="password" name="token" placeholder=(lang.t("signin-token")) required;
                        button #token-submit type="submit" { (lang.t("signin-submit")) }
                    }
                }
                @if homeserver.is_some() { script { (PreEscaped(SCRIPT)) } }
            }
        }
    }
}
