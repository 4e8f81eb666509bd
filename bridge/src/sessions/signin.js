// Sign-in with Matrix for smsdesk's pages (the desk, the wallboard): log
// in to the homeserver with the Matrix id and password, ask it for an
// OpenID token, log that Matrix session out again (no Matrix access token
// stays in the browser), and hand the OpenID token to smsdesk (the form's
// data-endpoint), which checks it with its own homeserver; then go to the
// form's data-next.
"use strict";
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
      initial_device_display_name: "smsdesk sign-in (logged out at once)",
    });
    session = login.access_token;
    const openid = await call(
      hs + "/_matrix/client/v3/user/" + encodeURIComponent(login.user_id) + "/openid/request_token", session, {});
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
    location.replace(form.dataset.next + location.search);
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
