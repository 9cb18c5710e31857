// The form: one field per role (a repo ID, or local files dropped/chosen instead), parents that can
// be added and removed, the Advanced settings, and conversion to and from a run spec.
import { h, replace, byId } from './dom.mjs';
import { bytes } from './format.mjs';
import { DEFAULT_BUDGET, MAX_BUDGET, MIN_BUDGET, formatBudget, parseBudget } from '../../js/engine/budget.mjs';
import { tokenProblem } from '../../js/io/hub/token.mjs';
import { parseModelId } from '../../js/io/hub/model-id.mjs';
import { dropProblem } from './local-drop.mjs';
import { DEFAULT_ENDPOINT, MAX_PARENTS } from '../../js/engine/defaults.mjs';

export { DEFAULT_ENDPOINT, MAX_PARENTS };


// A token belongs to the hub it was entered for: stored per endpoint origin (where the hub client sends
// it), so a share link or an edit that names another endpoint never takes it along.
const TOKEN_KEY = 'mergeprobe.token:';

/** Local files chosen for a role field: Map<fieldElement, { label, entries: {file, path}[] }>. */
const local = new Map();

export function initForm() {
  for (const field of document.querySelectorAll('.field.role')) setupRoleField(field);
  byId('add-parent').addEventListener('click', () => { addParent(); focusLastParent(); });
  updateAddParent();
  // budget.mjs holds the one default and the limits, shared with the CLI.
  byId('budget').value = formatBudget(DEFAULT_BUDGET);
  byId('budget-limits').textContent = `, from ${formatBudget(MIN_BUDGET)} to ${formatBudget(MAX_BUDGET)}`;
  const token = byId('token');
  // The old unkeyed entry does not say which hub it was for: drop it rather than guess.
  try { sessionStorage.removeItem('mergeprobe.token'); } catch { /* storage disabled */ }
  showTokenFor(byId('endpoint').value);
  byId('endpoint').addEventListener('input', () => showTokenFor(byId('endpoint').value));
  token.addEventListener('input', () => {
    setTokenError('');
    if (!tokenField.origin) return;  // no valid endpoint yet: the token belongs to no hub
    tokenField.values.set(tokenField.origin, token.value);
    try {
      const key = TOKEN_KEY + tokenField.origin;
      if (token.value) sessionStorage.setItem(key, token.value);
      else sessionStorage.removeItem(key);
    } catch { /* storage disabled: the token still works for this page */ }
  });
}

/** The origin a hub endpoint's requests go to ('' when it is not a URL). @param {string} endpoint */
export function endpointOrigin(endpoint) {
  try { return new URL((endpoint || '').trim() || DEFAULT_ENDPOINT).origin; } catch { return ''; }
}

/**
 * Whose token the field shows (`origin`), and every token typed in this page per origin (the copy
 * that works when sessionStorage is disabled).
 */
const tokenField = { origin: '', values: new Map() };

/** Show the token entered for this endpoint (none for any other): the field never carries one over. */
function showTokenFor(endpoint) {
  const origin = endpointOrigin(endpoint);
  if (origin === tokenField.origin) return;
  tokenField.origin = origin;
  let stored = tokenField.values.get(origin) ?? '';
  try { stored = (origin && sessionStorage.getItem(TOKEN_KEY + origin)) || stored; } catch { /* storage disabled */ }
  byId('token').value = origin ? stored : '';
  setTokenError('');
}

function setTokenError(message) {
  const err = byId('token-error');
  err.textContent = message;
  err.hidden = !message;
  if (message) byId('token').setAttribute('aria-invalid', 'true'); else byId('token').removeAttribute('aria-invalid');
}

function roleId(field) {
  const role = field.dataset.role;
  if (role !== 'parent') return role;
  const i = [...byId('parents').children].indexOf(field) + 1;
  return `parent-${i}`;
}

function setupRoleField(field) {
  const id = roleId(field);
  const box = field.querySelector('.role-input');
  const errId = `${id}-error`;
  const input = h('input', {
    id, name: id, type: 'text', placeholder: 'owner/name or owner/name@revision', autocomplete: 'off',
    spellcheck: 'false', autocapitalize: 'off',
    'aria-describedby': [field.dataset.role === 'control' ? 'control-hint' : null, `${id}-drop`, errId].filter(Boolean).join(' '),
  });
  const files = h('input', { type: 'file', multiple: true, accept: '.safetensors,.json', class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', 'data-files-for': id });
  const folder = h('input', { type: 'file', webkitdirectory: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', 'data-folder-for': id });
  const chip = h('div', { class: 'local-chip', hidden: true });
  const fileBtn = h('button', { type: 'button', class: 'secondary small files-button', onclick: () => files.click() }, 'Files…');
  const folderBtn = h('button', { type: 'button', class: 'secondary small folder-button', onclick: () => folder.click() }, 'Folder…');
  const removeBtn = field.dataset.role === 'parent' && id !== 'parent-1'
    ? h('button', { type: 'button', class: 'secondary small remove', onclick: () => removeParent(field) }, 'Remove')
    : null;
  replace(box,
    h('div', { class: 'input-row' }, input, fileBtn, folderBtn, removeBtn),
    chip,
    h('p', { class: 'hint drop-hint', id: `${id}-drop` }, 'Or drop safetensors files or a model folder here.'),
    h('p', { class: 'field-error', id: errId, hidden: true }),
    files, folder);
  nameButtons(field);

  const take = (entries, label) => setLocal(field, entries, label);
  files.addEventListener('change', () => {
    const list = [...files.files];
    if (list.length) take(list.map((f) => ({ file: f, path: f.name })), list.length === 1 ? list[0].name : `${list.length} files`);
    files.value = '';
  });
  folder.addEventListener('change', () => {
    const list = [...folder.files];
    if (!list.length) return;
    const top = (list[0].webkitRelativePath || list[0].name).split('/')[0];
    take(list.map((f) => ({ file: f, path: stripTop(f.webkitRelativePath || f.name) })), top);
    folder.value = '';
  });

  field.addEventListener('dragover', (ev) => {
    if (!ev.dataTransfer?.types?.includes('Files')) return;
    ev.preventDefault();
    field.classList.add('dragging');
  });
  field.addEventListener('dragleave', (ev) => { if (!field.contains(ev.relatedTarget)) field.classList.remove('dragging'); });
  field.addEventListener('drop', async (ev) => {
    ev.preventDefault();
    field.classList.remove('dragging');
    const { entries, label, folders, roots } = await readDrop(ev.dataTransfer);
    const problem = dropProblem({ label, folders, roots, paths: entries.map((e) => e.path) });
    if (problem) { setFieldError(field, problem); return; }
    if (entries.length) take(entries, label);
  });
  input.addEventListener('input', () => setFieldError(field, ''));
}

function labelText(field) {
  return field.querySelector('label')?.textContent ?? 'model';
}

/**
 * Names the field's buttons after its label ("Files for Parent model 2"): three rows of
 * "Files… Folder… Remove" are otherwise indistinguishable to a screen reader. Rerun on renumbering.
 */
function nameButtons(field) {
  const name = labelText(field);
  field.querySelector('.files-button')?.setAttribute('aria-label', `Files for ${name}`);
  field.querySelector('.folder-button')?.setAttribute('aria-label', `Folder for ${name}`);
  field.querySelector('.remove')?.setAttribute('aria-label', `Remove ${name}`);
}

/** The engine takes at most MAX_PARENTS parents: the button says so instead of doing nothing. */
function updateAddParent() {
  const btn = byId('add-parent');
  const full = byId('parents').children.length >= MAX_PARENTS;
  btn.disabled = full;
  btn.title = full ? `At most ${MAX_PARENTS} parents` : '';
}

function stripTop(path) {
  const i = path.indexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** Files and folders from a drop: folders are walked (FileSystemEntry API). */
async function readDrop(dt) {
  const items = [...(dt?.items ?? [])].filter((it) => it.kind === 'file');
  const roots = items.map((it) => it.webkitGetAsEntry?.()).filter(Boolean);
  if (!roots.length) {
    const list = [...(dt?.files ?? [])];
    return { entries: list.map((f) => ({ file: f, path: f.name })), label: list.length === 1 ? list[0]?.name : `${list.length} files`, folders: 0, roots: list.length };
  }
  const entries = [];
  // A dropped folder is the model root: its own name is not part of the paths.
  for (const r of roots) await walk(r, r.isDirectory ? '' : r.name, entries);
  const folders = roots.filter((r) => r.isDirectory).length;
  const label = roots.length === 1 ? roots[0].name : folders === roots.length ? `${roots.length} folders (${roots.map((r) => r.name).join(', ')})` : `${roots.length} items`;
  return { entries, label, folders, roots: roots.length };
}

async function walk(entry, path, out) {
  if (entry.isFile) {
    const file = await new Promise((res, rej) => entry.file(res, rej));
    out.push({ file, path });
    return;
  }
  const reader = entry.createReader();
  for (;;) {  // readEntries returns at most 100 entries per call
    const batch = await new Promise((res, rej) => reader.readEntries(res, rej));
    if (!batch.length) break;
    for (const e of batch) await walk(e, path ? `${path}/${e.name}` : e.name, out);
  }
}

function setLocal(field, entries, label) {
  const input = field.querySelector('input[type=text]');
  const chip = field.querySelector('.local-chip');
  const total = entries.reduce((n, e) => n + (e.file.size ?? 0), 0);
  local.set(field, { entries, label });
  input.value = '';
  input.disabled = true;
  input.placeholder = 'using local files';
  setFieldError(field, '');
  replace(chip,
    h('span', { class: 'chip-label' }, `Local: ${label}`),
    h('span', { class: 'muted' }, ` — ${entries.length} file${entries.length === 1 ? '' : 's'}, ${bytes(total)}`),
    h('button', { type: 'button', class: 'link-button', onclick: () => clearLocal(field) }, 'Use a repo ID instead'));
  chip.hidden = false;
}

function clearLocal(field) {
  const input = field.querySelector('input[type=text]');
  local.delete(field);
  input.disabled = false;
  input.placeholder = 'owner/name or owner/name@revision';
  field.querySelector('.local-chip').hidden = true;
  input.focus();
}

export function addParent(value = '') {
  const box = byId('parents');
  const n = box.children.length + 1;
  if (n > MAX_PARENTS) return null;  // the engine's limit
  const field = h('div', { class: 'field role', 'data-role': 'parent' },
    h('label', { for: `parent-${n}` }, `Parent model ${n}`), h('div', { class: 'role-input' }));
  box.append(field);
  setupRoleField(field);
  updateAddParent();
  /** @type {HTMLInputElement} */ (field.querySelector('input[type=text]')).value = value;
  return field;
}

function focusLastParent() {
  const box = byId('parents');
  /** @type {HTMLInputElement | null} */ (box.lastElementChild?.querySelector('input[type=text]'))?.focus();
}

function removeParent(field) {
  local.delete(field);
  field.remove();
  // Renumber the rest so labels and ids stay "Parent model 2, 3…" in order.
  [...byId('parents').children].forEach((f, i) => {
    const id = `parent-${i + 1}`;
    const label = f.querySelector('label');
    const input = /** @type {HTMLInputElement} */ (f.querySelector('input[type=text]'));
    label.textContent = i === 0 ? 'Parent model' : `Parent model ${i + 1}`;
    label.htmlFor = id;
    input.id = id;
    input.name = id;
    nameButtons(f);
  });
  updateAddParent();
  byId('add-parent').focus();
}

function setFieldError(field, message) {
  const err = field.querySelector('.field-error');
  const input = field.querySelector('input[type=text]');
  err.textContent = message;
  err.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

function roleFields() {
  return {
    suspect: document.querySelector('.field.role[data-role=suspect]'),
    parents: [...byId('parents').children],
    base: document.querySelector('.field.role[data-role=base]'),
    control: document.querySelector('.field.role[data-role=control]'),
  };
}

/**
 * Reads and validates the form. Returns { spec } or { error, focus } (an element to focus).
 * spec: what worker.mjs expects (see its header) plus `token` read from the Advanced section.
 */
export function readForm() {
  const f = roleFields();
  let firstBad = null;
  // Local models are named by their folder or file; two roles picked as the same file name (every
  // single-file checkpoint is "model.safetensors") are told apart by their role.
  const localLabels = [...local.values()].map((l) => l.label);
  const read = (field, required) => {
    const l = local.get(field);
    if (l) {
      const shared = localLabels.filter((x) => x === l.label).length > 1;
      return { kind: 'local', label: shared ? `${l.label} (${labelText(field)})` : l.label, entries: l.entries };
    }
    const input = field.querySelector('input[type=text]');
    const v = input.value.trim();
    if (!v) {
      if (required) { setFieldError(field, `${labelText(field)} is needed: owner/name, or drop files here.`); firstBad ??= input; }
      return null;
    }
    // The one model-id parser (ids, @revisions and pasted hub URLs), as the CLI and links use.
    try { parseModelId(v); } catch {
      setFieldError(field, `“${v}” is not a model ID: use owner/name, owner/name@revision, or owner/name:Q4_K_M for a GGUF file.`);
      firstBad ??= input;
      return null;
    }
    setFieldError(field, '');
    return { kind: 'hub', id: v };
  };
  const suspect = read(f.suspect, true);
  // Parent and Base are optional: a role left empty is discovered (js/discover/).
  const parents = f.parents.map((p) => read(p, false)).filter(Boolean);
  const base = read(f.base, false);
  const candidates = [];
  const candBox = /** @type {HTMLTextAreaElement} */ (byId('candidates'));
  for (const c of candBox.value.split(/[\s,]+/).filter(Boolean)) {
    try { parseModelId(c); } catch { return { error: `“${c}” in Other candidates is not a model ID: use owner/name, owner/name@revision, or owner/name:Q4_K_M for a GGUF file.`, focus: candBox }; }
    candidates.push(c);
  }
  const discover = parents.length === 0 || !base || candidates.length > 0;
  if (discover && suspect?.kind === 'local') {
    setFieldError(f.suspect, 'Finding the parents needs a Hub suspect: give Parent and Base for local files.');
    firstBad ??= f.suspect.querySelector('input[type=text]');
  }
  const control = read(f.control, false);

  const endpointRaw = byId('endpoint').value.trim() || DEFAULT_ENDPOINT;
  let endpoint = endpointRaw.replace(/\/+$/, '');
  try {
    const u = new URL(endpoint);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
  } catch {
    byId('advanced').open = true;
    return { error: `Hub endpoint “${endpointRaw}” is not an http(s) URL.`, focus: byId('endpoint') };
  }
  // The CLI's sizes (64MiB, 512KiB, 1GB) and limits; a plain number is MB, as the field always took.
  let budget;
  try {
    budget = parseBudget(byId('budget').value, { plainUnit: 'MB' });
  } catch (e) {
    byId('advanced').open = true;
    return { error: `Byte budget: ${e.message}.`, focus: byId('budget') };
  }
  const seed = Number(byId('seed').value || 0);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    byId('advanced').open = true;
    return { error: 'Seed must be a whole number, 0 or more.', focus: byId('seed') };
  }
  // The field shows the token of the endpoint it was entered for; any other endpoint gets none.
  const token = tokenField.origin === endpointOrigin(endpoint) ? byId('token').value.trim() : '';
  const badToken = tokenProblem(token);
  if (badToken) {
    byId('advanced').open = true;
    const message = `${badToken[0].toUpperCase()}${badToken.slice(1)} (a space, a line break or a non-ASCII letter).`;
    setTokenError(message);
    return { error: message, focus: byId('token') };
  }
  if (firstBad) return { error: 'Some fields need attention.', focus: firstBad };
  return {
    spec: {
      endpoint, token, budget, seed,
      suspect, parents, base: base ?? undefined, control: control ?? undefined,
      ...(discover ? { discover: true, candidates } : {}),
    },
  };
}

/** Fill the form from share-link parameters or a demo: { suspect, parents:[..], base, control, endpoint, budget, seed }. */
export function fillForm(p) {
  const f = roleFields();
  for (const field of [f.suspect, ...f.parents, f.base, f.control]) if (local.has(field)) clearLocal(field);
  const set = (field, v) => { field.querySelector('input[type=text]').value = v ?? ''; setFieldError(field, ''); };
  set(f.suspect, p.suspect);
  const parents = p.parents?.length ? p.parents : [''];
  while (byId('parents').children.length > parents.length) removeParent(byId('parents').lastElementChild);
  while (byId('parents').children.length < parents.length) addParent();
  [...byId('parents').children].forEach((field, i) => set(field, parents[i]));
  set(f.base, p.base);
  /** @type {HTMLTextAreaElement} */ (byId('candidates')).value = (p.candidates ?? []).join('\n');
  set(f.control, p.control);
  byId('endpoint').value = p.endpoint || DEFAULT_ENDPOINT;
  showTokenFor(byId('endpoint').value);
  // Exact (links carry bytes), so the plan is the same; a budget the page cannot run is still
  // shown, and readForm() says why.
  if (p.budget !== undefined) byId('budget').value = formatBudget(p.budget);
  if (p.seed !== undefined) byId('seed').value = String(p.seed);
  if (p.endpoint && p.endpoint !== DEFAULT_ENDPOINT) byId('advanced').open = true;
}

export function setFormBusy(busy) {
  byId('verify').disabled = busy;
  byId('verify').textContent = busy ? 'Verifying…' : 'Verify';
}

/** Marks the field of a role named in a run error ("suspect", "parent 2", "base", "control"). */
export function markRoleError(role, message) {
  const f = roleFields();
  const m = /^parent(?: (\d+))?$/.exec(role ?? '');
  const field = m ? f.parents[(Number(m[1]) || 1) - 1] : f[role];
  if (field && !local.has(field)) setFieldError(field, message);
}
