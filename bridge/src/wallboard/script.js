// The wallboard's script: follows /supervisor/events (server-sent events)
// and rewrites the figures, the agents board and the day's curves in place;
// never reloads. Everything is set as text; its words come from the
// viewer's catalog (the page's data-words).
const W = JSON.parse(document.body.dataset.words);
function say(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}
function two(n) { return String(n).padStart(2, "0"); }
function dur(s) {
  if (s === null || s === undefined) return "—";
  if (s < 60) return say(W.seconds, { s: s });
  if (s < 3600) return say(W.minutes, { m: Math.floor(s / 60), s: two(s % 60) });
  return say(W.hours, { h: Math.floor(s / 3600), m: two(Math.floor((s % 3600) / 60)) });
}
function pct(p) { return p === null || p === undefined ? "—" : say(W.percent, { p: Math.round(p * 100) }); }
function agents(a) {
  const parts = Object.entries(a).filter(([, n]) => n > 0).map(([s, n]) => say(W.count, { count: n, state: W.states[s] || s }));
  return parts.length ? parts.join(", ") : W.none;
}
function cell(row, key, text) {
  const c = row.querySelector('[data-k="' + key + '"]');
  if (c && c.textContent !== text) c.textContent = text;
}
// The agents board: one row per agent, rebuilt as text (never markup).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}
function team(rows) {
  const body = document.querySelector("#team tbody");
  if (!body) return;
  body.replaceChildren(...rows.map((a) => {
    const state = (W.states[a.state] || a.state) + (a.code ? " (" + a.code + ")" : "");
    const held = el("td", { "data-k": "conversations" });
    for (const id of a.conversations) {
      if (held.childNodes.length) held.append(" ");
      held.append(el("a", { href: "/supervisor/conversation?id=" + id + "&lang=" + document.documentElement.lang, text: "#" + id }));
    }
    return el("tr", { "data-agent": a.id },
      el("td", { text: a.name + " (" + a.id + ")" }),
      el("td", { "data-k": "state", text: state }),
      el("td", { "data-k": "for", "data-since": String(a.since) }),
      held,
      el("td", { "data-k": "load", text: a.load + "/" + a.capacity }));
  }));
  tick();
}
function tick() {
  const now = Date.now();
  for (const c of document.querySelectorAll("#team [data-since]")) {
    const since = Number(c.dataset.since);
    c.textContent = since > 0 ? dur(Math.max(0, Math.floor((now - since) / 1000))) : "—";
  }
}
setInterval(tick, 1000);
// The day's curve: 96 quarter hours, one line per series, a point with its
// number on each interval that has one.
const SVG = "http://www.w3.org/2000/svg";
const SERIES = ["offered", "answered_in_sla", "abandoned", "waiting"];
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
function curve(box, intervals) {
  const height = 120, top = 8;
  const max = Math.max(1, ...intervals.flatMap((i) => SERIES.map((s) => i[s])));
  const x = (index) => 30 + index * 10 + 5;
  const y = (v) => top + height - (v / max) * height;
  const at = new Map(intervals.map((i) => [i.index, i]));
  const parts = [];
  for (let h = 0; h <= 24; h += 3) {
    parts.push(svg("line", { x1: 30 + h * 40, x2: 30 + h * 40, y1: top, y2: top + height, class: "grid" }));
    const label = svg("text", { x: 30 + h * 40, y: top + height + 14, class: "axis" });
    label.textContent = String(h).padStart(2, "0") + ":00";
    parts.push(label);
  }
  const scale = svg("text", { x: 0, y: top + 10, class: "axis scale" });
  scale.textContent = String(max);
  parts.push(scale);
  for (const s of SERIES) {
    const points = [];
    for (let index = 0; index < 96; index++) points.push(x(index) + "," + y((at.get(index) || {})[s] || 0));
    parts.push(svg("polyline", { points: points.join(" "), class: "line " + s }));
    for (const i of intervals) {
      if (!i[s]) continue;
      const dot = svg("circle", { cx: x(i.index), cy: y(i[s]), r: 3.5, class: "dot " + s, "data-series": s, "data-slot": i.index, "data-value": i[s] });
      const title = svg("title", {});
      title.textContent = i.start + " · " + W.series[s] + ": " + i[s];
      dot.append(title);
      parts.push(dot);
    }
  }
  box.replaceChildren(...parts);
}
function show(board) {
  for (const q of board.queues) {
    const row = document.querySelector('tr[data-queue="' + CSS.escape(q.queue) + '"]');
    if (!row) continue;
    cell(row, "day", q.day);
    cell(row, "waiting", String(q.waiting));
    cell(row, "longest", dur(q.longest_wait_s));
    cell(row, "agents", agents(q.agents));
    cell(row, "accepted", String(q.accepted));
    cell(row, "abandoned", String(q.abandoned));
    cell(row, "sl", pct(q.service_level));
    cell(row, "asa", dur(q.asa_s));
    cell(row, "aht", dur(q.aht_s));
  }
  for (const [s, n] of Object.entries(board.agents)) {
    const c = document.querySelector('[data-agents="' + s + '"]');
    if (c) c.textContent = String(n);
  }
  team(board.team);
  for (const q of board.queues) {
    const svg = document.querySelector('svg[data-curve="' + CSS.escape(q.queue) + '"]');
    if (svg) curve(svg, q.intervals);
  }
  const status = document.getElementById("status");
  status.textContent = say(W.live, { time: new Date(board.at).toLocaleTimeString(document.documentElement.lang) });
  status.className = "";
}
function down(text) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = "down";
}
const events = new EventSource(document.body.dataset.events);
events.addEventListener("board", (e) => show(JSON.parse(e.data)));
events.addEventListener("signed-out", () => {
  events.close();
  down(W.signed_out);
});
events.onerror = () => {
  if (events.readyState === EventSource.CLOSED) down(W.disconnected);
  else down(W.reconnecting);
};
