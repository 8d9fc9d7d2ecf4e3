// AstroPT stream dashboard: plain JS, no libraries, nothing fetched but this server's JSON.
// Polls /api/feed, /api/flagged, /api/map, /api/stats and /models; draws the map, curves and
// sparklines on canvases.
'use strict';

const $ = (id) => document.getElementById(id);
const POLL = { feed: 1500, flagged: 3000, stats: 2000, map: 5000, models: 8000 };
const MORPH_COLOURS = { ELLIPTICAL: '#ff8a5c', LENTICULAR: '#ffd166', SPIRAL: '#5ab0ff' };
const ART_COLOURS = ['#ff6b6b', '#c77dff', '#ffd166', '#4cc9f0', '#f72585', '#80ed99', '#ff9f1c', '#bdb2ff'];
// A perceptual ramp from dark violet through orange to pale yellow (magma-like) for surprise.
const RAMP = [[0.0, [40, 11, 84]], [0.25, [120, 28, 109]], [0.5, [187, 55, 84]], [0.75, [245, 125, 21]], [1.0, [252, 255, 164]]];

const state = { seenIds: new Set(), firstFeed: true, map: null, models: null, selectedVersion: null, surpriseRange: [0, 1] };

async function api(path, options) {
  const r = await fetch(path, options);
  const body = await r.json().catch(() => ({ error: r.status + ' ' + r.statusText }));
  if (!r.ok) throw new Error(body.error || (r.status + ' ' + r.statusText));
  return body;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function fmt(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (Math.abs(x) >= 1000) return x.toFixed(0);
  return Number(x).toPrecision(digits);
}

function fmtSeconds(s) {
  if (s === null || s === undefined) return '–';
  return s < 1 ? (s * 1000).toFixed(0) + ' ms' : s.toFixed(2) + ' s';
}

function rampColour(t) {
  t = Math.max(0, Math.min(1, t));
  for (let i = 1; i < RAMP.length; i++) {
    if (t <= RAMP[i][0]) {
      const [t0, c0] = RAMP[i - 1], [t1, c1] = RAMP[i];
      const f = (t - t0) / (t1 - t0);
      return 'rgb(' + c0.map((c, k) => Math.round(c + f * (c1[k] - c))).join(',') + ')';
    }
  }
  return 'rgb(252,255,164)';
}

function surpriseT(s) {
  const [lo, hi] = state.surpriseRange;
  return s === null || s === undefined ? 0 : (s - lo) / Math.max(1e-12, hi - lo);
}

function quantile(sorted, q) {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

function artefactKind(a) {
  if (a === null || a === undefined) return 'unknown';
  return a === '' ? 'none' : a.split(',')[0].trim().toLowerCase();
}

// ---------- cards (feed, flagged, neighbours) ----------

function card(o, opts = {}) {
  const c = el('div', 'card');
  c.dataset.id = o.id;
  const img = o.thumbnail ? el('img', 'thumb') : el('div', 'thumb missing', 'no image');
  if (o.thumbnail) { img.src = o.thumbnail; img.alt = o.id; img.loading = 'eager'; }
  c.appendChild(img);
  c.appendChild(el('div', 'id', o.id)).title = o.id;
  fillCard(c, o, opts);
  c.addEventListener('click', () => openDetail(o.id));
  return c;
}

function fillCard(c, o, opts) {
  c.querySelectorAll('.row, .bar, .reason').forEach((e) => e.remove());
  const row = el('div', 'row');
  const value = opts.similarity !== undefined
    ? Object.assign(el('span', 'num', opts.similarity.toFixed(3)), { title: 'cosine similarity' })
    : Object.assign(el('span', 'num', fmt(o.surprise)), { title: 'surprise: mean Huber error of the next-patch predictions' });
  row.appendChild(value);
  if (o.morphology) row.appendChild(el('span', 'tag', o.morphology.toLowerCase()));
  c.appendChild(row);
  const bar = el('div', 'bar');
  const fill = el('span');
  const t = surpriseT(o.surprise);
  fill.style.width = Math.round(100 * Math.max(0.04, Math.min(1, t))) + '%';
  fill.style.background = rampColour(t);
  bar.appendChild(fill);
  c.appendChild(bar);
  const flags = o.flags || [];
  const badges = el('div', 'row badges');
  flags.forEach((f) => badges.appendChild(el('span', 'badge', f.toLowerCase())));
  if (o.artefacts) {
    const kinds = o.artefacts.split(',').map((a) => a.trim().toLowerCase().replace(/_/g, ' '));
    badges.appendChild(Object.assign(el('span', 'badge art', kinds[0] + (kinds.length > 1 ? ' +' + (kinds.length - 1) : '')),
      { title: 'injected artefacts (truth): ' + kinds.join(', ') }));
  }
  if (badges.childNodes.length) c.appendChild(badges);
  if (opts.flag) {
    const f = opts.flag;
    c.appendChild(Object.assign(el('div', 'reason', fmt(f.score) + ' > ' + fmt(f.threshold) + (f.modelVersion ? ' · v' + f.modelVersion : '')),
      { title: f.kind.toLowerCase() + (f.artefactKind ? ' (' + f.artefactKind.replace(/_/g, ' ') + ')' : '') + ': ' + f.reason }));
  }
  c.classList.toggle('flagged', flags.length > 0);
}

// Keyed update: existing cards are kept (their images stay loaded), new ones flash.
function renderCards(container, objects, opts = {}) {
  const existing = new Map();
  container.querySelectorAll(':scope > .card').forEach((c) => existing.set(c.dataset.id, c));
  const keep = new Set();
  objects.forEach((o, i) => {
    let c = existing.get(o.id);
    const extra = opts.extra ? opts.extra(o) : {};
    if (!c) {
      c = card(o, extra);
      if (opts.markNew && !state.firstFeed && !state.seenIds.has(o.id)) c.classList.add('new');
    } else {
      fillCard(c, o, extra);
      const img = c.querySelector('img.thumb');
      if (!img && o.thumbnail) c.replaceChild(Object.assign(el('img', 'thumb'), { src: o.thumbnail, alt: o.id }), c.firstChild);
    }
    keep.add(o.id);
    if (container.children[i] !== c) container.insertBefore(c, container.children[i] || null);
  });
  existing.forEach((c, id) => { if (!keep.has(id)) c.remove(); });
}

async function pollFeed() {
  const feed = await api('/api/feed?limit=48');
  const objects = feed.objects;
  const values = objects.map((o) => o.surprise).filter((s) => s !== null && s !== undefined).sort((a, b) => a - b);
  if (values.length > 4 && !(state.map && state.map.points.length > 20)) state.surpriseRange = [quantile(values, 0.05), quantile(values, 0.95)];
  renderCards($('feed'), objects, { markNew: true });
  objects.forEach((o) => state.seenIds.add(o.id));
  state.firstFeed = false;
  $('feed-empty').hidden = objects.length > 0;
}

async function pollFlagged() {
  const [flagged, flags] = await Promise.all([api('/api/flagged?limit=18'), api('/flags?limit=200')]);
  const reason = new Map();
  flags.flags.forEach((f) => { if (!reason.has(f.id)) reason.set(f.id, f); });
  renderCards($('flagged'), flagged.objects, { extra: (o) => ({ flag: reason.get(o.id) }) });
  $('flagged-empty').hidden = flagged.objects.length > 0;
}

// ---------- stats and sparklines ----------

function sparkline(canvas, series, colour) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const vals = series.map((v) => (v === null || v === undefined ? null : v));
  const finite = vals.filter((v) => v !== null);
  if (!finite.length) return;
  const max = Math.max(...finite, 1e-9);
  ctx.beginPath();
  let started = false;
  vals.forEach((v, i) => {
    if (v === null) { started = false; return; }
    const x = (i / Math.max(1, vals.length - 1)) * (w - 2) + 1;
    const y = h - 2 - (v / max) * (h - 4);
    if (!started) { ctx.moveTo(x, y); started = true; } else ctx.lineTo(x, y);
  });
  ctx.strokeStyle = colour;
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

async function pollStats() {
  try {
    const s = await api('/api/stats');
    const p = s.pipeline;
    $('kpi-rate').textContent = p.embeddingsPerSecond.toFixed(1);
    $('kpi-cutouts').textContent = p.cutoutsPerSecond.toFixed(1);
    $('kpi-latency').textContent = fmtSeconds(p.latencyP50Seconds) + ' / ' + fmtSeconds(p.latencyP95Seconds);
    $('kpi-indexed').textContent = s.indexed.toLocaleString();
    $('kpi-flags').textContent = s.flagsSeen.toLocaleString();
    sparkline($('spark-rate'), p.embeddingsPerSecondSeries, '#7cc4ff');
    sparkline($('spark-latency'), p.latencySecondsSeries, '#ffb454');
    const status = $('status');
    status.className = 'status live';
    $('status-text').textContent = s.caughtUp ? 'live' : 'replaying topics';
    const model = s.modelName ? s.modelName + (s.promoted !== null ? ' v' + s.promoted + ' promoted' : ' (none promoted)') : 'no model yet';
    $('model-line').textContent = model + (s.currentModel ? ' · embeddings from ' + s.currentModel : '');
  } catch (e) {
    $('status').className = 'status down';
    $('status-text').textContent = 'server unreachable';
  }
}

// ---------- the embedding map ----------

function pointColour(p, mode) {
  if (mode === 'morphology') return MORPH_COLOURS[p.morphology] || '#6b7488';
  if (mode === 'artefacts') {
    const k = artefactKind(p.artefacts);
    if (k === 'none') return '#5a6b8c';
    if (k === 'unknown') return '#3a4256';
    return ART_COLOURS[Math.abs(hash(k)) % ART_COLOURS.length];
  }
  if (mode === 'artefact' || mode === 'novelty') {
    const v = p.scores ? p.scores[mode] : null;
    return v === null || v === undefined ? '#3a4256' : rampColour(v);
  }
  return rampColour(surpriseT(p.surprise));
}

function hash(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

// Screen position of a point. The view spans the 1st to 99th percentile of each axis (plus a margin), so
// a few extreme cutouts (saturated stars, empty blocks) do not squeeze the bulk into a corner; points
// beyond it are pinned to the border.
function mapGeometry(canvas, points) {
  const pad = 18;
  const range = (values) => {
    const v = [...values].sort((a, b) => a - b);
    let lo = quantile(v, 0.01), hi = quantile(v, 0.99);
    const margin = 0.06 * Math.max(1e-9, hi - lo);
    return [lo - margin, hi + margin];
  };
  const [minX, maxX] = range(points.map((p) => p.x)), [minY, maxY] = range(points.map((p) => p.y));
  const sx = (canvas.width - 2 * pad) / Math.max(1e-9, maxX - minX), sy = (canvas.height - 2 * pad) / Math.max(1e-9, maxY - minY);
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  return (p) => [clamp(pad + (p.x - minX) * sx, 4, canvas.width - 4), clamp(canvas.height - pad - (p.y - minY) * sy, 4, canvas.height - 4)];
}

function drawMap() {
  const canvas = $('map');
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const m = state.map;
  const points = m ? m.points : [];
  canvas.dataset.points = String(points.length);
  if (!points.length) {
    ctx.fillStyle = '#7f8ba6';
    ctx.font = '13px system-ui';
    ctx.fillText('No embeddings yet', 20, 30);
    return;
  }
  const mode = $('map-colour').value;
  const at = mapGeometry(canvas, points);
  // grid lines
  ctx.strokeStyle = 'rgba(36,48,73,0.6)';
  ctx.lineWidth = 1;
  for (let i = 1; i < 4; i++) {
    ctx.beginPath(); ctx.moveTo((canvas.width * i) / 4, 0); ctx.lineTo((canvas.width * i) / 4, canvas.height); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(0, (canvas.height * i) / 4); ctx.lineTo(canvas.width, (canvas.height * i) / 4); ctx.stroke();
  }
  const key = (p) => (mode === 'surprise' ? p.surprise : p.scores && p.scores[mode]) || 0;
  const ordered = ['surprise', 'artefact', 'novelty'].includes(mode) ? [...points].sort((a, b) => key(a) - key(b)) : points;
  ordered.forEach((p) => {
    const [x, y] = at(p);
    ctx.beginPath();
    ctx.arc(x, y, 3.2, 0, 2 * Math.PI);
    ctx.fillStyle = pointColour(p, mode);
    ctx.globalAlpha = 0.88;
    ctx.fill();
    ctx.globalAlpha = 1;
    if (p.flagged) { ctx.strokeStyle = '#ff6b6b'; ctx.lineWidth = 1.4; ctx.stroke(); }
  });
  ctx.fillStyle = '#7f8ba6';
  ctx.font = '11px system-ui';
  const ex = m.explained || [];
  ctx.fillText('PC1' + (ex.length ? ' (' + (100 * ex[0]).toFixed(0) + '%)' : '') + ' →', canvas.width - 90, canvas.height - 5);
  ctx.save(); ctx.translate(11, 70); ctx.rotate(-Math.PI / 2);
  ctx.fillText('PC2' + (ex.length ? ' (' + (100 * ex[1]).toFixed(0) + '%)' : '') + ' →', -40, 0);
  ctx.restore();
  drawLegend(mode, points);
}

function drawLegend(mode, points) {
  const legend = $('map-legend');
  legend.innerHTML = '';
  const item = (colour, label, n) => {
    const s = el('span');
    const sw = el('span', 'sw');
    sw.style.background = colour;
    s.appendChild(sw);
    s.appendChild(document.createTextNode(label + (n !== undefined ? ' (' + n + ')' : '')));
    legend.appendChild(s);
  };
  if (mode === 'artefact' || mode === 'novelty') {
    legend.appendChild(el('span', null, (mode === 'artefact' ? 'artefact probability' : 'novelty') + ' 0'));
    const ramp = el('span', 'ramp');
    ramp.style.background = 'linear-gradient(90deg,' + RAMP.map(([t]) => rampColour(t)).join(',') + ')';
    legend.appendChild(ramp);
    legend.appendChild(el('span', null, '1'));
    const missing = points.filter((p) => !p.scores || p.scores[mode] === null || p.scores[mode] === undefined).length;
    if (missing) item('#3a4256', 'no ' + mode + ' score (version without heads)', missing);
    item('transparent', 'ringed: flagged');
    legend.lastChild.firstChild.style.border = '1.5px solid #ff6b6b';
    return;
  }
  if (mode === 'surprise') {
    const [lo, hi] = state.surpriseRange;
    legend.appendChild(el('span', null, 'surprise ' + fmt(lo)));
    const ramp = el('span', 'ramp');
    ramp.style.background = 'linear-gradient(90deg,' + RAMP.map(([t]) => rampColour(t)).join(',') + ')';
    legend.appendChild(ramp);
    legend.appendChild(el('span', null, fmt(hi)));
    item('transparent', 'ringed: flagged');
    legend.lastChild.firstChild.style.border = '1.5px solid #ff6b6b';
    return;
  }
  const counts = new Map();
  points.forEach((p) => {
    const k = mode === 'morphology' ? (p.morphology || 'no truth') : artefactKind(p.artefacts);
    counts.set(k, (counts.get(k) || 0) + 1);
  });
  [...counts.entries()].sort((a, b) => b[1] - a[1]).forEach(([k, n]) => {
    const colour = mode === 'morphology' ? (MORPH_COLOURS[k] || '#6b7488') : pointColour({ artefacts: k === 'none' ? '' : k === 'unknown' ? null : k }, mode);
    item(colour, k.toLowerCase().replace(/_/g, ' '), n);
  });
}

async function pollMap() {
  state.map = await api('/api/map');
  const values = state.map.points.map((p) => p.surprise).filter((s) => s !== null && s !== undefined).sort((a, b) => a - b);
  if (values.length > 4) state.surpriseRange = [quantile(values, 0.02), quantile(values, 0.98)];
  $('map-caption').textContent = state.map.points.length
    ? 'PCA of the ' + state.map.points.length + ' newest embeddings of ' + state.map.version
      + ' (its embeddings cover ' + Math.round(100 * state.map.coverage) + '% of the objects), computed on the server'
    : 'PCA of the newest embeddings of the current model, computed on the server';
  drawMap();
}

function nearestPoint(evt) {
  const canvas = $('map');
  if (!state.map || !state.map.points.length) return null;
  const rect = canvas.getBoundingClientRect();
  const mx = ((evt.clientX - rect.left) * canvas.width) / rect.width, my = ((evt.clientY - rect.top) * canvas.height) / rect.height;
  const at = mapGeometry(canvas, state.map.points);
  let best = null, bestD = 64;
  state.map.points.forEach((p) => {
    const [x, y] = at(p);
    const d = (x - mx) ** 2 + (y - my) ** 2;
    if (d < bestD) { bestD = d; best = p; }
  });
  return best;
}

function setupMap() {
  const canvas = $('map'), tip = $('map-tip');
  canvas.addEventListener('mousemove', (evt) => {
    const p = nearestPoint(evt);
    if (!p) { tip.style.display = 'none'; return; }
    tip.innerHTML = '';
    const img = el('img');
    img.src = '/objects/' + encodeURIComponent(p.id) + '/image.png';
    img.onerror = () => img.remove();
    tip.appendChild(img);
    tip.appendChild(el('div', null, p.id));
    tip.appendChild(el('div', null, 'surprise ' + fmt(p.surprise) + (p.morphology ? ' · ' + p.morphology.toLowerCase() : '')));
    const sc = p.scores || {};
    if (sc.artefact !== undefined || sc.novelty !== undefined) {
      tip.appendChild(el('div', null, 'artefact ' + fmt(sc.artefact, 2) + ' · novelty ' + fmt(sc.novelty, 2)));
    }
    const rect = canvas.getBoundingClientRect();
    tip.style.left = Math.min(evt.clientX - rect.left + 14, rect.width - 110) + 'px';
    tip.style.top = (evt.clientY - rect.top + 10) + 'px';
    tip.style.display = 'block';
  });
  canvas.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
  canvas.addEventListener('click', (evt) => { const p = nearestPoint(evt); if (p) openDetail(p.id); });
  $('map-colour').addEventListener('change', drawMap);
}

// ---------- models and training curves ----------

async function pollModels() {
  state.models = await api('/models?curves=true');
  const tbody = $('models');
  tbody.innerHTML = '';
  const versions = state.models.versions;
  if (state.selectedVersion === null || !versions.some((v) => v.version === state.selectedVersion)) {
    state.selectedVersion = state.models.promoted !== null ? state.models.promoted : versions.length ? versions[0].version : null;
  }
  versions.forEach((v) => {
    const tr = el('tr');
    tr.classList.toggle('selected', v.version === state.selectedVersion);
    tr.appendChild(el('td', null, 'v' + v.version + (v.parentVersion !== null && v.parentVersion !== undefined ? ' ← v' + v.parentVersion : '')));
    const st = el('td');
    st.appendChild(el('span', 'st ' + v.status, v.status.toLowerCase().replace('_', ' ')));
    tr.appendChild(st);
    tr.appendChild(el('td', null, fmt(v.heldOutLoss, 4)));
    const a = v.architecture;
    tr.appendChild(el('td', null, a.nLayer + '×' + a.nEmbd + ', ' + a.nHead + ' heads'));
    tr.appendChild(el('td', null, new Date(v.createdTime).toLocaleString()));
    const note = el('td', 'note', v.note || '');
    note.title = v.note || '';
    tr.appendChild(note);
    tr.addEventListener('click', () => { state.selectedVersion = v.version; pollModels(); });
    tbody.appendChild(tr);
  });
  if (!versions.length) {
    const tr = el('tr');
    const td = el('td', null, 'No model versions on the models topic yet.');
    td.colSpan = 6;
    tr.appendChild(td);
    tbody.appendChild(tr);
  }
  drawCurve(versions.find((v) => v.version === state.selectedVersion));
  drawEvaluation(versions.find((v) => v.version === state.selectedVersion));
}

// The figures the dashboard shows of a version's evaluation (docs/SCIENCE.md); /models has them all.
const EVALUATION_SHOWN = /^(probe_r2\.|morphology_accuracy$|knn_purity10$|(auc|precision_at_recall80)\.any\.|flag_(precision|recall)\.any$|auc\.novel\.novelty$|anomaly_(precision|recall)$)/;

function drawEvaluation(v) {
  const tbody = $('evaluation');
  tbody.innerHTML = '';
  const e = v && v.evaluation;
  $('evaluation-head').textContent = e && e.rows
    ? 'evaluation of v' + v.version + ' on ' + e.objects + ' held-out cutouts with truth, beside a pixel-PCA baseline of the same width'
    : (v ? 'v' + v.version + ' has no evaluation (no held-out cutouts with truth)' : '');
  if (!e || !e.rows) return;
  e.rows.filter((r) => EVALUATION_SHOWN.test(r.figure)).forEach((r) => {
    const tr = el('tr');
    tr.appendChild(el('td', null, r.figure.replace(/_/g, ' ').replace('precision at recall80', 'precision at recall 0.8')));
    const better = r.pca !== null && r.embedding > r.pca;
    tr.appendChild(el('td', better ? 'better' : null, fmt(r.embedding, 3)));
    tr.appendChild(el('td', null, r.pca === null ? '–' : fmt(r.pca, 3)));
    tbody.appendChild(tr);
  });
}

function drawCurve(v) {
  const canvas = $('curve');
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const legend = $('curve-legend');
  legend.innerHTML = '';
  ctx.fillStyle = '#7f8ba6';
  ctx.font = '12px system-ui';
  const curve = v && v.curve;
  const steps = curve && curve.step;
  const series = [['loss', '#7cc4ff'], ['val_loss', '#ffb454']]
    .filter(([k]) => curve && curve[k] && curve[k].some((x) => x !== null));
  if (!steps || !series.length) {
    ctx.fillText(v ? 'v' + v.version + ': no train-log.csv beside its weights' : 'Select a version', 16, 28);
    return;
  }
  const pad = { l: 46, r: 12, t: 12, b: 24 };
  const xs = steps.filter((x) => x !== null);
  const all = series.flatMap(([k]) => curve[k].filter((y) => y !== null));
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...all), y1 = Math.max(...all);
  const X = (x) => pad.l + ((x - x0) / Math.max(1e-12, x1 - x0)) * (canvas.width - pad.l - pad.r);
  const Y = (y) => canvas.height - pad.b - ((y - y0) / Math.max(1e-12, y1 - y0)) * (canvas.height - pad.t - pad.b);
  ctx.strokeStyle = 'rgba(36,48,73,0.9)';
  ctx.lineWidth = 1;
  ctx.font = '10.5px system-ui';
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4;
    ctx.beginPath(); ctx.moveTo(pad.l, Y(y)); ctx.lineTo(canvas.width - pad.r, Y(y)); ctx.stroke();
    ctx.fillText(fmt(y, 3), 4, Y(y) + 3);
  }
  ctx.fillText('step ' + x0, pad.l, canvas.height - 6);
  ctx.fillText(String(x1), canvas.width - pad.r - 30, canvas.height - 6);
  series.forEach(([k, colour]) => {
    ctx.beginPath();
    let started = false;
    curve[k].forEach((y, i) => {
      if (y === null || steps[i] === null) return;
      if (!started) { ctx.moveTo(X(steps[i]), Y(y)); started = true; } else ctx.lineTo(X(steps[i]), Y(y));
    });
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.6;
    ctx.stroke();
    const s = el('span');
    const sw = el('span', 'sw');
    sw.style.background = colour;
    s.appendChild(sw);
    s.appendChild(document.createTextNode(k.replace(/_/g, ' ') + ' (v' + v.version + ')'));
    legend.appendChild(s);
  });
  if (v.heldOutLoss !== null && v.heldOutLoss !== undefined) legend.appendChild(el('span', null, 'held-out loss ' + fmt(v.heldOutLoss, 4)));
}

// ---------- object detail and neighbours ----------

// Outlines the hardest-to-predict tokens on a thumbnail: the server gives each as a box in the cutout's pixels
// (its spiral position mapped to a grid cell, axes swapped as the tokenizer does); the thumbnail shows the whole
// cutout, so a box is the same fraction of it. Worst first: the worst gets the brightest outline.
function outlineCells(wrap, o) {
  wrap.querySelectorAll('.cell-box').forEach((b) => b.remove());
  const g = o.tokenGrid;
  if (!g || !o.hardestCells) return;
  o.hardestCells.forEach((c, rank) => {
    const box = el('div', 'cell-box rank' + rank);
    box.style.left = (100 * c.x / g.width) + '%';
    box.style.top = (100 * c.y / g.height) + '%';
    box.style.width = (100 * c.size / g.width) + '%';
    box.style.height = (100 * c.size / g.height) + '%';
    box.title = 'token ' + c.position + ' (cell ' + c.i + ', ' + c.j + '): hardest to predict #' + (rank + 1);
    wrap.appendChild(box);
  });
}

function hardestText(o) {
  const cells = o.hardestCells || [];
  if (cells.length) return cells.map((c) => '#' + c.position).join(', ') + ' (outlined)';
  return o.hardestTokens && o.hardestTokens.length ? o.hardestTokens.map((p) => '#' + p).join(', ') : null;
}

// The version's scores of one object: probabilities and novelty as bars on [0, 1], surprise as a number.
function renderScores(table, scores, version) {
  table.innerHTML = '';
  if (!scores) return;
  Object.entries(scores).forEach(([name, v]) => {
    const tr = el('tr');
    tr.appendChild(el('td', null, name.replace(/^artefact_/, 'artefact: ').replace(/_/g, ' ')));
    tr.appendChild(el('td', 'num', fmt(v, name === 'surprise' ? 4 : 3)));
    const barCell = el('td');
    if (name !== 'surprise' && v !== null && v !== undefined) {
      const bar = el('div', 'bar');
      const fill = el('span');
      fill.style.width = Math.round(100 * Math.max(0.02, Math.min(1, v))) + '%';
      fill.style.background = rampColour(v);
      bar.appendChild(fill);
      barCell.appendChild(bar);
    }
    tr.appendChild(barCell);
    table.appendChild(tr);
  });
  if (Object.keys(scores).length === 1) {
    const tr = el('tr');
    const td = el('td', 'hint', (version || 'this version') + ' ships no score heads: surprise only, no flags');
    td.colSpan = 3;
    tr.appendChild(td);
    table.appendChild(tr);
  }
}

async function openDetail(id) {
  const panel = $('detail');
  panel.hidden = false;
  $('detail-title').textContent = id;
  state.detailId = id;
  showLabel(id);
  $('detail-similar').innerHTML = '';
  const fields = $('detail-fields');
  fields.innerHTML = '';
  try {
    const o = await api('/objects/' + encodeURIComponent(id));
    const img = $('detail-img');
    if (o.thumbnail) { img.src = o.thumbnail; $('detail-thumb').hidden = false; } else $('detail-thumb').hidden = true;
    outlineCells($('detail-thumb'), o);
    const t = o.timings || {};
    const rows = [
      ['survey', o.survey], ['model', o.modelName ? o.modelName + ' v' + o.modelVersion : null], ['surprise', fmt(o.surprise, 4)],
      ['flags', (o.flags || []).join(', ') || 'none'], ['hardest tokens', hardestText(o)], ['morphology', o.morphology], ['artefacts', o.artefacts === '' ? 'none' : o.artefacts],
      ['ra, dec', o.ra !== null && o.ra !== undefined ? o.ra.toFixed(5) + ', ' + o.dec.toFixed(5) : null],
      ['pipeline', t.sourceTime ? fmtSeconds((t.producedTime - t.sourceTime) / 1000) + ' (embed ' + (t.embedMicros / 1000).toFixed(1) + ' ms)' : null],
      ['vector', o.vector ? o.vector.length + ' values' : null]];
    rows.filter(([, v]) => v !== null && v !== undefined).forEach(([k, v]) => { fields.appendChild(el('dt', null, k)); fields.appendChild(el('dd', null, v)); });
    renderScores($('detail-scores'), o.scores, o.modelName ? o.modelName + ' v' + o.modelVersion : null);
    const flagRows = await api('/flags?limit=1000');
    const reasons = $('detail-flags');
    reasons.innerHTML = '';
    flagRows.flags.filter((f) => f.id === id).forEach((f) => {
      reasons.appendChild(el('li', null, f.kind.toLowerCase() + (f.artefactKind ? ' (' + f.artefactKind.replace(/_/g, ' ') + ')' : '') + ': ' + f.reason));
    });
    const sim = await api('/similar/' + encodeURIComponent(id) + '?k=12');
    renderCards($('detail-similar'), sim.neighbours, { extra: (n) => ({ similarity: n.similarity }) });
  } catch (e) {
    fields.appendChild(el('dd', 'error', e.message));
  }
}

// ---------- labels: POST /objects/{id}/label, what the trainer's next round learns from ----------

async function showLabel(id) {
  $('label-status').textContent = '';
  try {
    const r = await api('/objects/' + encodeURIComponent(id) + '/label');
    $('label-current').textContent = r.label ? r.label.label + (r.label.who ? ' (' + r.label.who + ')' : '') : 'none';
  } catch (e) {
    $('label-current').textContent = '–';
  }
}

async function sendLabel(label) {
  const id = state.detailId;
  if (!id) return;
  const token = $('label-token').value.trim();
  const headers = { 'Content-Type': 'application/json' };
  if (token) { headers.Authorization = 'Bearer ' + token; localStorage.setItem('astropt.token', token); }
  try {
    const r = await api('/objects/' + encodeURIComponent(id) + '/label', { method: 'POST', headers, body: JSON.stringify({ label, who: 'dashboard' }) });
    $('label-current').textContent = r.label;
    $('label-status').textContent = 'written to the labels topic: the trainer\'s next round learns from it';
  } catch (e) {
    $('label-status').textContent = e.message;
  }
}

async function setupLabels() {
  const kind = $('label-kind');
  api('/labels?limit=1').then((r) => r.artefactKinds.forEach((k) => {
    const o = el('option', null, k.replace(/_/g, ' '));
    o.value = k;
    kind.appendChild(o);
  })).catch((e) => console.warn('labels', e.message));
  $('label-token').value = localStorage.getItem('astropt.token') || '';
  $('label-normal').addEventListener('click', () => sendLabel('normal'));
  $('label-interesting').addEventListener('click', () => sendLabel('interesting'));
  $('label-artefact').addEventListener('click', () => sendLabel('artefact:' + kind.value));
}

function setupUpload() {
  const drop = $('drop'), input = $('upload');
  const send = async (file) => {
    const out = $('upload-result');
    out.innerHTML = '';
    out.appendChild(el('div', 'hint', 'embedding ' + file.name + '…'));
    try {
      const r = await api('/embed?id=' + encodeURIComponent(file.name) + '&k=8', { method: 'POST', body: file });
      out.innerHTML = '';
      const box = el('div', 'detail');
      const img = el('img');
      img.src = r.thumbnail;
      box.appendChild(img);
      const dl = el('dl');
      [['model', r.modelName + ' v' + r.modelVersion], ['surprise', fmt(r.surprise, 4)],
        ['artefact', r.scores && r.scores.artefact !== undefined ? fmt(r.scores.artefact, 3) : 'no heads'],
        ['novelty', r.scores && r.scores.novelty !== undefined ? fmt(r.scores.novelty, 3) : 'no heads'],
        ['flags', (r.flags || []).map((f) => f.flagKind.toLowerCase() + (f.artefactKind ? ' (' + f.artefactKind.replace(/_/g, ' ') + ')' : '')).join(', ') || 'none'],
        ['tokens', r.tokens + ' (' + r.gridSize + '×' + r.gridSize + ')'],
        ['embedding', r.embedding.length + ' values']].forEach(([k, v]) => { dl.appendChild(el('dt', null, k)); dl.appendChild(el('dd', null, v)); });
      box.appendChild(dl);
      out.appendChild(box);
      out.appendChild(el('h3', null, 'Most similar in the stream'));
      const cards = el('div', 'cards small');
      out.appendChild(cards);
      renderCards(cards, r.similar, { extra: (n) => ({ similarity: n.similarity }) });
    } catch (e) {
      out.innerHTML = '';
      out.appendChild(el('div', 'error', e.message));
    }
  };
  input.addEventListener('change', () => { if (input.files[0]) send(input.files[0]); });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]); });
}

function every(ms, f) {
  const run = async () => {
    try { await f(); } catch (e) { console.warn(f.name, e.message); }
    setTimeout(run, ms);
  };
  run();
}

$('detail-close').addEventListener('click', () => { $('detail').hidden = true; });
setupMap();
setupUpload();
setupLabels();
every(POLL.stats, pollStats);
every(POLL.feed, pollFeed);
every(POLL.flagged, pollFlagged);
every(POLL.map, pollMap);
every(POLL.models, pollModels);
