// Charts drawn by uPlot (vendor/, installed from npm by the build): one chart per container, rebuilt only when its
// series change, otherwise given the new data.
"use strict";

const palette = ["#5b8def", "#2e9d5b", "#c7a33a", "#c0392b", "#8e44ad", "#16a085", "#d35400", "#7f8c8d", "#2c3e50"];

function plot(container, key, options, data) {
  if (container.cofiPlot && container.cofiPlotKey === key) {
    container.cofiPlot.setData(data);
    return container.cofiPlot;
  }
  if (container.cofiPlot) container.cofiPlot.destroy();
  container.replaceChildren();
  const chart = new uPlot({ width: Math.max(280, container.clientWidth - 8), ...options }, data, container);
  container.cofiPlot = chart;
  container.cofiPlotKey = key;
  return chart;
}

// Puts children in parent in place of what it held, destroying the charts of the children that leave: uPlot keeps every
// chart it drew (a set of its own, a window listener) until destroy(), so a chart only taken out of the page stays in
// memory with its canvas and legend, a whole view's worth at each change of batch or machine.
function replaceCharts(parent, ...children) {
  for (const leaving of [...parent.children].filter((c) => !children.includes(c))) {
    for (const area of [leaving, ...leaving.querySelectorAll("div")]) {
      if (area.cofiPlot) { area.cofiPlot.destroy(); area.cofiPlot = null; }
    }
  }
  parent.replaceChildren(...children);
}

// Unix seconds of each bucket of a history answer, the x values of its charts.
function bucketTimes(history, count) {
  const start = Date.parse(history.start) / 1000;
  return Array.from({ length: count }, (_, i) => start + i * history.bucketSeconds);
}

function running(batchId) {
  const batch = state.batches.get(batchId);
  return batch != null && ["queued", "running", "paused"].includes(batch.status);
}

// Calls load() for the selected batch now and whenever it changes, and every `ms` while that batch runs.
function follow(load, ms) {
  document.addEventListener("cofi:select", () => load());
  document.addEventListener("cofi:frame", (e) => {
    if (e.detail.type === "batch" && e.detail.batchId === state.selected) load();
  });
  setInterval(() => { if (running(state.selected)) load(); }, ms);
  if (state.selected != null) load();
}
