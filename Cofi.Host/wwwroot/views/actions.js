// Operator actions, each confirmed with a reason the server records beside it, the way the cofi command line asks:
// the ones the server can answer with what they would affect (dryRun) ask it first.
"use strict";

function confirmAction(title, detail) {
  const dialog = $("confirm");
  $("confirm-title").textContent = title;
  $("confirm-detail").textContent = detail;
  $("confirm-reason").value = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? $("confirm-reason").value.trim() : null), { once: true });
    dialog.showModal();
  });
}

// Asks, then sends { reason, ...body } to path (POST unless method says otherwise); says how it went where the page
// shows messages. True once done.
async function confirmedPost(title, path, { detail, dryRun = false, body = {}, done, method = "POST" }) {
  const message = $("submit-message");
  try {
    if (dryRun) detail = (await api(path, { method, body: JSON.stringify({ ...body, dryRun: true }) })).affects;
    const reason = await confirmAction(title, detail);
    if (reason == null) return false;
    await api(path, { method, body: JSON.stringify(reason ? { ...body, reason } : body) });
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
  if (state.selected != null) batchAction(state.selected, "retry-failed", $("retry-quarantined").checked ? { includeQuarantined: true } : {});
});
