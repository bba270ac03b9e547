// The fleet over time: per GPU machine, its slots busy per stage as stacked bands, breaker changes marked
// (opening red, closing green); the latest 100 breaker changes listed below them.
"use strict";

// Draws the breaker changes the chart's area holds now, so a refresh that only sets new data shows new marks too.
function breakerMarks(area) {
  return (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.lineWidth = 3;
    for (const mark of area.cofiMarks.filter((m) => m.state !== "HalfOpen")) {
      const x = u.valToPos(Date.parse(mark.at) / 1000, "x", true);
      ctx.strokeStyle = mark.state === "Open" ? "#c0392b" : "#2e9d5b";
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

function machineHolder(charts, name) {
  let holder = [...charts.children].find((c) => c.dataset.machine === name);
  if (!holder) holder = el("div", { class: "machine-chart", dataset: { machine: name } }, el("h4"), el("div"));
  return holder;
}

function drawMachine(holder, history, machine, stages) {
  // Every series of the answer spans the batch's whole axis, files per minute too, even for a machine never busy.
  const count = machine.filesPerMinute.length;
  const xs = bucketTimes(history, count);
  // Slots busy per stage, stacked: each band is its cumulative top filled down to zero, drawn widest first.
  const cumulative = [];
  let below = xs.map(() => 0);
  for (const stage of stages) {
    const slots = history.slotsByStage[stage] || 1;
    below = xs.map((_, i) => below[i] + (machine.utilization[stage]?.[i] ?? 0) * slots);
    cumulative.push(below);
  }
  const order = stages.map((s, i) => i).reverse();
  const total = stages.reduce((sum, s) => sum + (history.slotsByStage[s] || 0), 0);
  const marks = history.circuits.filter((c) => c.machine === machine.machine);
  holder.firstChild.textContent = `${machine.machine} · ${machine.done} calls done · ${machine.errorsTotal} errors` + (marks.some((c) => c.state === "Open") ? " · breaker opened" : "");
  const area = holder.lastChild;
  area.cofiMarks = marks;
  plot(area, stages.join(), {
    height: 130,
    scales: { y: { range: [0, Math.max(1, total)] } },
    series: [{}, ...order.map((i) => ({ label: stages[i], stroke: palette[(i + 1) % palette.length], fill: palette[(i + 1) % palette.length] + "aa", width: 1 }))],
    axes: [{}, { label: "slots", size: 50 }],
    hooks: { draw: [breakerMarks(area)] },
  }, [xs, ...order.map((i) => cumulative[i])]);
}

async function loadFleet() {
  const batchId = state.selected;
  if (batchId == null) return;
  const charts = $("fleet-charts");
  try {
    const history = await api(`/api/batches/${batchId}/fleet`);
    if (batchId !== state.selected) return;
    const stages = Object.keys(history.slotsByStage);
    if (charts.dataset.batch !== String(batchId)) replaceCharts(charts);
    charts.dataset.batch = batchId;
    const holders = history.machines.map((m) => machineHolder(charts, m.machine));
    replaceCharts(charts, ...holders);
    history.machines.forEach((m, i) => drawMachine(holders[i], history, m, stages));
    if (history.machines.length === 0) replaceCharts(charts, el("p", { class: "muted" }, "no GPU machine has worked on this batch"));
    $("circuits").replaceChildren(...history.circuits.slice(-100).reverse().map((c) =>
      el("li", { class: c.state === "Open" ? "status-failed" : "" }, `${when(c.at)} · ${c.machine} · breaker ${c.state}`)));
    if (history.circuits.length === 0) $("circuits").replaceChildren(el("li", { class: "muted" }, "no breaker changed"));
  } catch (e) {
    if (batchId === state.selected) { charts.dataset.batch = ""; replaceCharts(charts, el("p", { class: "muted" }, e.message)); }
  }
}

follow(loadFleet, 3000);
