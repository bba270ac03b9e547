// Operator actions, each confirmed with a reason the server records beside it, the way the cofi command line asks:
// cancel and retry-failed first ask the server (dryRun) what they would affect.
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

async function batchAction(batchId, action) {
  const message = $("submit-message");
  try {
    let detail = action === "pause" ? `batch ${batchId}: its stages stop handing out work; the calls in flight finish` : `batch ${batchId}: its stages hand out work again`;
    if (action === "cancel" || action === "retry-failed") {
      const dry = await api(`/api/batches/${batchId}/${action}`, { method: "POST", body: JSON.stringify({ dryRun: true }) });
      detail = dry.affects;
    }
    const reason = await confirmAction(`${action} batch ${batchId}?`, detail);
    if (reason == null) return;
    await api(`/api/batches/${batchId}/${action}`, { method: "POST", body: JSON.stringify(reason ? { reason } : {}) });
    message.className = "message ok";
    message.textContent = `batch ${batchId}: ${action} done`;
    await loadBatches();
    if (batchId === state.selected) loadErrors();
  } catch (err) {
    message.className = "message";
    message.textContent = err.message;
  }
}

for (const action of ["pause", "resume", "cancel"]) {
  $(action).addEventListener("click", () => { if (state.selected != null) batchAction(state.selected, action); });
}
$("retry-failed").addEventListener("click", () => { if (state.selected != null) batchAction(state.selected, "retry-failed"); });
