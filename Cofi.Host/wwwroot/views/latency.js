// Call times per stage: p50 / p95 / p99 and a histogram, for every machine or one chosen.
"use strict";

async function loadLatency() {
  const batchId = state.selected;
  if (batchId == null) return;
  const machine = $("latency-machine").value;
  try {
    const report = await api(`/api/batches/${batchId}/latency` + (machine ? `?machine=${encodeURIComponent(machine)}` : ""));
    if (batchId !== state.selected) return;
    const select = $("latency-machine");
    select.replaceChildren(el("option", { value: "" }, "every machine"), ...report.machines.map((m) => el("option", { value: m }, m)));
    select.value = report.machines.includes(machine) ? machine : "";
    const ms = (v) => v < 10 ? v.toFixed(1) : v.toFixed(0);
    $("latency").tBodies[0].replaceChildren(...report.stages.map((s) => el("tr", { dataset: { stage: s.stage } },
      el("td", {}, s.stage), el("td", {}, s.calls), el("td", {}, ms(s.p50)), el("td", {}, ms(s.p95)), el("td", {}, ms(s.p99)), el("td", {}, ms(s.maxMs)))));
    const charts = $("latency-charts");
    if (charts.dataset.key !== `${batchId}/${machine}`) replaceCharts(charts);
    charts.dataset.key = `${batchId}/${machine}`;
    const holders = report.stages.map((s) => [...charts.children].find((c) => c.dataset.stage === s.stage) ||
      el("div", { class: "latency-chart", dataset: { stage: s.stage } }, el("h4", {}, s.stage), el("div")));
    replaceCharts(charts, ...holders);
    report.stages.forEach((s, i) => {
      const edges = s.bins.map((b) => b.upToMs);
      plot(holders[i].lastChild, `${s.stage}:${edges.join()}`, {
        width: 300, height: 120, legend: { show: false },
        scales: { x: { time: false } },
        series: [{}, { label: "calls", fill: "#5b8defcc", stroke: "#5b8def", paths: uPlot.paths.bars({ size: [0.9] }) }],
        axes: [{ values: (u, ticks) => ticks.map((t) => edges[t] == null ? "" : `≤${ms(edges[t])}`) }, { size: 45 }],
      }, [s.bins.map((_, j) => j), s.bins.map((b) => b.calls)]);
    });
  } catch (e) {
    if (batchId === state.selected) $("latency").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: 6 }, e.message)));
  }
}

$("latency-machine").addEventListener("change", loadLatency);
follow(loadLatency, 5000);
