// Cofi dashboard: live progress from /api/stream (Server-Sent Events), everything else from the REST API.
// Every name that comes from the data is rendered as text (textContent), never as HTML.
"use strict";

const state = {
  batches: new Map(),      // batchId -> summary
  stages: new Map(),       // batchId -> Map(stage -> counts)
  rates: new Map(),        // "batch/stage" -> [{t, settled}]
  selected: null,
  eventsPage: 1, eventsTotal: 0,
  errorsPage: 1, errorsTotal: 0,
  throughput: [],          // {t, settled} of the last stage of the selected batch
  live: [],
  pipeline: [],            // stage names in pipeline order
};
const pageSize = 50;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c)));
  return node;
}

// The token lives in the session cookie that POST /api/session sets (HttpOnly: this page never holds it), so the
// EventSource and every fetch carry it.
async function api(path, options = {}) {
  const headers = { "Accept": "application/json", ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  const body = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) {
    const detail = body && (body.detail || (body.errors && Object.values(body.errors).flat().join("; ")) || body.title);
    throw new Error(detail || `${response.status} ${response.statusText}`);
  }
  return body;
}

function when(iso) { return iso ? new Date(iso).toLocaleTimeString() : ""; }

// ---- batches ----
async function loadBatches() {
  for (const b of await api("/api/batches")) state.batches.set(b.batchId, b);
  renderBatches();
  if (state.selected == null && state.batches.size > 0) select(Math.max(...state.batches.keys()));
}

function renderBatches() {
  const rows = [...state.batches.values()].sort((a, b) => b.batchId - a.batchId).map((b) =>
    el("tr", { class: b.batchId === state.selected ? "selected" : "", dataset: { batch: b.batchId }, onclick: () => select(b.batchId) },
      el("td", {}, b.batchId), el("td", {}, b.status), el("td", { title: b.input }, b.input), el("td", {}, when(b.submittedAt))));
  $("batches").tBodies[0].replaceChildren(...rows);
  const current = state.batches.get(state.selected);
  $("batch-status").textContent = current ? current.status : "";
  $("batch-status").dataset.status = current ? current.status : "";
}

async function select(batchId) {
  state.selected = batchId;
  state.throughput = [];
  $("batch-title").textContent = String(batchId);
  renderBatches();
  try {
    const detail = await api(`/api/batches/${batchId}`);
    state.batches.set(batchId, detail.batch);
    for (const c of detail.stages) mergeCounts(c);
  } catch (e) { /* the stream still delivers its progress */ }
  renderBatches();
  renderStages();
  state.eventsPage = 1; state.errorsPage = 1;
  loadEvents(); loadErrors();
}

$("submit-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const message = $("submit-message");
  try {
    const accepted = await api("/api/batches", { method: "POST", body: JSON.stringify({ input: $("submit-input").value }) });
    message.className = "message ok";
    message.textContent = `batch ${accepted.batchId} ${accepted.resumed ? "resumed" : "submitted"}`;
    await loadBatches();
    select(accepted.batchId);
  } catch (err) {
    message.className = "message";
    message.textContent = err.message;
  }
});

for (const action of ["pause", "resume", "cancel"]) {
  $(action).addEventListener("click", async () => {
    if (state.selected == null) return;
    const message = $("submit-message");
    try {
      await api(`/api/batches/${state.selected}/${action}`, { method: "POST" });
      message.className = "message ok";
      message.textContent = `batch ${state.selected}: ${action} done`;
      await loadBatches();
    } catch (err) {
      message.className = "message";
      message.textContent = err.message;
    }
  });
}

// ---- stages ----
function mergeCounts(c) {
  if (!state.stages.has(c.batchId)) state.stages.set(c.batchId, new Map());
  state.stages.get(c.batchId).set(c.stage, c);
  const key = `${c.batchId}/${c.stage}`;
  const history = state.rates.get(key) || [];
  const now = Date.now();
  history.push({ t: now, settled: c.done + c.failed + c.skipped });
  while (history.length > 2 && now - history[0].t > 10000) history.shift();
  state.rates.set(key, history);
}

function totalOf(batchStages, c) {
  if (c.total != null) return c.total;
  const first = batchStages.values().next().value;
  return first ? (first.total ?? first.done + first.failed + first.skipped) : null;
}

function renderStages() {
  const batchStages = state.stages.get(state.selected);
  if (!batchStages) { $("stages").tBodies[0].replaceChildren(); return; }
  const rows = [];
  const position = (stage) => { const i = state.pipeline.indexOf(stage); return i < 0 ? Infinity : i; };
  for (const c of [...batchStages.values()].sort((a, b) => position(a.stage) - position(b.stage))) {
    const settled = c.done + c.failed + c.skipped;
    const total = totalOf(batchStages, c);
    const scale = Math.max(total || 0, settled + c.inFlight, 1);
    const pct = (n) => `${(100 * n / scale).toFixed(2)}%`;
    const history = state.rates.get(`${c.batchId}/${c.stage}`) || [];
    const span = history.length > 1 ? (history[history.length - 1].t - history[0].t) / 1000 : 0;
    const rate = span > 0 ? (history[history.length - 1].settled - history[0].settled) / span : 0;
    const eta = c.completed ? "done" : rate > 0 && total != null ? `${Math.ceil((total - settled) / rate)} s` : "—";
    const bar = el("div", { class: "bar", title: `${settled} of ${total ?? "?"}` },
      el("span", { class: "done", style: `width:${pct(c.done)}` }), el("span", { class: "failed", style: `width:${pct(c.failed)}` }),
      el("span", { class: "skipped", style: `width:${pct(c.skipped)}` }), el("span", { class: "inflight", style: `width:${pct(c.inFlight)}` }));
    rows.push(el("tr", { dataset: { stage: c.stage, settled, total: total ?? "", completed: c.completed }, id: `stage-${c.stage}` },
      el("td", {}, c.stage), el("td", { class: "bar-cell" }, bar), el("td", {}, c.done), el("td", {}, c.failed), el("td", {}, c.skipped),
      el("td", {}, c.inFlight), el("td", { class: "total" }, total ?? "?"), el("td", {}, rate.toFixed(1)), el("td", {}, eta)));
  }
  $("stages").tBodies[0].replaceChildren(...rows);
}

function sampleThroughput() {
  const batchStages = state.stages.get(state.selected);
  if (batchStages) {
    const last = batchStages.get(state.pipeline[state.pipeline.length - 1]);
    state.throughput.push({ t: Date.now(), settled: last ? last.done + last.failed + last.skipped : 0 });
    if (state.throughput.length > 121) state.throughput.shift();
  }
  drawThroughput();
}

function drawThroughput() {
  const canvas = $("throughput"), g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  const points = [];
  for (let i = 1; i < state.throughput.length; i++) {
    const a = state.throughput[i - 1], b = state.throughput[i];
    points.push((b.settled - a.settled) / Math.max((b.t - a.t) / 1000, 0.001));
  }
  const max = Math.max(1, ...points);
  // One sample a second: the chart spans the last 120 s, and at least 20 s so a short history is not a sliver at the edge.
  const span = Math.min(120, Math.max(20, points.length - 1));
  const at = (p, i) => [6 + (i / span) * (canvas.width - 12), canvas.height - 8 - (p / max) * (canvas.height - 36)];
  g.strokeStyle = "#d5d9e2"; g.lineWidth = 1; g.beginPath();
  g.moveTo(6, canvas.height - 8); g.lineTo(canvas.width - 6, canvas.height - 8); g.stroke();
  g.strokeStyle = "#5b8def"; g.fillStyle = "#5b8def"; g.lineWidth = 2; g.beginPath();
  points.forEach((p, i) => { const [x, y] = at(p, i); if (i === 0) g.moveTo(x, y); else g.lineTo(x, y); });
  g.stroke();
  points.forEach((p, i) => { const [x, y] = at(p, i); g.beginPath(); g.arc(x, y, 2.5, 0, 2 * Math.PI); g.fill(); });
  g.fillStyle = "#5c6579"; g.font = "12px sans-serif";
  g.fillText(`peak ${max.toFixed(1)} files/s · last ${span} s`, 6, 14);
}

// ---- live stream ----
function connect() {
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => { $("connection").textContent = "live"; $("connection").className = "pill live"; });
  source.addEventListener("error", () => { $("connection").textContent = "reconnecting…"; $("connection").className = "pill down"; });
  const onFrame = (e) => {
    const frame = JSON.parse(e.data);
    for (const b of frame.batches) state.batches.set(b.batchId, b);
    for (const c of frame.stages) mergeCounts(c);
    for (const f of frame.files) {
      state.live.unshift({ batchId: frame.batchId, stage: frame.stages[0]?.stage, ...f });
    }
    state.live.length = Math.min(state.live.length, 200);
    if (frame.batches.length) {
      renderBatches();
      if (state.selected == null) select(frame.batches[0].batchId);
      else if (frame.batches.some((b) => b.batchId === state.selected && !["queued", "running", "paused"].includes(b.status))) { loadEvents(); loadErrors(); loadMachines(); }
    }
    scheduleRender();
  };
  for (const type of ["snapshot", "stage", "batch"]) source.addEventListener(type, onFrame);
}

let renderPending = false;
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    renderStages();
    renderLive();
  });
}

function renderLive() {
  const items = state.live.filter((f) => f.batchId === state.selected).slice(0, 100).map((f) =>
    el("li", { class: `status-${f.status}` }, `${f.stage} · ${f.name} · ${f.status}${f.machine ? " · " + f.machine : ""}${f.reason ? " · " + f.reason : ""}`));
  $("live").replaceChildren(...items);
}

// ---- machines and figures (from the broadcaster's memory) ----
async function loadMachines() {
  try {
    const machines = await api("/api/machines");
    $("machines").tBodies[0].replaceChildren(...machines.map((m) => el("tr", {},
      el("td", {}, m.name), el("td", {}, `${m.slotsBusy} / ${m.slots}`), el("td", {}, m.filesPerMinute.toFixed(0)),
      el("td", {}, m.filesDone), el("td", {}, m.errors))));
    const f = await api("/api/progress/figures");
    $("figures").textContent = `events in ${f.eventsIn} · frames out ${f.framesOut} · coalesced ${f.eventsCoalesced} · dropped ${f.framesDropped} · viewers ${f.subscribers}`;
  } catch (e) { /* shown again on the next tick */ }
}

// ---- event log, errors, file search (REST, paged) ----
async function loadEvents() {
  if (state.selected == null) return;
  const q = new URLSearchParams({ page: state.eventsPage, pageSize });
  if ($("filter-stage").value) q.set("stage", $("filter-stage").value);
  if ($("filter-type").value) q.set("type", $("filter-type").value);
  if ($("filter-file").value.trim()) q.set("file", $("filter-file").value.trim());
  try {
    const page = await api(`/api/batches/${state.selected}/events?${q}`);
    state.eventsTotal = page.total;
    $("events").tBodies[0].replaceChildren(...page.items.map((ev) => el("tr", { dataset: { event: ev.id }, onclick: () => showPayload(ev) },
      el("td", {}, when(ev.at)), el("td", {}, ev.stage), el("td", {}, ev.type), el("td", { title: ev.fileName || "" }, ev.fileName || ""),
      el("td", { class: `status-${ev.status}` }, ev.status || ""), el("td", {}, ev.processedFiles ?? ""))));
  } catch (e) {
    state.eventsTotal = 0;
    $("events").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: 6 }, e.message)));
  }
  $("events-page").textContent = `page ${state.eventsPage} of ${Math.max(1, Math.ceil(state.eventsTotal / pageSize))} (${state.eventsTotal} events)`;
}

function showPayload(ev) {
  let payload = ev.payload;
  try { payload = JSON.stringify(JSON.parse(ev.payload), null, 2); } catch (e) { /* not JSON: shown as it is */ }
  $("payload").textContent = `${ev.type} · ${ev.stage} · ${ev.fileName ?? ""} · ${ev.status ?? ""} · ${ev.at}\n\n${payload ?? "(no payload)"}`;
  for (const row of $("events").tBodies[0].rows) row.classList.toggle("selected", row.dataset.event === String(ev.id));
}

$("event-filters").addEventListener("submit", (e) => { e.preventDefault(); state.eventsPage = 1; loadEvents(); });
$("events-prev").addEventListener("click", () => { if (state.eventsPage > 1) { state.eventsPage--; loadEvents(); } });
$("events-next").addEventListener("click", () => { if (state.eventsPage * pageSize < state.eventsTotal) { state.eventsPage++; loadEvents(); } });

function errorOf(payload) {
  try { return JSON.parse(payload).error ?? ""; } catch (e) { return payload ?? ""; }
}

async function loadErrors() {
  if (state.selected == null) return;
  try {
    const page = await api(`/api/batches/${state.selected}/events?type=file_error&page=${state.errorsPage}&pageSize=20`);
    state.errorsTotal = page.total;
    $("errors").tBodies[0].replaceChildren(...page.items.map((ev) => {
      const error = errorOf(ev.payload);
      return el("tr", {}, el("td", {}, when(ev.at)), el("td", {}, ev.stage), el("td", { title: ev.fileName || "" }, ev.fileName || ""), el("td", { title: error }, error));
    }));
  } catch (e) {
    state.errorsTotal = 0;
    $("errors").tBodies[0].replaceChildren();
  }
  $("errors-page").textContent = `page ${state.errorsPage} of ${Math.max(1, Math.ceil(state.errorsTotal / 20))} (${state.errorsTotal} errors)`;
}
$("errors-prev").addEventListener("click", () => { if (state.errorsPage > 1) { state.errorsPage--; loadErrors(); } });
$("errors-next").addEventListener("click", () => { if (state.errorsPage * 20 < state.errorsTotal) { state.errorsPage++; loadErrors(); } });

$("file-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (state.selected == null) return;
  const query = $("file-query").value.trim();
  try {
    const page = await api(`/api/batches/${state.selected}/files?search=${encodeURIComponent(query)}&pageSize=50`);
    $("file-results").replaceChildren(...page.items.map((f) =>
      el("li", { dataset: { file: f.name }, onclick: () => openTimeline(f.name) }, `${f.name}${f.machine ? " · " + f.machine : ""} · ${f.doneStages.length} model stages done`)));
    if (page.items.length === 0) $("file-results").replaceChildren(el("li", {}, "no file matches"));
    else if (page.total > page.items.length) $("file-results").append(el("li", { class: "muted" }, `${page.total - page.items.length} more: narrow the search`));
  } catch (err) {
    $("file-results").replaceChildren(el("li", {}, err.message));
  }
});

async function openTimeline(name) {
  const timeline = await api(`/api/batches/${state.selected}/timeline?file=${encodeURIComponent(name)}`);
  $("timeline-title").textContent = timeline.name;
  const rows = [];
  for (const s of timeline.stages) {
    const outcome = s.payload && s.status !== "done" ? errorOf(s.payload) || s.payload : s.payload;
    rows.push(el("tr", { class: "stage-row", dataset: { stage: s.stage } },
      el("td", {}, s.stage), el("td", { class: `status-${s.status}` }, s.status || ""), el("td", {}, s.attempts.length), el("td", {}, ""),
      el("td", {}, ""), el("td", {}, when(s.at)), el("td", {}, ""), el("td", { title: outcome || "" }, outcome || "")));
    for (const a of s.attempts) {
      rows.push(el("tr", { class: "attempt-row", dataset: { stage: s.stage, attempt: a.attempt } },
        el("td", {}, ""), el("td", { class: `status-${a.status}` }, a.status), el("td", {}, `#${a.attempt}`), el("td", {}, a.machine || ""),
        el("td", {}, a.durationMs), el("td", {}, when(a.at)), el("td", { title: a.request || "" }, a.request || ""),
        el("td", { title: a.response || a.error || "" }, a.response || a.error || "")));
    }
  }
  $("timeline").tBodies[0].replaceChildren(...rows);
}

// ---- sign-in ----
const ranks = { viewer: 1, operator: 2, admin: 3 };

function showSession(session) {
  $("sign-in").hidden = true;
  $("sign-out").hidden = session.open;
  $("session").textContent = session.open ? "open access" : `${session.name} (${session.role})`;
  // Actions the role cannot take are hidden; the API refuses them anyway.
  for (const node of document.querySelectorAll("[data-role]")) node.hidden = ranks[node.dataset.role] > ranks[session.role];
}

$("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const session = await api("/api/session", { method: "POST", body: JSON.stringify({ token: $("token").value }) });
    $("token").value = "";
    $("sign-in-message").textContent = "";
    showSession(session);
    start();
  } catch (err) {
    $("sign-in-message").textContent = err.message;
  }
});

$("sign-out").addEventListener("click", async () => {
  await api("/api/session", { method: "DELETE" }).catch(() => {});
  location.reload();
});

(async function signedIn() {
  try {
    showSession(await api("/api/session"));
    start();
  } catch (e) {
    $("connection").textContent = "signed out";
    $("sign-in-message").textContent = "sign in with an API token";
  }
})();

// ---- audit trail (admins) ----
async function loadAudit() {
  const page = await api("/api/audit?limit=50");
  $("audit").tBodies[0].replaceChildren(...page.items.map((r) =>
    el("tr", { dataset: { action: r.action, outcome: r.outcome } }, el("td", {}, when(r.at)), el("td", {}, r.tokenName || "—"), el("td", {}, r.role || ""),
      el("td", {}, r.action), el("td", {}, r.target), el("td", {}, r.outcome), el("td", {}, r.clientAddress || ""), el("td", {}, r.reason || ""))));
}

// ---- start ----
async function start() {
  try {
    const pipeline = await api("/api/pipeline");
    state.pipeline = pipeline.stages.map((stage) => stage.name);
    for (const stage of pipeline.stages) $("filter-stage").append(el("option", {}, stage.name));
  } catch (e) { /* filters still work without the list */ }
  connect();
  await loadBatches().catch(() => {});
  setInterval(sampleThroughput, 1000);
  setInterval(loadMachines, 2000);
  loadMachines();
  if (!$("audit-panel").hidden) {
    loadAudit().catch(() => {});
    setInterval(() => loadAudit().catch(() => {}), 5000);
  }
}
