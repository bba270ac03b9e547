// A file's timeline as a Gantt: one lane per stage, one bar per attempt from its start to its end.
"use strict";

function renderGantt(timeline) {
  const attempts = timeline.stages.flatMap((s) => s.attempts.map((a) => ({ stage: s.stage, ...a, end: Date.parse(a.at), start: Date.parse(a.at) - (a.durationMs || 0) })));
  const gantt = $("gantt");
  if (attempts.length === 0) { gantt.replaceChildren(); return; }
  const from = Math.min(...attempts.map((a) => a.start)), to = Math.max(...attempts.map((a) => a.end));
  const span = Math.max(1, to - from);
  const lanes = timeline.stages.map((s) => el("div", { class: "lane", dataset: { stage: s.stage } },
    el("span", { class: "lane-name" }, s.stage),
    el("div", { class: "lane-track" }, ...attempts.filter((a) => a.stage === s.stage).map((a) => el("span", {
      class: `attempt status-bar-${a.status}`,
      dataset: { attempt: a.attempt },
      style: `left:${(100 * (a.start - from) / span).toFixed(2)}%;width:${Math.max(0.4, 100 * (a.end - a.start) / span).toFixed(2)}%`,
      title: `${s.stage} #${a.attempt} · ${a.status} · ${a.machine || ""} · ${a.durationMs} ms` + (a.error ? ` · ${a.error}` : ""),
    })))));
  gantt.replaceChildren(...lanes, el("p", { class: "muted" }, `${new Date(from).toLocaleTimeString()} → ${new Date(to).toLocaleTimeString()} (${span} ms)`));
}

document.addEventListener("cofi:timeline", (e) => renderGantt(e.detail));
