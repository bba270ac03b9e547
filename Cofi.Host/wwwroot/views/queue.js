// The queue: running, paused and waiting batches, highest priority first, with their controls.
"use strict";

function renderQueue() {
  const open = [...state.batches.values()].filter((b) => ["queued", "running", "paused"].includes(b.status))
    .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0) || a.batchId - b.batchId);
  const button = (batch, action) => el("button", { type: "button", dataset: { action, role: "operator" }, onclick: (e) => { e.stopPropagation(); batchAction(batch.batchId, action); } }, action);
  const rows = open.map((b) => el("tr", { dataset: { batch: b.batchId, status: b.status }, onclick: () => select(b.batchId) },
    el("td", {}, b.batchId), el("td", { title: b.input }, b.name ?? b.input), el("td", {}, b.status), el("td", {}, b.priority ?? 0), el("td", {}, when(b.submittedAt)),
    el("td", { class: "actions" }, ...(b.status === "paused" ? [button(b, "resume")] : [button(b, "pause")]), button(b, "cancel"),
      el("button", { type: "button", dataset: { action: "priority", role: "operator" }, onclick: (e) => { e.stopPropagation(); priorityAction(b); } }, "priority…"))));
  $("queue").tBodies[0].replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "muted" }, "no batch is running or waiting"))]));
}

let queuePending = false;
document.addEventListener("cofi:frame", (e) => {
  if (!e.detail.batches.length || queuePending) return;
  queuePending = true;
  requestAnimationFrame(() => { queuePending = false; renderQueue(); });
});
document.addEventListener("cofi:select", renderQueue);
renderQueue();
