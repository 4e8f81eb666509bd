// The desk as a widget in the agent's Matrix client (Element): the client
// opened /desk?widgetId=…&parentUrl=… in an iframe. The page asks its
// client, through the Matrix Widget API, for an OpenID token of the
// signed-in user (the client may ask the user first), hands it to smsdesk
// (which checks it with its own homeserver and that the user is on the
// roster), and opens the desk. No password is typed; nothing of the
// client's own session reaches this page.
"use strict";
(function () {
  const out = document.getElementById("widget-error");
  const status = document.getElementById("widget-status");
  // What went wrong shows on the page, not only in a console no agent opens.
  window.addEventListener("error", (e) => { status.hidden = true; out.textContent = e.message; });
  window.addEventListener("unhandledrejection", (e) => {
    status.hidden = true;
    out.textContent = (e.reason && e.reason.message) || String(e.reason);
  });
  if (typeof mxwidgets === "undefined") {
    status.hidden = true;
    out.textContent = out.dataset.noClient;
    return;
  }
  const qs = new URLSearchParams(location.search);
  let parent;
  try {
    parent = new URL(qs.get("parentUrl") || "").origin;
  } catch (e) {
    out.textContent = out.dataset.noClient;
    status.hidden = true;
    return;
  }
  const api = new mxwidgets.WidgetApi(qs.get("widgetId"), parent);
  api.on("ready", async () => {
    try {
      const creds = await api.requestOpenIDConnectToken();
      const r = await fetch("/desk/openid?widget=1", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify({ access_token: creds.access_token, matrix_server_name: creds.matrix_server_name }),
      });
      const answer = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(answer.error || ("HTTP " + r.status));
      location.replace("/desk" + location.search);
    } catch (e) {
      status.hidden = true;
      out.textContent = e.message || String(e);
    }
  });
  api.start();
})();
