//! The sign-in page (also the answer to a request without valid
//! credentials: it shows no figures at all).
//!
//! "Sign in with Matrix": the page's own script (inline, no library) logs
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

pub(super) const SCRIPT: &str = r#"
const form = document.getElementById("matrix");
async function call(url, token, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers["Authorization"] = "Bearer " + token;
  let r;
  try {
    r = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), credentials: "omit", cache: "no-store" });
  } catch (e) {
    throw new Error("cannot reach " + url.split("/_matrix/")[0] + " (" + e.message + ")");
  }
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(answer.error || ("HTTP " + r.status + " from " + url.split("?")[0]));
  return answer;
}
form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const out = document.getElementById("matrix-error");
  const button = document.getElementById("matrix-submit");
  out.textContent = "";
  button.disabled = true;
  const hs = form.homeserver.value.trim().replace(/\/+$/, "");
  let session = null;
  try {
    const login = await call(hs + "/_matrix/client/v3/login", null, {
      type: "m.login.password",
      identifier: { type: "m.id.user", user: form.user.value.trim() },
      password: form.password.value,
      initial_device_display_name: "smsdesk wallboard sign-in (logged out at once)",
    });
    session = login.access_token;
    const openid = await call(
      hs + "/_matrix/client/v3/user/" + encodeURIComponent(login.user_id) + "/openid/request_token", session, {});
    await call(hs + "/_matrix/client/v3/logout", session, {});
    session = null;
    const r = await fetch("/supervisor/openid", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ access_token: openid.access_token, matrix_server_name: openid.matrix_server_name }),
    });
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(answer.error || ("smsdesk answered HTTP " + r.status));
    location.replace("/supervisor" + location.search);
  } catch (e) {
    out.textContent = e.message || String(e);
  } finally {
    form.password.value = "";
    if (session) {
      fetch(hs + "/_matrix/client/v3/logout", {
        method: "POST", headers: { "Authorization": "Bearer " + session }, credentials: "omit",
      }).catch(() => {});
    }
    button.disabled = false;
  }
});
"#;

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
                    form #matrix {
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
