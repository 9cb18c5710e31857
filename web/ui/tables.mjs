// The evidence tables: per component, per tensor (sortable, filterable, paginated: a 397B model has
// tens of thousands of tensors and the DOM must stay small), and the tensors that did not match.
import { h, replace } from './dom.mjs';
import { int, num, parentName, small } from './format.mjs';
import { GLOSSARY, term } from './glossary.mjs';

export function componentTable(v) {
  const head = [h('th', { scope: 'col' }, 'Component'), h('th', { scope: 'col', class: 'num' }, 'Tensors')];
  for (let i = 0; i < v.k; i++) {
    head.push(h('th', { scope: 'col', class: 'num' }, term('alpha', `alpha ${parentName(i, v.k)}`)),
      h('th', { scope: 'col', class: 'num' }, term('spread')));
  }
  head.push(h('th', { scope: 'col', class: 'num' }, term('cos_fit')));
  if (v.hasControl) head.push(h('th', { scope: 'col', class: 'num' }, term('control'), ' ', term('cos_fit')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'component-table' },
    h('caption', null, 'By component (each tensor one vote)'),
    h('thead', null, h('tr', null, head)),
    h('tbody', null, v.components.map((c) => {
      const cells = [h('th', { scope: 'row' }, c.component),
        h('td', { class: 'num' }, Number.isFinite(c.usable) && c.usable !== c.tensors ? `${int(c.usable)}/${int(c.tensors)}` : int(c.tensors))];
      for (let i = 0; i < v.k; i++) {
        cells.push(h('td', { class: 'num' }, num(c.alphaMean[i])), h('td', { class: 'num muted' }, small(c.alphaSpread[i])));
      }
      cells.push(h('td', { class: 'num' }, num(c.cosFit)));
      if (v.hasControl) cells.push(h('td', { class: 'num' }, num(c.controlCosFit)));
      return h('tr', { dataset: { component: c.component } }, cells);
    }))));
}

const PAGE = 50;

/**
 * A per-tensor table with a text filter, a component filter, an outliers-only switch, sortable
 * columns (aria-sort) and pages of 100 rows.
 */
export function tensorTable(v) {
  /** @type {{ key: string, label: string, get: (t: any) => any, fmt?: (x: any) => string, text?: boolean, nosort?: boolean, help?: keyof GLOSSARY }[]} */
  const cols = [
    { key: 'name', label: 'Tensor', get: (t) => t.name, text: true },
    { key: 'component', label: 'Component', get: (t) => t.component, text: true },
    { key: 'layer', label: 'Layer', get: (t) => t.layer, fmt: (x) => (x < 0 ? '—' : String(x)) },
    { key: 'shape', label: 'Shape', get: (t) => t.shape, text: true, nosort: true },
  ];
  for (let i = 0; i < v.k; i++) {
    cols.push({ key: `alpha${i}`, label: `alpha ${parentName(i, v.k)}`, help: 'alpha', get: (t) => t.alpha[i], fmt: (x) => num(x) });
    cols.push({ key: `se${i}`, label: '± se', help: 'se', get: (t) => t.alphaSe[i], fmt: (x) => small(x) });
  }
  cols.push({ key: 'cos', label: 'cos_fit', help: 'cos_fit', get: (t) => t.cosFit, fmt: (x) => num(x) });
  if (v.hasControl) cols.push({ key: 'ccos', label: 'control cos_fit', help: 'control', get: (t) => t.controlCosFit, fmt: (x) => num(x) });
  cols.push({ key: 'note', label: 'Note', text: true,
    get: (t) => [t.outlier ? 'outlier' : '', t.roundingDominated ? 'rounding-dominated (left out)' : '', t.note].filter(Boolean).join('; ') });

  const state = { filter: '', component: '', outliers: false, sort: null, dir: 1, page: 0 };
  const components = [...new Set(v.tensors.map((t) => t.component))].sort();

  const filterInput = h('input', { type: 'search', id: 'tensor-filter', placeholder: 'e.g. layers.3.', 'aria-describedby': 'tensor-count' });
  const compSelect = h('select', { id: 'tensor-component' }, h('option', { value: '' }, 'All components'),
    components.map((c) => h('option', { value: c }, c)));
  const outlierBox = h('input', { type: 'checkbox', id: 'tensor-outliers' });
  const count = h('p', { id: 'tensor-count', class: 'muted', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const headRow = h('tr');
  // Persistent buttons: re-creating them on each page would drop keyboard focus.
  const prev = h('button', { type: 'button', class: 'secondary small', onclick: () => { state.page--; render(); } }, '← Previous');
  const next = h('button', { type: 'button', class: 'secondary small', onclick: () => { state.page++; render(); } }, 'Next →');
  const pageLabel = h('span', { 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Tensor table pages' }, prev, pageLabel, next);

  for (const c of cols) {
    const th = h('th', { scope: 'col', class: c.text ? '' : 'num' });
    if (c.nosort) th.textContent = c.label;
    else {
      th.setAttribute('aria-sort', 'none');
      th.append(h('button', { type: 'button', class: 'sort', title: c.help ? GLOSSARY[c.help].text : null, onclick: () => {
        state.dir = state.sort === c ? -state.dir : 1;
        state.sort = c; state.page = 0;
        for (const other of headRow.children) if (other.hasAttribute('aria-sort')) other.setAttribute('aria-sort', 'none');
        th.setAttribute('aria-sort', state.dir > 0 ? 'ascending' : 'descending');
        render();
      } }, c.label));
    }
    headRow.append(th);
  }

  function rows() {
    const f = state.filter.toLowerCase();
    let out = v.tensors.filter((t) => (!f || t.name.toLowerCase().includes(f)) &&
      (!state.component || t.component === state.component) && (!state.outliers || t.outlier));
    if (state.sort) {
      const get = state.sort.get, dir = state.dir;
      out = out.slice().sort((a, b) => {
        const x = get(a), y = get(b);
        if (typeof x === 'number' || typeof y === 'number') {
          const xn = Number.isFinite(x), yn = Number.isFinite(y);
          if (!xn || !yn) return xn === yn ? 0 : xn ? -1 : 1;  // missing values last either way
          return (x - y) * dir;
        }
        return String(x).localeCompare(String(y)) * dir;
      });
    }
    return out;
  }

  function render() {
    const all = rows();
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const slice = all.slice(state.page * PAGE, (state.page + 1) * PAGE);
    replace(tbody, slice.map((t) => h('tr', { class: t.outlier ? 'outlier' : null },
      cols.map((c, i) => {
        const val = c.get(t);
        const text = c.fmt ? c.fmt(val) : String(val ?? '');
        return i === 0 ? h('th', { scope: 'row', class: 'name' }, text) : h('td', { class: c.text ? '' : 'num' }, text);
      }))));
    count.textContent = all.length === v.tensors.length
      ? `${int(all.length)} tensors`
      : `${int(all.length)} of ${int(v.tensors.length)} tensors match`;
    prev.disabled = state.page === 0;
    next.disabled = state.page >= pages - 1;
    pageLabel.textContent = `Page ${state.page + 1} of ${pages}`;
    pager.hidden = pages === 1;
  }

  filterInput.addEventListener('input', () => { state.filter = filterInput.value; state.page = 0; render(); });
  compSelect.addEventListener('change', () => { state.component = compSelect.value; state.page = 0; render(); });
  outlierBox.addEventListener('change', () => { state.outliers = outlierBox.checked; state.page = 0; render(); });
  render();

  return h('div', { class: 'tensor-table' },
    h('div', { class: 'filters' },
      h('label', { for: 'tensor-filter' }, 'Filter by name'), filterInput,
      h('label', { for: 'tensor-component' }, 'Component'), compSelect,
      h('label', { class: 'check' }, outlierBox, ' Outliers only')),
    count,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'tensor-table' },
      h('caption', { class: 'visually-hidden' }, 'Per-tensor results'),
      h('thead', null, headRow), tbody)),
    pager);
}

export function unmatchedList(v, roleNames) {
  if (!v.unmatched.length) return null;
  const shown = v.unmatched.slice(0, 200);
  return h('details', { class: 'unmatched' },
    h('summary', null, `${int(v.unmatched.length)} tensors could not be compared`),
    h('ul', null, shown.map((u) => h('li', null, h('code', null, u.name), ' — ',
      typeof u.model === 'number' && roleNames[u.model] ? `${roleNames[u.model]}: ` : '', u.reason))),
    v.unmatched.length > shown.length ? h('p', { class: 'muted' }, `… and ${int(v.unmatched.length - shown.length)} more (see the JSON report).`) : null);
}
