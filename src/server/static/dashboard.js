// The dashboard page: polls the JSON API once a second and renders it; uPlot draws the throughput chart.
'use strict';
const POLL_MS = 1000;
const LAYER_FIELDS = ['items', 'bytes', 'dimension', 'snr_predicted', 'snr_measured', 'ber', 'spill_shards', 'evicted', 'ecc_repairs', 'ecc_failures'];

async function getJson(url) {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** How a number is shown: integers as they are, fractions to 3 decimals, null as a dash. */
function fmt(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return '∞';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function fieldList(entries) {
  const dl = el('dl');
  for (const [name, value] of entries) dl.append(el('dt', {}, name), el('dd', { 'data-field': name, 'data-value': JSON.stringify(value ?? null) }, fmt(value)));
  return dl;
}

function renderLayers(layers) {
  const root = document.getElementById('layers');
  root.replaceChildren(...layers.map((l) => {
    const used = Number.isFinite(l.capacity_used) ? l.capacity_used : 1;
    const bar = el('div', { class: used > 1 ? 'bar over' : 'bar', title: `capacity_used ${fmt(l.capacity_used)}` }, el('div', { style: `width:${Math.min(100, used * 100).toFixed(1)}%` }));
    const panel = el('div', { class: 'panel', 'data-layer': l.name },
      el('h2', {}, l.name),
      el('div', {}, 'capacity used ', el('span', { 'data-field': 'capacity_used', 'data-value': JSON.stringify(Number.isFinite(l.capacity_used) ? l.capacity_used : null) }, fmt(l.capacity_used))),
      bar,
      fieldList(LAYER_FIELDS.map((k) => [k, l[k]])));
    return panel;
  }));
}

function renderPool(pool) {
  document.getElementById('pool').replaceChildren(
    el('div', {}, 'utilization ', el('span', { 'data-field': 'utilization', 'data-value': JSON.stringify(pool.utilization) }, `${(pool.utilization * 100).toFixed(1)}%`)),
    el('div', { class: 'bar' }, el('div', { style: `width:${Math.min(100, pool.utilization * 100).toFixed(1)}%` })),
    fieldList([['threads', pool.threads], ['queue size', pool.queueSize], ['completed', pool.completed],
      ['run p50 ms', pool.runTime.p50], ['run p99 ms', pool.runTime.p99], ['wait p50 ms', pool.waitTime.p50], ['wait p99 ms', pool.waitTime.p99]]),
    pool.started ? '' : el('div', { class: 'muted' }, 'workers start with the first ingest'));
}

function renderQueue(q) {
  const root = document.getElementById('queue');
  if (!q.configured) return root.replaceChildren(el('div', { class: 'muted', 'data-testid': 'no-queue' }, q.message));
  const failures = q.failed.length === 0 ? el('div', { class: 'muted' }, 'no failed jobs')
    : el('ul', { class: 'failures' }, ...q.failed.map((f) => el('li', { 'data-job': f.job }, `${f.job}: ${f.reason} (${f.attempts} attempts)`)));
  root.replaceChildren(fieldList([...['waiting', 'active', 'completed', 'failed'].map((s) => [s, q.counts[s] ?? 0]), ['per minute', q.throughputPerMinute]]),
    el('h3', {}, 'latest failures'), failures);
}

let chart;
function renderThroughput({ bucketMs, samples }) {
  const xs = samples.map((s) => s.t / 1000);
  const docs = samples.map((s) => s.documents / (bucketMs / 1000));
  const mib = samples.map((s) => s.bytes / (bucketMs / 1000) / 1048576);
  const box = document.getElementById('throughput-chart');
  if (!chart) {
    chart = new uPlot({
      width: Math.max(300, box.clientWidth), height: 200,
      series: [{}, { label: 'documents/s', stroke: '#3a7bd5', width: 2 }, { label: 'MiB/s', stroke: '#2c9f6b', width: 2, scale: 'mib' }],
      axes: [{}, { label: 'docs/s' }, { side: 1, scale: 'mib', label: 'MiB/s', grid: { show: false } }],
    }, [xs, docs, mib], box);
  } else chart.setData([xs, docs, mib]);
}

async function refresh() {
  try {
    const [stats, queue, pool, throughput] = await Promise.all(['/api/stats', '/api/queue', '/api/pool', '/api/throughput'].map(getJson));
    document.getElementById('store-summary').replaceChildren(
      ...[['documents', stats.documents], ['structures', stats.structures], ['documentBytes', stats.documentBytes], ['pending_binds', stats.holo.pending_binds]]
        .map(([k, v]) => el('span', {}, `${k} `, el('b', { 'data-field': k, 'data-value': JSON.stringify(v) }, fmt(v)), '  ')));
    renderLayers(stats.layers);
    renderPool(pool);
    renderQueue(queue);
    renderThroughput(throughput);
    document.getElementById('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    document.getElementById('updated').textContent = `refresh failed: ${err.message}`;
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}
refresh();
