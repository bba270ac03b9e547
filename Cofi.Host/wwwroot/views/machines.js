// The GPU machines as the coordinator knows them now, with the actions cofi has for them: drain a GPU node (it
// finishes its calls and leaves the cluster), remove or add a machine that is only an HTTP endpoint.
"use strict";

async function loadMachines() {
  try {
    const machines = await api("/api/machines");
    $("machines").tBodies[0].replaceChildren(...machines.map((m) => el("tr", { dataset: { machine: m.name, node: m.node } },
      el("td", {}, m.name), el("td", {}, m.node), el("td", {}, `${m.slotsBusy} / ${m.slots}`), el("td", {}, m.filesPerMinute.toFixed(0)),
      el("td", {}, m.filesDone), el("td", {}, m.errors), el("td", { class: m.breaker === "Open" ? "status-failed" : "" }, m.breaker),
      el("td", { class: "actions" }, m.node === "coordinator"
        ? el("button", { type: "button", dataset: { action: "remove", role: "operator" }, onclick: () => machineAction(`remove GPU machine ${m.name}?`, `/api/machines/${encodeURIComponent(m.name)}/remove`, { dryRun: true, done: `GPU machine ${m.name} removed` }) }, "remove")
        : el("button", { type: "button", dataset: { action: "drain", role: "operator" }, onclick: () => machineAction(`drain GPU node ${m.node}?`, `/api/gpu-nodes/${encodeURIComponent(m.node)}/drain`, { detail: `GPU node ${m.node} takes no new work, finishes its calls in flight and leaves the cluster`, done: `GPU node ${m.node} drains` }) }, "drain node")))));
    const f = await api("/api/progress/figures");
    $("figures").textContent = `events in ${f.eventsIn} · frames out ${f.framesOut} · coalesced ${f.eventsCoalesced} · dropped ${f.framesDropped} · viewers ${f.subscribers}`;
  } catch (e) { /* shown again on the next tick */ }
}

async function machineAction(title, path, options) {
  if (await confirmedPost(title, path, options)) loadMachines();
}

$("add-machine").addEventListener("submit", (e) => {
  e.preventDefault();
  const host = $("machine-host").value.trim();
  machineAction(`add GPU machine ${host}?`, "/api/machines", { detail: `running batches send work to the model service at ${host}`, body: { host }, done: `GPU machine ${host} added` });
});

document.addEventListener("cofi:frame", (e) => {
  if (e.detail.type === "batch" && e.detail.batchId === state.selected) loadMachines();
});
setInterval(loadMachines, 2000);
loadMachines();
