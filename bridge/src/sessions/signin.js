// Sign-in with Matrix for smsdesk's pages (the desk, the wallboard): log
// in to the homeserver with the Matrix id and password, or through its
// single sign-on (the "sso" button, shown when the homeserver offers it:
// the homeserver sends the browser back here with a one-time login token),
// ask it for an OpenID token, log that Matrix session out again (no Matrix
// access token stays in the browser), and hand the OpenID token to smsdesk
// (the form's data-endpoint), which checks it with its own homeserver;
// then go to the form's data-next.
"use strict";
const form = document.getElementById("matrix");
const HS_KEY = "smsdesk-sso-homeserver";
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
// The page's address without the homeserver's login token (or our mark).
function cleanSearch() {
  const q = new URLSearchParams(location.search);
  q.delete("loginToken");
  q.delete("sso");
  const s = q.toString();
  return s ? "?" + s : "";
}
// Logs in with `login` (a password or a login token), hands smsdesk an
// OpenID token, logs out, and goes on.
async function signIn(hs, login) {
  const out = document.getElementById("matrix-error");
  const button = document.getElementById("matrix-submit");
  out.textContent = "";
  button.disabled = true;
  let session = null;
  try {
    const login_ = await call(hs + "/_matrix/client/v3/login", null,
      Object.assign({ initial_device_display_name: "smsdesk sign-in (logged out at once)" }, login));
    session = login_.access_token;
    const openid = await call(
      hs + "/_matrix/client/v3/user/" + encodeURIComponent(login_.user_id) + "/openid/request_token", session, {});
    await call(hs + "/_matrix/client/v3/logout", session, {});
    session = null;
    const r = await fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ access_token: openid.access_token, matrix_server_name: openid.matrix_server_name }),
    });
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(answer.error || ("smsdesk answered HTTP " + r.status));
    location.replace(form.dataset.next + cleanSearch());
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
}
form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  signIn(form.homeserver.value.trim().replace(/\/+$/, ""), {
    type: "m.login.password",
    identifier: { type: "m.id.user", user: form.user.value.trim() },
    password: form.password.value,
  });
});
// Single sign-on: offered when the homeserver has it.
const sso = document.getElementById("sso");
if (sso) {
  const hs = () => form.homeserver.value.trim().replace(/\/+$/, "");
  fetch(hs() + "/_matrix/client/v3/login", { credentials: "omit", cache: "no-store" })
    .then((r) => r.json())
    .then((flows) => {
      if ((flows.flows || []).some((f) => f.type === "m.login.sso")) sso.hidden = false;
    })
    .catch(() => {});
  sso.addEventListener("click", () => {
    sessionStorage.setItem(HS_KEY, hs());
    const back = location.origin + location.pathname + cleanSearch();
    location.assign(hs() + "/_matrix/client/v3/login/sso/redirect?redirectUrl=" + encodeURIComponent(back));
  });
}
// Back from the homeserver's single sign-on with a one-time login token.
const loginToken = new URLSearchParams(location.search).get("loginToken");
if (loginToken) {
  const hs = sessionStorage.getItem(HS_KEY) || form.homeserver.value.trim().replace(/\/+$/, "");
  sessionStorage.removeItem(HS_KEY);
  signIn(hs, { type: "m.login.token", token: loginToken });
}
