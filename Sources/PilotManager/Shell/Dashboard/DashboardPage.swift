/// The dashboard page: one HTML document with its CSS and script inline, so the binary carries it
/// and the browser fetches nothing else (no CDN, no build step). The script reads `/v1/*` with the
/// session cookie, replays the recent journal, then follows `/v1/events` live.
///
/// Elements a test reads have ids: `count-<state>`, `count-total`, `agents-count`, `gantt` (its
/// bars are `rect.bar`), `gantt-bars`, `live`.
enum DashboardPage {
    static func refused(_ message: String) -> String {
        """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>SwiftPilot: login needed</title>
        <style>body{font-family:sans-serif;margin:48px;color:#222}</style></head>
        <body><h1 id="refused">401: login needed</h1><p>\(message)</p></body></html>
        """
    }

    static let html = #"""
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SwiftPilot dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--fg:#1d2330;--muted:#6b7280;--line:#e5e7eb;--busy:#0072B2;--free:#e8edf3;--bg:#f7f8fa}
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;align-items:center;gap:16px;padding:10px 18px;background:#1d2330;color:#fff}
header h1{font-size:16px;margin:0}header .sp{flex:1}#live{padding:2px 8px;border-radius:9px;background:#555;font-size:12px}
#live.on{background:#0a7d3b}#live.off{background:#b3261e}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px;padding:14px}
section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 12px;min-width:0}
section.wide{grid-column:1/-1}h2{font-size:13px;margin:0 0 8px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
table{border-collapse:collapse;width:100%}td,th{padding:2px 6px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
td:first-child,th:first-child{text-align:left}.muted{color:var(--muted)}
.counts{display:flex;gap:8px;flex-wrap:wrap}.count{padding:6px 10px;border-radius:5px;background:var(--bg);min-width:84px}
.count b{display:block;font-size:20px}.stack{display:flex;height:10px;border-radius:4px;overflow:hidden;margin-top:8px;background:var(--free)}
.agent{border:1px solid var(--line);border-radius:5px;padding:6px 8px;margin-bottom:8px}
.numa{display:inline-block;vertical-align:top;margin:4px 10px 2px 0;padding:3px 5px;border:1px dashed #c9d1dc;border-radius:4px}
.numa .lbl{font-size:11px;color:var(--muted)}.slots{display:flex;flex-wrap:wrap;gap:2px;max-width:340px}
.slot{width:12px;height:12px;border-radius:2px;background:var(--free)}.slot.busy{background:var(--busy)}
.slot.gpu{border-radius:6px}.slot.gpu.busy{background:#009E73}.slot.qpu.busy{background:#D55E00}
svg text{font:10px system-ui,sans-serif;fill:#333}
</style></head>
<body>
<header><h1>SwiftPilot</h1><span id="version" class="muted"></span><span class="sp"></span>
<span id="clock" class="muted"></span><span id="live">connecting</span></header>
<main>
<section class="wide"><h2>Workflows</h2><div id="workflows" class="muted">none yet</div></section>
<section><h2>Workloads</h2><div id="workloads" class="muted">none yet</div></section>
<section><h2>Tasks by state</h2><div class="counts" id="counts"></div><div class="stack" id="stack"></div>
<p class="muted">total <b id="count-total">0</b> · agents <b id="agents-count">0</b> · journal seq <span id="seq">0</span></p></section>
<section><h2>Throughput (tasks ended per second, last 10 min)</h2><div id="throughput"></div>
<p class="muted">last 30 s: <b id="throughput-now">0</b> tasks/s</p></section>
<section><h2>Pilots and agents (cores and GPUs by NUMA domain)</h2><div id="pilots"></div><div id="agents" class="muted">no agent</div></section>
<section><h2>QPU devices</h2><div id="devices" class="muted">no QPU device</div></section>
<section class="wide"><h2>Gantt: recent tasks per core, GPU and QPU slot (<span id="gantt-bars">0</span> bars)</h2><div id="gantt-box"><svg id="gantt" width="100%" height="40"></svg></div></section>
</main>
<script>
"use strict";
const $ = id => document.getElementById(id);
const STATES = ["new","ready","bound","running","done","failed","canceled"];
const COLOURS = {new:"#9ca3af",ready:"#E69F00",bound:"#56B4E9",running:"#0072B2",done:"#009E73",failed:"#D55E00",canceled:"#CC79A7"};
const PALETTE = ["#0072B2","#E69F00","#009E73","#CC79A7","#56B4E9","#D55E00","#F0E442","#332288","#88CCEE","#44AA99","#117733","#999933"];
const KINDS = ["task_submitted","task_bound","task_started","task_finished","task_failed","task_retried","task_canceled",
  "agent_registered","agent_reattached","agent_disconnected","agent_draining","agent_lost","pilot_state","pilot_drain",
  "lease_acquired","lease_released","device_chosen","workflow_state","stage_state","workload_state","cut_planned","alloc_decision","token_rotated"];
const GANTT_WINDOW = 300, MAX_BARS = 4000;
let lastSeq = 0, source = null;
const hosts = {};                 // agent id -> hostname
const open = new Map();           // task id -> {placement, stage, start}
const bars = [];                  // {task, rows, start, end, stage, outcome}
const ended = [];                 // end times (s) of tasks, for throughput
const leaseAt = new Map();        // task -> [device, at]
const latency = {};               // device -> [seconds held]
const stageColour = {};
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
const now = () => Date.now() / 1000;

async function api(path) {
  const r = await fetch(path, {credentials: "same-origin", cache: "no-store"});
  if (r.status === 401) { document.body.innerHTML = "<h1 id='refused'>401: the session expired; run pilot dashboard again</h1>"; throw new Error("401"); }
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function colourOf(stage) {
  if (!stage) return "#7f7f7f";
  if (!stageColour[stage]) stageColour[stage] = PALETTE[Object.keys(stageColour).length % PALETTE.length];
  return stageColour[stage];
}

function rowsOf(p) {
  const rows = [];
  for (const n of p.nodes || []) {
    for (const c of n.cores) rows.push(["c", n.agent, c]);
    for (const g of n.gpus) rows.push(["g", n.agent, g]);
  }
  if (p.qpu) for (const s of p.qpu.slots) rows.push(["q", p.qpu.device, s]);
  return rows;
}

// One journal record: keep what the views need. Summary numbers come from /v1/summary.
function apply(r) {
  if (r.seq <= lastSeq) return;
  lastSeq = r.seq;
  switch (r.kind) {
  case "agent_registered": case "agent_reattached":
    try { const d = JSON.parse(r.detail || "{}"); if (d.hostname) hosts[r.agent] = d.hostname; } catch (e) {}
    break;
  case "task_bound": {
    let p = null; try { p = JSON.parse(r.detail || "null"); } catch (e) {}
    open.set(r.task, {placement: p, stage: r.stage, start: null});
    break; }
  case "task_started": { const o = open.get(r.task); if (o) o.start = r.at; break; }
  case "task_finished": case "task_failed": case "task_canceled": case "task_retried": {
    if (r.kind !== "task_retried") ended.push(r.at);
    const o = open.get(r.task); open.delete(r.task);
    // The agent's times ride on the record that ends an attempt: quick tasks have no task_started.
    let t = {}; try { t = JSON.parse(r.detail || "{}") || {}; } catch (e) {}
    const start = t.started != null ? t.started : o && o.start;
    if (o && start != null && o.placement) {
      bars.push({task: r.task, rows: rowsOf(o.placement), start: start, end: t.ended != null ? t.ended : r.at, stage: o.stage,
                 outcome: r.kind === "task_retried" ? "retried" : r.kind.slice(5)});
      if (bars.length > MAX_BARS) bars.splice(0, bars.length - MAX_BARS);
    }
    break; }
  case "lease_acquired": leaseAt.set(r.task, [r.state, r.at]); break;
  case "lease_released": {
    const l = leaseAt.get(r.task); leaseAt.delete(r.task);
    if (l) { (latency[l[0]] = latency[l[0]] || []).push(r.at - l[1]); if (latency[l[0]].length > 500) latency[l[0]].shift(); }
    break; }
  }
  $("seq").textContent = lastSeq;
  schedule();
}

let refreshTimer = null, drawTimer = null;
function schedule() {
  if (!refreshTimer) refreshTimer = setTimeout(() => { refreshTimer = null; refresh(); }, 400);
  if (!drawTimer) drawTimer = setTimeout(() => { drawTimer = null; drawGantt(); drawThroughput(); drawDevices(); }, 250);
}

async function refresh() {
  try {
    const [sum, wfs, occ] = await Promise.all([api("/v1/summary"), api("/v1/workflows"), api("/v1/occupancy")]);
    drawCounts(sum); drawWorkflows(wfs.workflows || []); drawAgents(occ); lastOccupancy = occ; drawDevices();
    api("/v1/pilots").then(p => drawPilots(p.pilots || [])).catch(() => {});
  } catch (e) { console.log(e); }
}

function drawCounts(s) {
  $("version").textContent = "manager " + s.version;
  let total = 0; for (const k of STATES) total += s.counts[k] || 0;
  $("counts").innerHTML = STATES.map(k => `<div class="count"><span class="muted">${k}</span><b id="count-${k}">${s.counts[k] || 0}</b></div>`).join("");
  $("stack").innerHTML = STATES.filter(k => s.counts[k]).map(k => `<div title="${k}" style="background:${COLOURS[k]};width:${100 * s.counts[k] / total}%"></div>`).join("");
  $("count-total").textContent = total;
  $("agents-count").textContent = s.agents;
}

// Stages laid out by depth in the DAG (longest chain of needs), edges from each need.
function drawWorkflows(list) {
  if (!list.length) return;
  const recent = list.slice(-4).reverse();
  let html = "", wl = "<table><tr><th>workflow / stage</th><th>workload</th><th>motif</th><th>state</th><th>done</th><th>running</th><th>failed</th><th>total</th><th>rounds</th></tr>";
  for (const w of recent) {
    const depth = {}, byName = {};
    for (const s of w.stages) byName[s.name] = s;
    const d = n => depth[n] != null ? depth[n] : (depth[n] = Math.max(-1, ...((byName[n] || {}).needs || []).map(d)) + 1);
    w.stages.forEach(s => d(s.name));
    const cols = {}; for (const s of w.stages) (cols[depth[s.name]] = cols[depth[s.name]] || []).push(s.name);
    const pos = {}, BW = 170, BH = 48, GX = 50, GY = 12;
    let maxRows = 1;
    for (const [c, names] of Object.entries(cols)) { names.forEach((n, i) => pos[n] = [Number(c) * (BW + GX) + 4, i * (BH + GY) + 4]); maxRows = Math.max(maxRows, names.length); }
    const width = (Object.keys(cols).length) * (BW + GX), height = maxRows * (BH + GY) + 4;
    let svg = `<svg class="dag" width="${width}" height="${height}">`;
    for (const s of w.stages) for (const n of s.needs || []) if (pos[n]) {
      const [x1, y1] = pos[n], [x2, y2] = pos[s.name];
      svg += `<path d="M${x1 + BW},${y1 + BH / 2} C${x1 + BW + GX / 2},${y1 + BH / 2} ${x2 - GX / 2},${y2 + BH / 2} ${x2},${y2 + BH / 2}" fill="none" stroke="#9ca3af"/>`;
    }
    for (const s of w.stages) {
      const [x, y] = pos[s.name], c = s.counts || {}, done = c.done || 0, failed = (c.failed || 0) + (c.canceled || 0);
      const total = Math.max(s.total || 0, 1), st = s.state;
      const edge = st === "done" ? "#009E73" : st === "failed" ? "#D55E00" : st === "running" ? "#0072B2" : "#9ca3af";
      svg += `<g class="stage" data-stage="${esc(s.name)}"><rect x="${x}" y="${y}" width="${BW}" height="${BH}" rx="5" fill="#fff" stroke="${edge}" stroke-width="2"/>`
        + `<text x="${x + 6}" y="${y + 14}" font-weight="bold">${esc(s.name)}</text><text x="${x + 6}" y="${y + 27}">${esc(s.motif)} · ${esc(st)}</text>`
        + `<rect x="${x + 6}" y="${y + 34}" width="${BW - 12}" height="7" fill="#e8edf3"/>`
        + `<rect x="${x + 6}" y="${y + 34}" width="${(BW - 12) * done / total}" height="7" fill="#009E73"/>`
        + `<rect x="${x + 6 + (BW - 12) * done / total}" y="${y + 34}" width="${(BW - 12) * failed / total}" height="7" fill="#D55E00"/>`
        + `<text x="${x + BW - 6}" y="${y + 27}" text-anchor="end">${done}/${s.total || 0}</text></g>`;
      wl += `<tr><td>${esc(w.name)} / ${esc(s.name)}</td><td>${s.workload != null ? s.workload : "-"}</td><td>${esc(s.motif)}</td><td>${esc(st)}</td><td>${done}</td><td>${c.running || 0}</td><td>${failed}</td><td>${s.total || 0}</td><td>${s.rounds != null ? s.rounds : "-"}</td></tr>`;
    }
    html += `<div class="wf"><b>workflow ${w.id}: ${esc(w.name)}</b> <span class="muted">${esc(w.state)}</span><br>${svg}</svg></div>`;
  }
  $("workflows").innerHTML = html; $("workflows").classList.remove("muted");
  $("workloads").innerHTML = wl + "</table>"; $("workloads").classList.remove("muted");
}

function drawPilots(list) {
  if (!list.length) { $("pilots").innerHTML = ""; return; }
  $("pilots").innerHTML = "<table><tr><th>pilot</th><th>state</th><th>nodes</th><th>agents</th><th>cores free</th><th>running</th></tr>"
    + list.map(p => `<tr><td>${esc(p.id)}</td><td>${esc(p.state)}</td><td>${p.node_count}</td><td>${p.agents}</td><td>${p.free_cores}/${p.cores}</td><td>${p.running_tasks}</td></tr>`).join("") + "</table>";
}

const slotHTML = (cls, s, what) => `<span class="slot ${cls}${s.tasks.length ? " busy" : ""}" title="${what} ${s.id}${s.tasks.length ? ": task " + s.tasks.join(", ") : ": free"}"></span>`;
function drawAgents(occ) {
  if (!occ.agents.length) return;
  $("agents").classList.remove("muted");
  $("agents").innerHTML = occ.agents.map(a => {
    let busy = 0, cores = 0;
    const doms = a.domains.map(d => {
      cores += d.cores.length; busy += d.cores.filter(c => c.tasks.length).length;
      return `<div class="numa"><div class="lbl">NUMA ${d.id}</div><div class="slots">${d.cores.map(c => slotHTML("core", c, "core")).join("")}${d.gpus.map(g => slotHTML("gpu", g, "gpu")).join("")}</div></div>`;
    }).join("");
    const other = a.other_gpus.length ? `<div class="numa"><div class="lbl">GPUs</div><div class="slots">${a.other_gpus.map(g => slotHTML("gpu", g, "gpu")).join("")}</div></div>` : "";
    return `<div class="agent" data-agent="${a.id}"><b>agent ${a.id}</b> ${esc(a.hostname)} <span class="muted">${esc(a.pilot || "no pilot")} · ${esc(a.state)} · ${busy}/${cores} cores busy</span><br>${doms}${other}</div>`;
  }).join("");
}

let lastOccupancy = null;
function drawDevices() {
  const occ = lastOccupancy;
  if (!occ || !occ.devices.length) return;
  $("devices").classList.remove("muted");
  $("devices").innerHTML = "<table><tr><th>device</th><th>slots</th><th>leases</th><th>queued</th><th>held by</th><th>mean hold</th><th>p90 hold</th></tr>" + occ.devices.map(d => {
    const l = (latency[d.name] || []).slice().sort((a, b) => a - b);
    const mean = l.length ? l.reduce((a, b) => a + b, 0) / l.length : null, p90 = l.length ? l[Math.floor((l.length - 1) * 0.9)] : null;
    const ms = v => v == null ? "-" : (v * 1000).toFixed(1) + " ms";
    const slots = []; for (let i = 0; i < d.slots; i++) { const s = d.leases.find(x => x.id === i) || {id: i, tasks: []}; slots.push(slotHTML("qpu", s, "slot")); }
    return `<tr><td>${esc(d.name)}</td><td><div class="slots">${slots.join("")}</div></td><td>${d.used}/${d.slots}</td><td>${d.queued}</td><td>${d.leases.map(x => x.tasks.join(",")).join(" ") || "-"}</td><td>${ms(mean)}</td><td>${ms(p90)}</td></tr>`;
  }).join("") + `</table><p class='muted'>queued: ready tasks naming the device (${occ.any_device_queued} more ask for any device) · hold: lease acquired → released, from the journal</p>`;
}

function drawThroughput() {
  const t = now(), bin = 10, n = 60, counts = new Array(n).fill(0);
  while (ended.length && ended[0] < t - n * bin) ended.shift();
  for (const e of ended) { const i = Math.floor((e - (t - n * bin)) / bin); if (i >= 0 && i < n) counts[i]++; }
  const peak = Math.max(1, ...counts) / bin, W = 500, H = 110, bw = W / n;
  let svg = `<svg width="${W + 40}" height="${H + 18}"><text x="0" y="10">${peak.toFixed(1)}/s</text>`;
  counts.forEach((c, i) => { const h = H * (c / bin) / peak; if (c) svg += `<rect x="${36 + i * bw}" y="${H - h + 4}" width="${bw - 1}" height="${h}" fill="#0072B2"><title>${(c / bin).toFixed(1)} tasks/s</title></rect>`; });
  svg += `<text x="36" y="${H + 16}">-10 min</text><text x="${W + 36}" y="${H + 16}" text-anchor="end">now</text></svg>`;
  $("throughput").innerHTML = svg;
  $("throughput-now").textContent = (ended.filter(e => e > t - 30).length / 30).toFixed(1);
}

function drawGantt() {
  const t = now();
  const running = [];
  for (const [task, o] of open) if (o.start != null && o.placement) running.push({task, rows: rowsOf(o.placement), start: o.start, end: t, stage: o.stage, outcome: "running"});
  const shown = bars.filter(b => b.end >= t - GANTT_WINDOW).concat(running);
  const keys = new Map();
  for (const b of shown) for (const r of b.rows) keys.set(r.join(":"), r);
  const order = {c: 0, g: 1, q: 2};
  const rows = [...keys.values()].sort((a, b) => order[a[0]] - order[b[0]] || String(a[1]).localeCompare(String(b[1]), undefined, {numeric: true}) || a[2] - b[2]);
  const index = new Map(rows.map((r, i) => [r.join(":"), i]));
  const box = $("gantt-box"), W = Math.max(600, box.clientWidth - 4), L = 150, rh = Math.max(3, Math.min(14, 420 / Math.max(rows.length, 1)));
  const start = shown.length ? Math.max(t - GANTT_WINDOW, Math.min(...shown.map(b => b.start))) : t - 60, span = Math.max(t - start, 1);
  const x = v => L + (Math.max(v, start) - start) / span * (W - L - 10);
  const H = rows.length * rh + 24;
  let s = "";
  rows.forEach((r, i) => {
    const label = r[0] === "q" ? `${r[1]} slot ${r[2]}` : `${hosts[r[1]] || "agent " + r[1]} ${r[0] === "c" ? "core" : "gpu"} ${r[2]}`;
    if (i % 2) s += `<rect x="${L}" y="${i * rh}" width="${W - L - 10}" height="${rh}" fill="#f3f4f6"/>`;
    if (rh >= 8) s += `<text x="${L - 4}" y="${i * rh + rh - 3}" text-anchor="end">${esc(label)}</text>`;
  });
  let n = 0;
  for (const b of shown) for (const r of b.rows) {
    const i = index.get(r.join(":")); n++;
    s += `<rect class="bar ${b.outcome}" data-task="${b.task}" x="${x(b.start).toFixed(1)}" y="${i * rh + 0.5}" width="${Math.max(0.8, x(b.end) - x(b.start)).toFixed(1)}" height="${Math.max(1, rh - 1)}" fill="${colourOf(b.stage)}"${b.outcome === "running" ? ' fill-opacity="0.55"' : ""}><title>task ${b.task}${b.stage ? " · " + esc(b.stage) : ""} · ${b.outcome} · ${(b.end - b.start).toFixed(2)} s</title></rect>`;
  }
  const yAxis = rows.length * rh + 14;
  s += `<text x="${L}" y="${yAxis}">-${Math.round(span)} s</text><text x="${W - 10}" y="${yAxis}" text-anchor="end">now</text>`;
  // Legend: the stages shown, in the colours of their bars.
  const stages = [...new Set(shown.map(b => b.stage || ""))];
  let lx = L + 60;
  for (const st of stages) {
    s += `<rect x="${lx}" y="${yAxis - 8}" width="9" height="9" fill="${colourOf(st || null)}"/><text x="${lx + 12}" y="${yAxis}">${esc(st || "no stage")}</text>`;
    lx += 24 + 6 * (st || "no stage").length;
  }
  const g = $("gantt"); g.setAttribute("height", H); g.setAttribute("width", W); g.innerHTML = s;
  $("gantt-bars").textContent = n;
}

function connect() {
  if (source) source.close();
  source = new EventSource("/v1/events?follow=true&since=" + lastSeq);
  source.onopen = () => { $("live").textContent = "live"; $("live").className = "on"; };
  source.onerror = () => { $("live").textContent = "reconnecting"; $("live").className = "off"; };
  for (const k of KINDS) source.addEventListener(k, ev => { try { apply(JSON.parse(ev.data)); } catch (e) { console.log(e); } });
  // Too far behind: the server ended our stream; resume from where it says.
  source.addEventListener("cut_off", ev => { try { lastSeq = Math.max(lastSeq, JSON.parse(ev.data).resume_after); } catch (e) {} connect(); });
}

async function start() {
  try {
    const head = await api("/v1/events?limit=1");
    // Replay the recent journal so the Gantt, throughput and latencies start filled.
    let since = Math.max(0, head.last_seq - 20000);
    while (true) {
      const page = await api("/v1/events?since=" + since + "&limit=5000");
      for (const r of page.events) apply(r);
      if (page.events.length < 5000) break;
      since = page.events[page.events.length - 1].seq;
    }
    lastSeq = Math.max(lastSeq, since);
    await refresh(); drawGantt(); drawThroughput();
    connect();
    setInterval(() => { $("clock").textContent = new Date().toLocaleTimeString(); drawGantt(); drawThroughput(); }, 1000);
    setInterval(refresh, 3000);
  } catch (e) { console.log(e); }
}
start();
</script>
</body></html>
"""#
}
