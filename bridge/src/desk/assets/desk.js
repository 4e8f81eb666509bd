// The agent's desk: follows /desk/events (the agent's desk as JSON) and
// acts through POST /desk/action. Everything shown is set as text, never
// as HTML: what customers and colleagues write cannot become markup.
"use strict";
const MAX = 1000;
let view = null;
let current = null;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  return (m >= 60 ? Math.floor(m / 60) + "h " + String(m % 60).padStart(2, "0") : String(m)) + ":" + String(s % 60).padStart(2, "0");
}

// What a text costs on the air: GSM-7 septets, or UCS-2 when it must.
const GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT = "\f^{}\\[~]|€";
function segments(text) {
  let septets = 0;
  for (const c of text) {
    if (GSM.includes(c)) septets += 1;
    else if (GSM_EXT.includes(c)) septets += 2;
    else {
      const units = text.length;
      return { count: units <= 70 ? 1 : Math.ceil(units / 67), encoding: "UCS-2" };
    }
  }
  return { count: septets <= 160 ? 1 : Math.ceil(septets / 153), encoding: "GSM-7" };
}

function showError(text) { $("error").textContent = text || ""; }

async function act(body) {
  showError("");
  let r;
  try {
    r = await fetch("/desk/action", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Smsdesk-Desk": "1" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    showError("smsdesk cannot be reached: " + e.message);
    return false;
  }
  const answer = await r.json().catch(() => ({}));
  if (r.status === 401) { location.reload(); return false; }
  if (!r.ok) { showError(answer.error || ("HTTP " + r.status)); return false; }
  return true;
}

function renderState() {
  const select = $("state");
  const options = [["available", "Available"]];
  for (const code of view.idle_codes) options.push(["idle:" + code, "Idle: " + code]);
  if (!view.idle_codes.length) options.push(["idle:", "Idle"]);
  options.push(["offline", "Offline"]);
  if (view.state === "rona") options.unshift(["rona", "RONA"]);
  const now = view.state === "idle" ? "idle:" + (view.idle_code || "") : view.state;
  select.replaceChildren(...options.map(([v, t]) => el("option", { value: v, text: t, selected: v === now })));
  $("rona").hidden = view.state !== "rona";
  $("who").textContent = view.name + " (" + view.agent + ")";
}

function renderOffers() {
  const offers = view.conversations.filter((c) => ["offered", "transfer", "conference-invited"].includes(c.role));
  $("offers").replaceChildren(...offers.map((c) => {
    const title = c.role === "transfer" ? "Transfer from " + c.from : c.role === "conference-invited" ? "Conference: " + c.from + " invites you" : "Offer";
    return el("div", { class: "offer", role: "dialog", "aria-label": title + " #" + c.id, "data-id": c.id },
      el("h2", { text: title + " #" + c.id }),
      el("p", { text: "Queue " + c.queue + " · customer " + c.customer + " · to " + c.entry + " (" + c.entry_kind + ")" }),
      el("p", { class: "timer" }, "Waiting ", el("span", { "data-since": c.opened_at }), c.answer_by ? el("span", { text: " · answer within " }) : null, c.answer_by ? el("span", { "data-until": c.answer_by }) : null),
      c.returning ? el("p", { class: "returning", text: "Returning customer, last handled by " + (c.returning.you ? "you" : c.returning.agent) + " on " + new Date(c.returning.closed_at).toLocaleString() + " (" + c.returning.reason + ")" }) : null,
      ...c.fields.map(([k, v]) => el("p", { class: "field", text: k + ": " + v })),
      el("button", { type: "button", class: "accept", text: "Accept", onclick: () => act({ do: "accept", conversation: c.id }) }),
      el("button", { type: "button", class: "decline", text: "Decline", onclick: () => act({ do: "decline", conversation: c.id }) }));
  }));
}

function held() {
  return view.conversations.filter((c) => ["owner", "conference", "wrapup", "paused"].includes(c.role));
}

function renderTabs() {
  const list = held();
  if (!list.some((c) => c.id === current)) current = list.length ? list[0].id : null;
  $("tabs").replaceChildren(...list.map((c) => el("button", {
    type: "button", role: "tab", id: "tab-" + c.id, "aria-selected": String(c.id === current),
    text: "#" + c.id + " " + c.customer + (c.role === "wrapup" ? " (wrap-up)" : ""),
    onclick: () => { current = c.id; renderConversation(true); renderTabs(); },
  })));
}

function messageItem(m) {
  const who = m.kind === "customer" ? "customer" : m.kind === "smsdesk" ? "smsdesk" : m.kind === "event" ? "" : m.by;
  const li = el("li", { class: m.kind },
    who ? el("span", { class: "who", text: (m.kind === "note" ? "📝 note by " : "") + who + ": " }) : null,
    el("span", { class: "text", text: m.text + (m.media ? " [" + m.media + " attachment(s)]" : "") }));
  if (m.delivery) li.append(el("span", { class: "delivery " + m.delivery, title: m.error || m.delivery, text: " " + ({ pending: "…", sent: "✓", delivered: "✓✓", read: "✓✓ read", failed: "❌ " + (m.error || "failed") })[m.delivery] }));
  return li;
}

function compose(c) {
  const box = el("textarea", { id: "compose", rows: "3", "aria-label": "Reply to the customer", placeholder: "Reply to the customer (Enter sends, Shift+Enter a new line)" });
  const count = el("span", { id: "count", role: "status" });
  const update = () => {
    const n = [...box.value].length;
    const s = segments(box.value);
    count.textContent = n + "/" + MAX + " · " + s.count + (s.count === 1 ? " segment" : " segments") + " · " + s.encoding;
    count.className = n > MAX ? "over" : "";
  };
  const send = async () => {
    const text = box.value;
    const n = [...text].length;
    if (!text.trim()) return;
    if (n > MAX) { showError("reply too long: " + n + " characters, the limit is " + MAX + "; nothing was sent"); return; }
    const nonce = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, "");
    if (await act({ do: "reply", conversation: c.id, text, nonce })) { box.value = ""; update(); }
  };
  box.addEventListener("input", update);
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); send(); }
  });
  update();
  return el("form", { id: "compose-form", onsubmit: (ev) => { ev.preventDefault(); send(); } },
    box, count, el("button", { type: "submit", text: "Send" }));
}

function wrapup(c) {
  const search = el("input", { id: "wrapup-search", type: "search", "aria-label": "Search wrap-up reasons", placeholder: "Search reasons" });
  const list = el("ul", { id: "wrapup-reasons", role: "listbox", "aria-label": "Wrap-up reasons" });
  let chosen = null;
  const fill = () => {
    const q = search.value.toLowerCase();
    list.replaceChildren(...c.wrapup_reasons.filter((r) => r.toLowerCase().includes(q)).map((r) =>
      el("li", { role: "option", tabindex: "0", "aria-selected": String(r === chosen), text: r,
        onclick: () => { chosen = r; fill(); },
        onkeydown: (ev) => { if (ev.key === "Enter") { chosen = r; fill(); } } })));
  };
  search.addEventListener("input", fill);
  fill();
  return el("section", { class: "wrapup", "aria-label": "Wrap-up" }, el("h3", { text: "Wrap up" }), search, list,
    el("button", { type: "button", id: "send-wrapup", text: "Send wrap-up", onclick: () => {
      const visible = [...list.children].map((li) => li.textContent);
      const reason = chosen || (visible.length === 1 ? visible[0] : null);
      if (!reason) { showError("pick a wrap-up reason"); return; }
      act({ do: "wrapup", conversation: c.id, reason });
    } }));
}

function pickDialog(id, title, items, onPick) {
  const d = $(id);
  const filter = el("input", { type: "search", "aria-label": "Filter", placeholder: "Filter" });
  const list = el("ul", { role: "listbox", "aria-label": title });
  const fill = () => {
    const q = filter.value.toLowerCase();
    list.replaceChildren(...items().filter((i) => i.label.toLowerCase().includes(q)).map((i) =>
      el("li", { role: "option", tabindex: "0", text: i.label,
        onclick: () => { d.close(); onPick(i.value); },
        onkeydown: (ev) => { if (ev.key === "Enter") { d.close(); onPick(i.value); } } })));
  };
  filter.addEventListener("input", fill);
  d.replaceChildren(el("h2", { id: id + "-title", text: title }), filter,
    el("button", { type: "button", class: "refresh", text: "Refresh", onclick: fill }), list,
    el("button", { type: "button", text: "Cancel", onclick: () => d.close() }));
  fill();
  d.showModal();
  filter.focus();
}

function buttons(c) {
  const row = el("div", { class: "actions" });
  if (c.role === "owner") {
    row.append(
      el("button", { type: "button", id: "transfer-button", text: "Transfer", onclick: () => pickDialog("transfer", "Transfer to a queue or an agent", () => [
        ...view.queues.map((q) => ({ label: "Queue " + q, value: q })),
        ...view.colleagues.filter((a) => a.state === "available").map((a) => ({ label: a.name + " (" + a.id + ")", value: a.id })),
      ], (to) => act({ do: "transfer", conversation: c.id, to })) }),
      el("button", { type: "button", id: "conference-button", text: "Conference", onclick: () => pickDialog("conference", "Invite an available agent", () =>
        view.colleagues.filter((a) => a.state === "available").map((a) => ({ label: a.name + " (" + a.id + ")", value: a.id })),
      (agent) => act({ do: "conference", conversation: c.id, agent })) }),
      el("button", { type: "button", id: "endconf-button", text: "End conference", onclick: () => act({ do: "end-conference", conversation: c.id }) }),
      el("button", { type: "button", id: "end-button", text: "End", onclick: () => act({ do: "end", conversation: c.id }) }));
  }
  if (c.role === "conference") {
    row.append(el("button", { type: "button", id: "endconf-button", text: "Leave conference", onclick: () => act({ do: "end-conference", conversation: c.id }) }));
  }
  return row;
}

let shownRole = null;
function renderConversation(fresh) {
  const main = $("conversation");
  const c = held().find((x) => x.id === current);
  if (!c) { main.replaceChildren(); shownRole = null; return; }
  if (fresh || main.dataset.id !== String(c.id) || shownRole !== c.role) {
    main.dataset.id = String(c.id);
    shownRole = c.role;
    main.replaceChildren(
      el("h2", { id: "title" }),
      el("p", { class: "timer" }, "Open for ", el("span", { "data-since": c.opened_at })),
      el("ol", { id: "messages", "aria-label": "Messages" }),
      c.role === "wrapup" ? wrapup(c) : c.role === "paused" ? el("p", { text: "Paused: the customer went quiet." }) : compose(c),
      buttons(c));
  }
  $("title").textContent = "#" + c.id + " · " + c.customer + " · queue " + c.queue + " · to " + c.entry + " (" + c.entry_kind + ")";
  $("messages").replaceChildren(...c.messages.map(messageItem));
}

function render() {
  renderState();
  renderOffers();
  renderTabs();
  renderConversation(false);
  tick();
}

function tick() {
  const now = Date.now();
  for (const e of document.querySelectorAll("[data-since]")) e.textContent = clock(now - Number(e.dataset.since));
  for (const e of document.querySelectorAll("[data-until]")) e.textContent = clock(Number(e.dataset.until) - now);
}

function connect() {
  const source = new EventSource("/desk/events");
  source.addEventListener("desk", (ev) => {
    view = JSON.parse(ev.data);
    $("live").textContent = "live";
    render();
  });
  source.addEventListener("signed-out", () => { source.close(); location.reload(); });
  source.onerror = () => { $("live").textContent = "reconnecting…"; };
}

$("state").addEventListener("change", (ev) => {
  const v = ev.target.value;
  if (v === "available") act({ do: "available" });
  else if (v === "offline") act({ do: "offline" });
  else if (v.startsWith("idle:")) act({ do: "idle", code: v.slice(5) || null });
});
$("signout").addEventListener("click", async () => {
  await fetch("/desk/logout", { method: "POST", credentials: "same-origin" });
  location.reload();
});
setInterval(tick, 250);
connect();
