// Throughput and ETA as the server keeps them for the whole batch, so a reload or a late viewer sees all of it.
"use strict";

async function loadThroughput() {
  const batchId = state.selected;
  if (batchId == null) return;
  try {
    const history = await api(`/api/batches/${batchId}/throughput`);
    if (batchId !== state.selected) return;
    state.throughput = new Map(history.stages.map((s) => [s.stage, s]));
    const count = Math.max(0, ...history.stages.map((s) => s.rates.length));
    const xs = bucketTimes(history, count);
    const chart = $("throughput-chart");
    plot(chart, history.stages.map((s) => s.stage).join(), {
      height: 220,
      series: [{}, ...history.stages.map((s, i) => ({ label: s.stage, stroke: palette[i % palette.length], width: 1.5, value: (u, v) => v == null ? "" : v.toFixed(1) }))],
      axes: [{}, { label: "files/s", size: 60 }],
    }, [xs, ...history.stages.map((s) => xs.map((_, i) => s.rates[i] ?? 0))]);
    chart.dataset.points = count;
    chart.dataset.bucketSeconds = history.bucketSeconds;
    const eta = history.batch;
    $("eta").textContent = eta.seconds === 0 ? "done" : `ETA ${duration(eta.seconds)} — ${eta.basis}` + (history.bucketSeconds > 1 ? ` · one point per ${history.bucketSeconds} s` : "");
    renderStages();
  } catch (e) {
    if (batchId === state.selected) $("eta").textContent = e.message;
  }
}

follow(loadThroughput, 2000);
