// Stragglers: the selected batch's calls running longest right now, with machine, attempt and speculation state, and
// each stage's backup attempts and calls; asked of the server (at most stragglersLimit calls) every 2 s while it runs.
"use strict";

const stragglersLimit = 20;

async function loadStragglers() {
  const batchId = state.selected;
  if (batchId == null) return;
  try {
    const answer = await api(`/api/batches/${batchId}/stragglers?limit=${stragglersLimit}`);
    if (batchId !== state.selected) return;
    const rows = answer.calls.map((c) => el("tr", { dataset: { stage: c.stage, file: c.file, speculation: c.speculation } },
      el("td", {}, c.stage), el("td", { title: c.file }, c.file), el("td", {}, c.machine), el("td", {}, c.attempt),
      el("td", {}, `${(c.runningForMs / 1000).toFixed(1)} s`), el("td", { class: `speculation-${c.speculation}` }, c.speculation)));
    const none = el("tr", {}, el("td", { colspan: 6, class: "muted" }, running(batchId) ? "no call running" : "the batch is not running"));
    $("stragglers").tBodies[0].replaceChildren(...(rows.length ? rows : [none]));
    $("speculation").tBodies[0].replaceChildren(...answer.stages.map((s) => el("tr", { dataset: { stage: s.stage } },
      el("td", {}, s.stage), el("td", { class: "backups" }, s.backups), el("td", {}, s.calls))));
  } catch (e) {
    if (batchId === state.selected) $("stragglers").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: 6 }, e.message)));
  }
}

follow(loadStragglers, 2000);
