// The page: form -> worker run with progress -> verdict, evidence, share link and downloads.
// The analysis runs in web/worker.mjs; cancelling terminates that worker, so nothing on this
// thread ever waits on the wasm.
import { byId, h, replace } from './ui/dom.mjs';
import { DEFAULT_ENDPOINT, endpointOrigin, fillForm, initForm, markRoleError, readForm, setFormBusy } from './ui/form.mjs';
import { buildView, coverageOf } from '../js/report/view.mjs';
import { lineageSection } from './ui/lineage.mjs';
import { modelsTable, verdictCard } from './ui/verdict.mjs';
import { componentTable, tensorTable, unmatchedList } from './ui/tables.mjs';
import { layerHeatmaps, layerPlots } from './ui/layers.mjs';
import { tensorScatter } from './ui/scatter.mjs';
import { glossarySection, term } from './ui/glossary.mjs';
import { explainError } from './ui/errors.mjs';
import { bytes, int } from './ui/format.mjs';
import { compareWithExpected, decodeShareParams } from '../js/report/share-link.mjs';
import { formatModelId } from '../js/io/hub/model-id.mjs';
import { reportToCsv } from '../js/report/csv.mjs';
import { percent } from '../js/report/percent.mjs';
import { LINEAGE_SCHEMA, METHOD_VERSION } from '../js/engine/defaults.mjs';

const PHASES = {
  resolving: { label: 'Resolving models to commits', from: 0, to: 0.05 },
  discovering: { label: 'Finding candidates in the model tree', from: 0.02, to: 0.05 },
  screening: { label: 'Screening candidates', from: 0.05, to: 0.3 },
  headers: { label: 'Reading safetensors headers', from: 0.05, to: 0.15 },
  plan: { label: 'Planning which rows to sample', from: 0.15, to: 0.18 },
  fetching: { label: 'Fetching sampled rows', from: 0.18, to: 0.95 },
  computing: { label: 'Computing statistics', from: 0.95, to: 1 },
  done: { label: 'Preparing the report', from: 1, to: 1 },
};

const state = {
  worker: /** @type {Worker|null} */ (null),
  runId: 0,
  running: false,
  report: null,
  /** what a share link promised: { expected, version } */
  link: null,
  lastSpec: null,
};

/**
 * The hub endpoints this page was set up with, by origin: the default hub, and the demo hub when
 * demo.json names one (npm start). A share link naming any other endpoint does not start by itself.
 */
const knownOrigins = new Set([endpointOrigin(DEFAULT_ENDPOINT)]);

function pageUrl() {
  return location.href.replace(/#.*$/, '');
}

// ---------- running ----------

function startRun(spec, link = null) {
  hide('link-confirm');
  state.link = link;
  state.lastSpec = spec;
  hide('error'); hide('result');
  byId('run-status').textContent = '';
  show('progress');
  setFormBusy(true);
  state.running = true;
  phaseStart.phase = '';
  onProgress({ phase: 'resolving', bytes: 0, requests: 0, budget: spec.budget, done: 0, total: 0 });
  byId('cancel').focus();

  const id = ++state.runId;
  if (!state.worker) {
    state.worker = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  }
  const w = state.worker;
  w.onmessage = (/** @type {MessageEvent<import('./worker-protocol.mjs').WorkerReply>} */ ev) => {
    const msg = ev.data;
    if (!msg || msg.id !== id) return;  // a message from a run that was replaced
    // Other files may go on during a wait: the countdown ends on its own, on Retry now, or with the run.
    if (msg.type === 'progress') onProgress(msg.progress);
    else if (msg.type === 'wait') showRateWait(msg.wait, () => w.postMessage(/** @satisfies {import('./worker-protocol.mjs').RetryNowRequest} */ ({ id, type: 'retry-now' })));
    else if (msg.type === 'stall') showStall(msg.stall);
    else if (msg.type === 'result') finish(() => showResult(msg.report));
    else if (msg.type === 'error') finish(() => showError(msg.error));
  };
  w.onerror = (ev) => {
    ev.preventDefault?.();
    dropWorker();
    finish(() => showError({ message: ev.message || 'the analysis worker could not start', code: 'setup' }));
  };
  w.onmessageerror = () => finish(() => showError({ message: 'the worker sent a message the page cannot read' }));
  w.postMessage(/** @satisfies {import('./worker-protocol.mjs').RunRequest} */ ({ id, type: 'run', spec: { ...spec, pageUrl: pageUrl() } }));
}

function finish(then) {
  state.running = false;
  endRateWait();
  showStall(null);
  hide('progress');
  setFormBusy(false);
  then();
}

function dropWorker() {
  state.worker?.terminate();
  state.worker = null;
}

function cancel() {
  if (!state.running) return;
  // Terminating is the only way to stop wasm mid-computation; the next run starts a fresh worker.
  dropWorker();
  state.runId++;
  finish(() => { byId('run-status').textContent = 'Verification cancelled. Nothing was kept.'; });
  byId('verify').focus();
}

/** The steps shown under the bar, and which engine phases belong to each. */
const STEPS = [
  { label: 'Resolve models', phases: ['resolving', 'discovering', 'screening'] },
  { label: 'Read headers', phases: ['headers'] },
  { label: 'Plan the sample', phases: ['plan'] },
  { label: 'Fetch rows', phases: ['fetching'] },
  { label: 'Compute', phases: ['computing', 'done'] },
];

/** Where the current phase started (time, bytes, requests): rates and ETAs count from there. */
const phaseStart = { phase: '', t: 0, bytes: 0, requests: 0 };

/**
 * Progress against the plan, never against the budget (the plan usually asks for far less):
 * ranges fetched of those planned, the bytes of this phase, a rate and an ETA. The bar moves with
 * bytes when the engine says how many it planned (`plannedBytes`), else with ranges.
 * @param {{ phase: string, bytes: number, requests: number, budget?: number, done: number, total: number, plannedBytes?: number }} p
 */
function onProgress(p) {
  const ph = PHASES[p.phase] ?? PHASES.resolving;
  const now = performance.now();
  if (phaseStart.phase !== p.phase) Object.assign(phaseStart, { phase: p.phase, t: now, bytes: p.bytes || 0, requests: p.requests || 0 });
  const phaseBytes = Math.max(0, (p.bytes || 0) - phaseStart.bytes);
  let frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  if (p.phase === 'fetching' && p.plannedBytes > 0) frac = Math.min(1, phaseBytes / p.plannedBytes);
  const bar = /** @type {HTMLProgressElement} */ (byId('progress-bar'));
  bar.value = ph.from + (ph.to - ph.from) * frac;
  const step = STEPS.findIndex((st) => st.phases.includes(p.phase));
  byId('progress-phase').textContent = `${ph.label}…`;
  renderSteps(step);
  const parts = [];
  const unit = { resolving: 'models', screening: 'candidates', headers: 'files', fetching: 'planned ranges' }[p.phase];
  if (unit && p.total > 0) parts.push(`${int(p.done)} of ${int(p.total)} ${unit}`);
  if (p.phase === 'fetching') {
    parts.push(p.plannedBytes > 0 ? `${bytes(phaseBytes)} of ${bytes(p.plannedBytes)}` : `${bytes(phaseBytes)} of sampled rows`);
    const secs = (now - phaseStart.t) / 1000;
    if (secs >= 1 && phaseBytes > 0) {
      parts.push(`${bytes(phaseBytes / secs)}/s`);
      if (frac > 0 && frac < 1) parts.push(`about ${clock(((1 - frac) / frac) * secs * 1000)} left`);
    }
  } else if (Number.isFinite(p.bytes) && p.bytes > 0) {
    parts.push(`${bytes(p.bytes)} read`);
  }
  if (Number.isFinite(p.requests)) parts.push(`${int(p.requests)} requests`);
  byId('progress-detail').textContent = parts.join(' · ');
}

/** The list of steps: done, current (aria-current), to come. @param {number} current */
function renderSteps(current) {
  const list = byId('progress-steps');
  if (list.children.length !== STEPS.length) replace(list, STEPS.map((st) => h('li', null, st.label)));
  [...list.children].forEach((li, i) => {
    li.className = i < current ? 'done' : i === current ? 'current' : '';
    if (i === current) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  });
}

/** "4:05" or "12 s". @param {number} ms */
function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** @type {ReturnType<typeof setInterval> | null} */
let rateTimer = null;
/** @type {(() => void) | null} */
let retryNow = null;

/**
 * A 429: the worker waits for the Hub's window (up to 5 minutes) and keeps what it fetched. Show a
 * countdown and a button that ends the wait; Cancel still stops the run.
 * @param {{host: string, ms: number, until: number, hinted: boolean}} wait
 * @param {() => void} onRetry
 */
function showRateWait(wait, onRetry) {
  endRateWait();
  retryNow = onRetry;
  const until = Date.now() + wait.ms;  // the worker's clock may differ: count from now
  const tick = () => {
    if (until - Date.now() <= 0) { endRateWait(); return; }
    byId('rate-wait-text').textContent = `${wait.host} is rate-limiting requests (it counts them in 5-minute windows). ` +
      `What was fetched is kept; retrying ${wait.hinted ? 'in' : 'at the latest in'} ${clock(until - Date.now())}.`;
  };
  tick();
  rateTimer = setInterval(tick, 1000);
  show('rate-wait');
}

function endRateWait() {
  if (rateTimer) clearInterval(rateTimer);
  rateTimer = null;
  retryNow = null;
  hide('rate-wait');
}

/** @param {{host: string, ms: number} | null} stall */
function showStall(stall) {
  const el = byId('progress-stall');
  if (!stall) { el.hidden = true; el.textContent = ''; return; }
  el.textContent = `Waiting for ${stall.host} (no data for ${clock(stall.ms)})…`;
  el.hidden = false;
}

// ---------- results ----------

function showResult(report) {
  state.report = report;
  if (report?.schema === LINEAGE_SCHEMA) {
    // Discovery found no roles to verify: the lineage is the whole answer.
    replace(byId('result'), lineageSection(report));
    show('result');
    return;
  }
  let view;
  try {
    view = buildView(report);
  } catch (err) {
    showError({ message: `the report could not be read: ${err.message}` });
    return;
  }
  /** @type {{status: 'match' | 'differ', details: string[]} | null} */
  let repro = null;
  if (state.link?.expected) {
    const c = compareWithExpected(state.link.expected, report, state.link.version);
    const details = [...c.differences];
    if (c.versionMismatch) details.push(`the link was made with method version ${state.link.version}, this page runs ${METHOD_VERSION}`);
    repro = { status: c.reproduced ? 'match' : 'differ', details };
  }
  const result = byId('result');
  const roleNames = view.models.map((m) => m.role);
  replace(result,
    report.lineage ? lineageSection(report.lineage) : null,
    verdictCard(view, repro),
    actionsBar(report),
    h('section', { class: 'card', 'aria-labelledby': 'components-title' },
      h('h2', { id: 'components-title' }, 'Evidence by component'),
      coverageNote(report),
      h('p', { class: 'muted' }, 'A merge shows the same ', term('alpha'), ' in every component with ', term('cos_fit'),
        ' near its ', term('ceiling'), '; independent fine-tunes show small, scattered values.'),
      componentTable(view)),
    h('section', { class: 'card', 'aria-labelledby': 'layers-title' },
      h('h2', { id: 'layers-title' }, 'By layer'),
      h('p', { class: 'muted' }, 'Each cell is one layer\u2019s component: one even colour is what a merge with one weight looks like. ',
        'Hatched cells have no data: nothing sampled there, or only ', term('rounding', 'rounding-dominated'), ' tensors.'),
      layerHeatmaps(view),
      layerPlots(view)),
    h('section', { class: 'card', 'aria-labelledby': 'tensors-title' },
      h('h2', { id: 'tensors-title' }, 'Every tensor'),
      h('div', { class: 'plots' }, Array.from({ length: view.k }, (_, i) => tensorScatter(view, i))),
      tensorTable(view),
      unmatchedList(view, roleNames)),
    h('section', { class: 'card', 'aria-labelledby': 'models-title' },
      h('h2', { id: 'models-title' }, 'Models'),
      h('div', { class: 'table-wrap' }, modelsTable(view))),
    glossarySection());
  show('result');
  byId('verdict-sentence').setAttribute('tabindex', '-1');
  byId('verdict-sentence').focus({ preventScroll: false });
}

/** Below this share of the matched tensors, the sample may miss how a part of the model was made. */
const LOW_COVERAGE = 0.25;

/** "Sampled N of M tensors (K layers × J components)", with a warning when that is little. */
function coverageNote(report) {
  const c = coverageOf(report);
  if (!Number.isFinite(c.sampled)) return null;
  const of = Number.isFinite(c.matched) ? ` of ${int(c.matched)}` : '';
  const text = `Sampled ${int(c.sampled)}${of} tensors (${int(c.layers)} layer${c.layers === 1 ? '' : 's'} × ${int(c.components)} component${c.components === 1 ? '' : 's'}).`;
  if (!(c.share < LOW_COVERAGE)) return h('p', { id: 'coverage', class: 'muted' }, text);
  return h('p', { id: 'coverage', class: 'coverage-warning', role: 'note' }, text,
    ` That is ${percent(c.share, 0)} of the model's tensors: parts merged differently may not be in the sample. ` +
    'A larger byte budget (under Advanced) covers more.');
}

function actionsBar(report) {
  const url = typeof report.share_url === 'string' ? report.share_url : null;
  const status = h('span', { class: 'muted', role: 'status', id: 'copy-status' });
  const linkInput = url ? h('input', { type: 'text', readonly: true, id: 'share-url', value: url, 'aria-label': 'Link to reproduce this run' }) : null;
  const copy = h('button', {
    type: 'button', id: 'copy-link', class: 'secondary', disabled: !url,
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(url);
        status.textContent = 'Link copied.';
      } catch {
        linkInput.select();  // clipboard refused (permissions, http): leave it selected to copy by hand
        status.textContent = 'Select the link and copy it.';
      }
    },
  }, 'Copy link');
  const base = fileBase(report);
  return h('section', { class: 'card actions-bar', 'aria-label': 'Share and download' },
    h('div', { class: 'share' }, copy, linkInput ?? h('span', { class: 'muted' },
      'Runs on local files have no link: nobody else can read your files.'), status),
    h('div', { class: 'downloads' },
      h('button', { type: 'button', id: 'download-json', class: 'secondary',
        onclick: () => download(`${base}.json`, 'application/json', JSON.stringify(report, null, 2)) }, 'Download JSON'),
      h('button', { type: 'button', id: 'download-csv', class: 'secondary',
        onclick: () => download(`${base}.csv`, 'text/csv', reportToCsv(report)) }, 'Download CSV')));
}

function fileBase(report) {
  const s = report.models?.suspect ?? {};
  const name = String(s.repo ?? s.label ?? 'model').replace(/[^\w.-]+/g, '_').slice(0, 80);
  const rev = /^[0-9a-f]{40}$/.test(s.revision ?? '') ? `-${s.revision.slice(0, 7)}` : '';
  return `mergeprobe-${name}${rev}`;
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function showError(e) {
  const spec = state.lastSpec;
  const ex = explainError(e ?? {}, { endpoint: spec?.endpoint ?? DEFAULT_ENDPOINT, hasToken: !!spec?.token });
  byId('error-title').textContent = ex.title;
  byId('error-advice').textContent = ex.advice;
  byId('error-detail').textContent = ex.detail ? `Detail: ${ex.detail}` : '';
  show('error');
  if (ex.role) markRoleError(ex.role, ex.title);
  if (e?.code === 'GatedRepo' || e?.code === 'Unauthorized') byId('advanced').open = true;
  // Focus moves to the card, so keyboard and screen-reader users land on what went wrong.
  byId('error-title').setAttribute('tabindex', '-1');
  byId('error-title').focus({ preventScroll: true });
  byId('error').scrollIntoView({ block: 'nearest' });
}

// ---------- page start ----------

function show(id) { byId(id).hidden = false; }
function hide(id) { byId(id).hidden = true; }

function onSubmit(ev) {
  ev.preventDefault();
  if (state.running) return;
  runForm();
}

/** Reads the form and runs it, or shows what needs fixing. @param {object | null} [link] */
function runForm(link = null) {
  const formError = byId('form-error');
  const r = readForm();
  if (r.error) {
    hide('error');  // an old run's error card would read as this attempt's
    // A link the page cannot run (e.g. a budget outside the limits) says why, never sits silent.
    formError.textContent = link ? `This link cannot be run as it is. ${r.error}` : r.error;
    formError.hidden = false;
    /** @type {HTMLElement | undefined} */ (r.focus)?.focus();
    return;
  }
  formError.hidden = true;
  startRun(r.spec, link);
}

/** demo.json exists only where tools/serve.mjs runs the offline mock hub. */
async function loadDemo() {
  let demo;
  try {
    const res = await fetch('demo.json', { cache: 'no-store' });
    if (!res.ok) return;
    demo = await res.json();
  } catch { return; }
  const examples = Array.isArray(demo?.examples) ? demo.examples : [];
  if (!examples.length || typeof demo.endpoint !== 'string') return;
  if (endpointOrigin(demo.endpoint)) knownOrigins.add(endpointOrigin(demo.endpoint));
  replace(byId('demo-links'), examples.map((ex, i) => [i ? ' · ' : '', h('button', {
    type: 'button', class: 'link-button demo-link', title: String(ex.description ?? ''),
    onclick: () => {
      fillForm({ ...ex, endpoint: demo.endpoint });
      byId('run-status').textContent = `Filled with the demo “${ex.title}”. Press Verify.`;
      byId('verify').focus();
    },
  }, String(ex.title ?? `demo ${i + 1}`))]));
  show('demo');
}

async function runFromLink() {
  await demoLoaded;  // the demo hub counts as known only once demo.json has been read
  hide('link-confirm');
  const hash = location.hash.replace(/^#/, '');
  if (!hash) return;
  let p;
  try {
    p = decodeShareParams(new URLSearchParams(hash));
  } catch (err) {
    showError({ message: err.message, code: 'usage' });
    byId('error-title').textContent = 'This link cannot be read.';
    byId('error-advice').textContent = 'It may have been cut short when it was copied: ask for the whole link.';
    return;
  }
  if (!p) return;
  const ref = (m) => (m ? formatModelId(m) : '');
  fillForm({
    suspect: ref(p.suspect), parents: p.parents.map(ref), base: ref(p.base), control: ref(p.control),
    endpoint: p.endpoint, budget: p.budget, seed: p.seed,
  });
  const link = { expected: p.expected, version: p.version };
  if (!knownOrigins.has(endpointOrigin(p.endpoint))) {
    askBeforeRunning(p.endpoint, link);
    return;
  }
  runForm(link);
}

/** Anyone can mail a link: one naming an unknown endpoint waits until the person says to run it. */
function askBeforeRunning(endpoint, link) {
  byId('link-confirm-endpoint').textContent = endpoint;
  // The form as it is then: the person may have changed it meanwhile.
  byId('link-confirm-run').onclick = () => { if (!state.running) runForm(link); };
  byId('link-confirm-dismiss').onclick = () => { hide('link-confirm'); byId('suspect').focus(); };
  show('link-confirm');
  byId('link-confirm-title').focus();
}

initForm();
byId('verify-form').addEventListener('submit', onSubmit);
byId('cancel').addEventListener('click', cancel);
byId('retry-now').addEventListener('click', () => { const r = retryNow; endRateWait(); r?.(); });
document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && state.running) cancel(); });
window.addEventListener('hashchange', runFromLink);
byId('footer-version').textContent = `mergeprobe method version ${METHOD_VERSION}. Share links carry it, so a rerun can tell whether it reproduced the same numbers.`;
const demoLoaded = loadDemo();
runFromLink();
