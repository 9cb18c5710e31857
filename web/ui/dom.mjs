// DOM building without innerHTML: every string that may come from a model, a hub or a URL becomes a
// text node, so nothing a repo author writes can turn into markup on this page.

/**
 * h('a', { href, class: 'x', onclick: fn }, 'text', childNode, [more, children])
 * Typed by tag for tsc: h('input') is an HTMLInputElement.
 * Attribute values go through setAttribute (or a property for `on*` handlers); string children
 * become text nodes. null/undefined/false children are skipped.
 * @template {string} K
 * @param {K} tag
 * @param {Record<string, any>|null} [attrs]
 * @param {...any} children
 * @returns {K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return /** @type {any} */ (el);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The same for SVG elements. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replace all children of `el` (text nodes for strings). */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * The elements of web/index.html that code reads or sets beyond HTMLElement (a value, .open,
 * .disabled), by id, so tsc checks byId('budget').value; any other id is an HTMLElement.
 * @typedef {{
 *   budget: HTMLInputElement, endpoint: HTMLInputElement, token: HTMLInputElement, seed: HTMLInputElement,
 *   advanced: HTMLDetailsElement, verify: HTMLButtonElement,
 *   cancel: HTMLButtonElement, 'retry-now': HTMLButtonElement, 'add-parent': HTMLButtonElement,
 *   'verify-form': HTMLFormElement,
 * }} PageElements
 */

/**
 * document.getElementById that fails loudly when the page and the code disagree.
 * @template {string} K
 * @param {K} id
 * @returns {K extends keyof PageElements ? PageElements[K] : HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} missing`);
  return /** @type {any} */ (el);
}
