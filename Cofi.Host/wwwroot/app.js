// Cofi dashboard: live progress from /api/stream (Server-Sent Events), everything else from the REST API.
// Every name that comes from the data is rendered as text (textContent), never as HTML.
"use strict";

const state = {
  batches: new Map(),      // batchId -> summary
  stages: new Map(),       // batchId -> Map(stage -> counts)
  throughput: new Map(),   // stage -> the server's throughput and ETA of the selected batch (views/throughput.js)
  selected: null,
  eventsPage: 1, eventsTotal: 0, eventsBatch: null, // the page applies to this batch (kept when the address names it)
  errorsPage: 1, errorsTotal: 0,
  live: [],
  pipeline: [],            // stage names in pipeline order
};
const pageSize = 50;
const $ = (id) => document.getElementById(id);

// The stream has the newest word on a batch or a stage. A REST answer to a question asked before a frame about the
// same batch or stage arrived is older than that frame, so it does not overwrite it (a stage's counts would go back).
let framesSeen = 0;
const heardAt = new Map(); // "b7" or "s7/denoise" -> framesSeen when the stream last spoke of it
const streamSpokeSince = (key, asked) => (heardAt.get(key) ?? 0) > asked;

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
async function loadBatches(list = api("/api/batches"), asked = framesSeen) {
  for (const b of await list) if (!streamSpokeSince(`b${b.batchId}`, asked)) state.batches.set(b.batchId, b);
  renderBatches();
  if (state.selected == null && state.batches.size > 0) {
    const shared = Number(new URLSearchParams(location.hash.slice(1)).get("batch"));
    select(state.batches.has(shared) ? shared : Math.max(...state.batches.keys()));
  }
}

function renderBatches() {
  const rows = [...state.batches.values()].sort((a, b) => b.batchId - a.batchId).map((b) =>
    el("tr", { class: b.batchId === state.selected ? "selected" : "", dataset: { batch: b.batchId }, onclick: () => select(b.batchId) },
      el("td", {}, b.batchId), el("td", {}, b.status), el("td", { title: b.input }, b.input), el("td", {}, when(b.submittedAt))));
  $("batches").tBodies[0].replaceChildren(...rows);
  const current = state.batches.get(state.selected);
  $("batch-status").textContent = current ? current.status : "";
  $("batch-status").dataset.status = current ? current.status : "";
  // Only an ended batch can be purged (app.css keeps the button from anyone but admins).
  $("purge").hidden = !current || ["queued", "running", "paused"].includes(current.status);
}

// A purged batch leaves the page; when it was the one shown, the newest left is shown instead.
function forget(batchId) {
  state.batches.delete(batchId);
  state.stages.delete(batchId);
  if (state.selected === batchId) {
    state.selected = null;
    $("batch-title").textContent = "—";
    if (state.batches.size > 0) select(Math.max(...state.batches.keys()));
  }
  renderBatches();
  renderStages();
}

async function select(batchId) {
  state.selected = batchId;
  state.throughput = new Map();
  $("batch-title").textContent = String(batchId);
  renderBatches();
  try {
    const asked = framesSeen;
    const detail = await api(`/api/batches/${batchId}`);
    if (!streamSpokeSince(`b${batchId}`, asked)) state.batches.set(batchId, detail.batch);
    for (const c of detail.stages) if (!streamSpokeSince(`s${c.batchId}/${c.stage}`, asked)) mergeCounts(c);
  } catch (e) { /* the stream still delivers its progress */ }
  renderBatches();
  renderStages();
  if (state.eventsBatch !== batchId) state.eventsPage = 1;
  state.eventsBatch = batchId;
  state.errorsPage = 1;
  loadEvents(); loadErrors();
  document.dispatchEvent(new CustomEvent("cofi:select", { detail: batchId }));
}

$("submit-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const message = $("submit-message");
  try {
    const request = { input: $("submit-input").value };
    if ($("submit-name").value.trim()) request.name = $("submit-name").value.trim();
    if ($("submit-priority").value !== "") request.priority = Number($("submit-priority").value);
    const accepted = await api("/api/batches", { method: "POST", body: JSON.stringify(request) });
    message.className = "message ok";
    message.textContent = `batch ${accepted.batchId} ${accepted.resumed ? "resumed" : "submitted"}`;
    await loadBatches();
    select(accepted.batchId);
  } catch (err) {
    message.className = "message";
    message.textContent = err.message;
  }
});

// ---- stages ----
function mergeCounts(c) {
  if (!state.stages.has(c.batchId)) state.stages.set(c.batchId, new Map());
  state.stages.get(c.batchId).set(c.stage, c);
}

// A stage's total is known once the stage before it completed; until then every file the first stage registers
// reaches every stage, so its total serves once it has completed, and nothing does while files are being registered.
function totalOf(batchStages, c) {
  if (c.total != null) return c.total;
  const first = batchStages.get(state.pipeline[0]);
  return first && first.completed ? (first.total ?? first.done + first.failed + first.skipped) : null;
}

function duration(seconds) {
  if (seconds == null) return "—";
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
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
    const served = state.throughput.get(c.stage);
    const rate = served ? (c.completed ? served.averageRate : served.recentRate) : 0;
    const eta = c.completed ? "done" : served ? duration(served.eta.seconds) : "—";
    const bar = el("div", { class: "bar", title: `${settled} of ${total ?? "?"}` },
      el("span", { class: "done", style: `width:${pct(c.done)}` }), el("span", { class: "failed", style: `width:${pct(c.failed)}` }),
      el("span", { class: "skipped", style: `width:${pct(c.skipped)}` }), el("span", { class: "inflight", style: `width:${pct(c.inFlight)}` }));
    rows.push(el("tr", { dataset: { stage: c.stage, settled, total: total ?? "", completed: c.completed }, id: `stage-${c.stage}` },
      el("td", {}, c.stage), el("td", { class: "bar-cell" }, bar), el("td", {}, c.done), el("td", {}, c.failed), el("td", {}, c.skipped),
      el("td", {}, c.inFlight), el("td", { class: "total", title: total == null ? "not known until the files are all registered" : "" }, total ?? `≥ ${settled + c.inFlight}`),
      el("td", {}, rate.toFixed(1)), el("td", { class: "eta", title: served ? served.eta.basis : "" }, eta)));
  }
  $("stages").tBodies[0].replaceChildren(...rows);
}

// ---- live stream ----
function connect() {
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => { $("connection").textContent = "live"; $("connection").className = "pill live"; });
  source.addEventListener("error", () => { $("connection").textContent = "reconnecting…"; $("connection").className = "pill down"; });
  const onFrame = (e) => {
    const frame = JSON.parse(e.data);
    const seen = ++framesSeen;
    if (frame.type === "purged") {
      heardAt.set(`b${frame.batchId}`, seen);
      forget(frame.batchId);
      return;
    }
    for (const b of frame.batches) { state.batches.set(b.batchId, b); heardAt.set(`b${b.batchId}`, seen); }
    for (const c of frame.stages) { mergeCounts(c); heardAt.set(`s${c.batchId}/${c.stage}`, seen); }
    for (const f of frame.files) {
      state.live.unshift({ batchId: frame.batchId, stage: frame.stages[0]?.stage, ...f });
    }
    state.live.length = Math.min(state.live.length, 200);
    document.dispatchEvent(new CustomEvent("cofi:frame", { detail: frame }));
    if (frame.batches.length) {
      renderBatches();
      if (state.selected == null) select(frame.batches[0].batchId);
      else if (frame.batches.some((b) => b.batchId === state.selected && !["queued", "running", "paused"].includes(b.status))) { loadEvents(); loadErrors(); }
    }
    scheduleRender();
  };
  for (const type of ["snapshot", "stage", "batch", "purged"]) source.addEventListener(type, onFrame);
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

// ---- event log (newest first, its filters in the address), errors, file search (REST, paged) ----
function readAddress() {
  const shared = new URLSearchParams(location.hash.slice(1));
  $("filter-stage").value = shared.get("stage") || "";
  $("filter-type").value = shared.get("type") || "";
  $("filter-file").value = shared.get("file") || "";
  state.eventsPage = Math.max(1, Number(shared.get("page")) || 1);
  if (shared.has("batch")) state.eventsBatch = Number(shared.get("batch"));
}

function writeAddress() {
  const shared = new URLSearchParams({ batch: state.selected });
  for (const [key, id] of [["stage", "filter-stage"], ["type", "filter-type"], ["file", "filter-file"]]) if ($(id).value.trim()) shared.set(key, $(id).value.trim());
  if (state.eventsPage > 1) shared.set("page", state.eventsPage);
  history.replaceState(null, "", "#" + shared);
}

async function loadEvents() {
  if (state.selected == null) return;
  writeAddress();
  const q = new URLSearchParams({ page: state.eventsPage, pageSize, order: "newest" });
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
// While a batch runs, the first page (its newest rows) follows the log: reloaded at most every two seconds.
let eventsFollow = null;
document.addEventListener("cofi:frame", (e) => {
  if (e.detail.batchId !== state.selected || state.eventsPage !== 1 || eventsFollow) return;
  eventsFollow = setTimeout(() => { eventsFollow = null; loadEvents(); }, 2000);
});
$("events-prev").addEventListener("click", () => { if (state.eventsPage > 1) { state.eventsPage--; loadEvents(); } });
$("events-next").addEventListener("click", () => { if (state.eventsPage * pageSize < state.eventsTotal) { state.eventsPage++; loadEvents(); } });

function errorOf(payload) {
  try { return JSON.parse(payload).error ?? ""; } catch (e) { return payload ?? ""; }
}

async function loadErrors() {
  if (state.selected == null) return;
  try {
    const only = $("errors-quarantined").checked ? "&status=quarantined" : "";
    const page = await api(`/api/batches/${state.selected}/events?type=file_error${only}&page=${state.errorsPage}&pageSize=20`);
    state.errorsTotal = page.total;
    $("errors").tBodies[0].replaceChildren(...page.items.map((ev) => {
      const error = errorOf(ev.payload);
      return el("tr", { class: ev.status === "quarantined" ? "quarantined" : "" }, el("td", {}, when(ev.at)), el("td", {}, ev.stage),
        el("td", { title: ev.fileName || "" }, ev.fileName || ""), el("td", {}, ev.status || ""), el("td", { title: error }, error));
    }));
  } catch (e) {
    state.errorsTotal = 0;
    $("errors").tBodies[0].replaceChildren();
  }
  const what = $("errors-quarantined").checked ? "quarantined" : "errors";
  $("errors-page").textContent = `page ${state.errorsPage} of ${Math.max(1, Math.ceil(state.errorsTotal / 20))} (${state.errorsTotal} ${what})`;
}
$("errors-quarantined").addEventListener("change", () => { state.errorsPage = 1; loadErrors(); });
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
  document.dispatchEvent(new CustomEvent("cofi:timeline", { detail: timeline }));
}

// ---- sign-in ----
const ranks = { viewer: 1, operator: 2, admin: 3 };

function showSession(session) {
  $("sign-in").hidden = true;
  $("sign-out").hidden = session.open;
  $("session").textContent = session.open ? "open access" : `${session.name} (${session.role})`;
  // Actions the role cannot take are hidden (app.css hides those drawn later by the role on <body>); the API refuses them anyway.
  document.body.dataset.sessionRole = session.role;
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
  // The first paint waits for one round trip: the stages and the batches are asked for together.
  const batches = api("/api/batches");
  batches.catch(() => {});
  try {
    const pipeline = await api("/api/pipeline");
    state.pipeline = pipeline.stages.map((stage) => stage.name);
    for (const stage of pipeline.stages) $("filter-stage").append(el("option", {}, stage.name));
    // Files fail at distribution for good (unreadable input): retry-failed takes them from the stages after it.
    for (const stage of pipeline.stages.slice(1)) $("retry-stage").append(el("option", {}, stage.name));
  } catch (e) { /* filters still work without the list */ }
  readAddress();
  connect();
  await loadBatches(batches).catch(() => {});
  if (!$("audit-panel").hidden) {
    loadAudit().catch(() => {});
    setInterval(() => loadAudit().catch(() => {}), 5000);
  }
}
