// The agent's desk: follows /desk/events (the agent's desk as JSON) and
// acts through POST /desk/action. Everything shown is set as text, never
// as HTML: what customers and colleagues write cannot become markup.
"use strict";
const MAX = 1000;
let view = null;
let current = null;
const $ = (id) => document.getElementById(id);
// The agent's words, from their catalog (the page's data-words): each
// "{name}" in them is filled here.
const W = JSON.parse(document.body.dataset.words);
function say(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

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
    showError(say(W.unreachable, { error: e.message }));
    return false;
  }
  const answer = await r.json().catch(() => ({}));
  if (r.status === 401) { location.reload(); return false; }
  if (!r.ok) { showError(answer.error || ("HTTP " + r.status)); return false; }
  return true;
}

function renderState() {
  const select = $("state");
  const options = [["available", W.available]];
  for (const code of view.idle_codes) options.push(["idle:" + code, say(W.idle_code, { code })]);
  if (!view.idle_codes.length) options.push(["idle:", W.idle]);
  options.push(["offline", W.offline]);
  if (view.state === "rona") options.unshift(["rona", "RONA"]);
  const now = view.state === "idle" ? "idle:" + (view.idle_code || "") : view.state;
  select.replaceChildren(...options.map(([v, t]) => el("option", { value: v, text: t, selected: v === now })));
  $("rona").hidden = view.state !== "rona";
  $("who").textContent = view.name + " (" + view.agent + ")";
}

function renderOffers() {
  const offers = view.conversations.filter((c) => ["offered", "transfer", "conference-invited"].includes(c.role));
  $("offers").replaceChildren(...offers.map((c) => {
    const title = c.role === "transfer" ? say(W.transfer_from, { from: c.from }) : c.role === "conference-invited" ? say(W.conference_invite, { from: c.from }) : W.offer;
    return el("div", { class: "offer", role: "dialog", "aria-label": title + " #" + c.id, "data-id": c.id },
      el("h2", { text: title + " #" + c.id }),
      el("p", { text: say(W.offer_line, { queue: c.queue, customer: c.customer, entry: c.entry, kind: c.entry_kind }) }),
      el("p", { class: "timer" }, W.waiting + " ", el("span", { "data-since": c.opened_at }), c.answer_by ? el("span", { text: W.answer_within }) : null, c.answer_by ? el("span", { "data-until": c.answer_by }) : null),
      c.returning ? el("p", { class: "returning", text: say(W.returning, { agent: c.returning.you ? W.you : c.returning.agent, when: new Date(c.returning.closed_at).toLocaleString(document.documentElement.lang), reason: c.returning.reason }) }) : null,
      ...c.fields.map(([k, v]) => el("p", { class: "field", text: k + ": " + v })),
      el("button", { type: "button", class: "accept", text: W.accept, onclick: () => act({ do: "accept", conversation: c.id }) }),
      el("button", { type: "button", class: "decline", text: W.decline, onclick: () => act({ do: "decline", conversation: c.id }) }));
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
    text: c.role === "wrapup" ? say(W.wrapup_tab, { tab: "#" + c.id + " " + c.customer }) : "#" + c.id + " " + c.customer,
    onclick: () => { current = c.id; renderConversation(true); renderTabs(); },
  })));
}

function messageItem(m, c) {
  const who = m.kind === "customer" ? W.customer : m.kind === "smsdesk" ? "smsdesk" : m.kind === "event" ? "" : m.by;
  const li = el("li", { class: m.kind },
    who ? el("span", { class: "who", text: (m.kind === "note" ? W.note_by : "") + who + ": " }) : null,
    el("span", { class: "text", text: m.media && m.kind !== "customer" ? say(W.attachments, { text: m.text, count: m.media }) : m.text }));
  // A customer's pictures, from our own origin (smsdesk fetches them from the carrier).
  if (m.kind === "customer") {
    for (let k = 0; k < m.media; k++) {
      const src = "/desk/media?conversation=" + c.id + "&seq=" + m.seq + "&k=" + k;
      li.append(el("a", { class: "attachment", href: src, target: "_blank", rel: "noopener" },
        el("img", { src, alt: say(W.picture, { n: k + 1 }), loading: "lazy" })));
    }
  }
  if (m.delivery) li.append(el("span", { class: "delivery " + m.delivery, title: m.error || W[m.delivery] || m.delivery, text: " " + ({ pending: "…", sent: "✓", delivered: "✓✓", read: W.read, failed: "❌ " + (m.error || W.failed) })[m.delivery] }));
  return li;
}

function compose(c) {
  const box = el("textarea", { id: "compose", rows: "3", "aria-label": W.reply_label, placeholder: W.reply_placeholder });
  const count = el("span", { id: "count", role: "status" });
  const update = () => {
    const n = [...box.value].length;
    const s = segments(box.value);
    const parts = s.count === 1 ? W.one_segment : say(W.segments, { count: s.count });
    count.textContent = say(W.count, { n, max: MAX, segments: parts, encoding: s.encoding });
    count.className = n > MAX ? "over" : "";
  };
  const send = async () => {
    const text = box.value;
    const n = [...text].length;
    if (!text.trim()) return;
    if (n > MAX) { showError(say(W.too_long, { n, max: MAX })); return; }
    const nonce = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^A-Za-z0-9_-]/g, "");
    if (await act({ do: "reply", conversation: c.id, text, nonce })) { box.value = ""; update(); }
  };
  box.addEventListener("input", update);
  box.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); send(); }
  });
  update();
  // A picture or file (MMS), with what is in the box as its caption.
  const file = el("input", { type: "file", id: "attach", "aria-label": W.attach, accept: "image/jpeg,image/png,image/gif,image/webp,application/pdf,text/vcard,.vcf" });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    showError("");
    const q = new URLSearchParams({ conversation: c.id, name: f.name, caption: box.value });
    let r;
    try {
      r = await fetch("/desk/attach?" + q, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": f.type || "application/octet-stream", "X-Smsdesk-Desk": "1" }, body: f,
      });
    } catch (e) {
      showError(say(W.unreachable, { error: e.message }));
      return;
    } finally {
      file.value = "";
    }
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) { showError(answer.error || ("HTTP " + r.status)); return; }
    box.value = "";
    update();
  });
  return el("form", { id: "compose-form", onsubmit: (ev) => { ev.preventDefault(); send(); } },
    box, count, el("button", { type: "submit", text: W.send }), el("label", { class: "attach" }, W.attach + " ", file));
}

function wrapup(c) {
  const search = el("input", { id: "wrapup-search", type: "search", "aria-label": W.search_reasons, placeholder: W.search_placeholder });
  const list = el("ul", { id: "wrapup-reasons", role: "listbox", "aria-label": W.reasons });
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
  return el("section", { class: "wrapup", "aria-label": W.wrapup }, el("h3", { text: W.wrap_up }), search, list,
    el("button", { type: "button", id: "send-wrapup", text: W.send_wrapup, onclick: () => {
      const visible = [...list.children].map((li) => li.textContent);
      const reason = chosen || (visible.length === 1 ? visible[0] : null);
      if (!reason) { showError(W.pick_reason); return; }
      act({ do: "wrapup", conversation: c.id, reason });
    } }));
}

function pickDialog(id, title, items, onPick) {
  const d = $(id);
  const filter = el("input", { type: "search", "aria-label": W.filter, placeholder: W.filter });
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
    el("button", { type: "button", class: "refresh", text: W.refresh, onclick: fill }), list,
    el("button", { type: "button", text: W.cancel, onclick: () => d.close() }));
  fill();
  d.showModal();
  filter.focus();
}

function buttons(c) {
  const row = el("div", { class: "actions" });
  if (c.role === "owner") {
    row.append(
      el("button", { type: "button", id: "transfer-button", text: W.transfer, onclick: () => pickDialog("transfer", W.transfer_title, () => [
        ...view.queues.map((q) => ({ label: say(W.queue, { queue: q }), value: q })),
        ...view.colleagues.filter((a) => a.state === "available").map((a) => ({ label: a.name + " (" + a.id + ")", value: a.id })),
      ], (to) => act({ do: "transfer", conversation: c.id, to })) }),
      el("button", { type: "button", id: "conference-button", text: W.conference, onclick: () => pickDialog("conference", W.conference_title, () =>
        view.colleagues.filter((a) => a.state === "available").map((a) => ({ label: a.name + " (" + a.id + ")", value: a.id })),
      (agent) => act({ do: "conference", conversation: c.id, agent })) }),
      el("button", { type: "button", id: "endconf-button", text: W.end_conference, onclick: () => act({ do: "end-conference", conversation: c.id }) }),
      el("button", { type: "button", id: "end-button", text: W.end, onclick: () => act({ do: "end", conversation: c.id }) }));
  }
  if (c.role === "conference") {
    row.append(el("button", { type: "button", id: "endconf-button", text: W.leave_conference, onclick: () => act({ do: "end-conference", conversation: c.id }) }));
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
      el("p", { class: "timer" }, W.open_for, el("span", { "data-since": c.opened_at })),
      el("ol", { id: "messages", "aria-label": W.messages }),
      c.role === "wrapup" ? wrapup(c) : c.role === "paused" ? el("p", { text: W.paused }) : compose(c),
      buttons(c));
  }
  $("title").textContent = say(W.conversation_title, { id: c.id, customer: c.customer, queue: c.queue, entry: c.entry, kind: c.entry_kind });
  $("messages").replaceChildren(...c.messages.map((m) => messageItem(m, c)));
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
    $("live").textContent = W.live;
    render();
  });
  source.addEventListener("signed-out", () => { source.close(); location.reload(); });
  source.onerror = () => { $("live").textContent = W.reconnecting; };
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
