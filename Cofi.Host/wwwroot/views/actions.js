// Operator actions, each confirmed with a reason the server records beside it, the way the cofi command line asks:
// the ones the server can answer with what they would affect (dryRun) ask it first.
"use strict";

// fields: inputs the action needs besides its reason ({ name, label, type, value, min, max, step }); answered with
// { reason, values } once confirmed, null when not.
function confirmAction(title, detail, fields = []) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-detail").textContent = detail;
  $("confirm-reason").value = "";
  $("confirm-fields").replaceChildren(...fields.map((f) => {
    const input = el("input", { id: `confirm-field-${f.name}`, type: f.type ?? "text", "aria-label": f.label });
    for (const k of ["min", "max", "step"]) if (f[k] != null) input.setAttribute(k, f[k]);
    input.value = f.value ?? "";
    return el("label", {}, f.label, " ", input);
  }));
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      const values = Object.fromEntries(fields.map((f) => [f.name, $(`confirm-field-${f.name}`).value.trim()]));
      resolve({ reason: $("confirm-reason").value.trim(), values });
    }, { once: true });
    dialog.showModal();
  });
}

// Asks, then sends { reason, ...body, ...bodyFrom(the fields' values) } to path (POST unless method says otherwise);
// says how it went where the page shows messages. True once done.
async function confirmedPost(title, path, { detail, dryRun = false, body = {}, done, method = "POST", fields = [], bodyFrom = () => ({}) }) {
  const message = $("submit-message");
  try {
    if (dryRun) detail = (await api(path, { method, body: JSON.stringify({ ...body, dryRun: true }) })).affects;
    const answer = await confirmAction(title, detail, fields);
    if (answer == null) return false;
    const sent = { ...body, ...bodyFrom(answer.values) };
    await api(path, { method, body: JSON.stringify(answer.reason ? { ...sent, reason: answer.reason } : sent) });
    message.className = "message ok";
    message.textContent = done;
    return true;
  } catch (err) {
    message.className = "message";
    message.textContent = err.message;
    return false;
  }
}

const batchActionDetails = {
  pause: (id) => `batch ${id}: its stages stop handing out work; the calls in flight finish`,
  resume: (id) => `batch ${id}: its stages hand out work again`,
};

async function batchAction(batchId, action, body = {}) {
  const details = batchActionDetails[action];
  const done = await confirmedPost(`${action} batch ${batchId}?`, `/api/batches/${batchId}/${action}`,
    { detail: details && details(batchId), dryRun: !details, body, done: `batch ${batchId}: ${action} done` });
  if (!done) return;
  await loadBatches();
  if (batchId === state.selected) loadErrors();
}

for (const action of ["pause", "resume", "cancel"]) {
  $(action).addEventListener("click", () => { if (state.selected != null) batchAction(state.selected, action); });
}
// Purge (admins, ended batches): the server's dry run says what would be deleted for good.
$("purge").addEventListener("click", async () => {
  const batchId = state.selected;
  if (batchId == null) return;
  const done = await confirmedPost(`purge batch ${batchId}?`, `/api/batches/${batchId}`, { method: "DELETE", dryRun: true, done: `batch ${batchId} purged` });
  if (done) forget(batchId);
});
// Quarantined files (their calls hung on several machines) stay failed unless the operator includes them, as with cofi.
$("retry-failed").addEventListener("click", () => {
  if (state.selected == null) return;
  const body = {};
  if ($("retry-stage").value) body.stage = $("retry-stage").value;
  if ($("retry-quarantined").checked) body.includeQuarantined = true;
  batchAction(state.selected, "retry-failed", body);
});

// A batch's priority, and its weight among batches of equal priority, as cofi batch priority sets them.
async function priorityAction(batch) {
  const done = await confirmedPost(`priority of batch ${batch.batchId}?`, `/api/batches/${batch.batchId}/priority`, {
    detail: `batch ${batch.batchId}: waiting batches start by priority, running ones take free machine slots by it (calls in flight are never stopped)`,
    fields: [
      { name: "priority", label: "priority (-100 to 100)", type: "number", min: -100, max: 100, step: 1, value: batch.priority ?? 0 },
      { name: "weight", label: "weight (0.1 to 100)", type: "number", min: 0.1, max: 100, step: 0.1, value: batch.weight ?? 1 },
    ],
    bodyFrom: (v) => ({ ...(v.priority !== "" ? { priority: Number(v.priority) } : {}), ...(v.weight !== "" ? { weight: Number(v.weight) } : {}) }),
    done: `batch ${batch.batchId}: priority set`,
  });
  if (done) await loadBatches();
}

// Retention (admins): every batch that ended longer ago than the age goes whole, after the server's dry run says what.
$("prune-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const olderThan = $("prune-age").value.trim();
  const done = await confirmedPost(`prune batches that ended over ${olderThan} ago?`, "/api/prune", { dryRun: true, body: { olderThan }, done: `batches that ended over ${olderThan} ago pruned` });
  if (done) await loadBatches();
});
