// The page's words, explained once: a glossary card with an anchor per term, and term() links that
// carry the short explanation as a tooltip. Links scroll to the entry without changing the URL's
// hash, which holds the share link of the run on show.
import { h } from './dom.mjs';

/** @type {Record<string, { term: string, text: string }>} */
export const GLOSSARY = {
  delta: { term: 'delta', text: 'A model\u2019s weights minus the base\u2019s: D = C \u2212 B for the suspect, d = A \u2212 B for a parent. Fine-tuning and merging both show up only here.' },
  alpha: { term: 'alpha (\u03b1)', text: 'How much of the parent\u2019s delta the suspect carries: the least-squares \u03b1 in D \u2248 \u03b1\u00b7d. A linear merge 0.6\u00b7A + 0.4\u00b7B has \u03b1 = 0.6 in every tensor; an unrelated fine-tune gives small, scattered values.' },
  cos_fit: { term: 'cos_fit', text: 'How much of the suspect\u2019s delta the parents\u2019 deltas explain: the cosine between D and its best fit \u03b1\u00b7d (\u221aR\u00b2 with several parents). Near 1 (up to the rounding ceiling) for a merge, near 0 for an unrelated model.' },
  r2: { term: 'R\u00b2', text: 'The share of the suspect\u2019s delta that the fit explains, from 0 to 1; cos_fit is its square root.' },
  spread: { term: 'spread', text: 'The standard deviation of alpha over the tensors of a group. One merge weight applied everywhere gives a spread near 0.' },
  se: { term: 'standard error (\u00b1 se)', text: 'How far a tensor\u2019s alpha could move by chance, from the rows sampled; more rows make it smaller.' },
  ulp: { term: 'ulp', text: 'Unit in the last place: the gap between neighbouring numbers the stored type (bf16, fp16) can hold. A delta of a few ulps is mostly rounding.' },
  ceiling: { term: 'rounding ceiling', text: 'The best cos_fit an exact merge can reach once its result is rounded to the stored type. With bf16 weights and small deltas it is below 1, so read cos_fit against it.' },
  rounding: { term: 'rounding-dominated', text: 'A tensor whose deltas are only a few ulps: rounding alone keeps its cos_fit below 0.9 and pulls its alpha towards 0 or 1, so it is shown but left out of the statistics.' },
  outlier: { term: 'outlier', text: 'A tensor whose alpha is far from its component\u2019s: a layer merged differently, or noise in a small tensor.' },
  control: { term: 'control', text: 'Another fine-tune of the same base, measured exactly like the suspect: what a model that is not a merge scores here.' },
  density: { term: 'density', text: 'In TIES and DARE merges, the share of delta entries kept; the rest are set to zero before merging.' },
  lambda: { term: 'lambda (\u03bb)', text: 'A scale applied to the merged delta (task arithmetic, DARE\u2019s rescaling): it multiplies the alpha a merge shows.' },
};

/** A link to a glossary entry, its short text as a tooltip. @param {keyof GLOSSARY} key @param {string} [label] */
export function term(key, label) {
  const g = GLOSSARY[key];
  return h('a', { class: 'term', href: `#g-${key}`, title: g.text, onclick: goTo }, label ?? g.term);
}

/** @param {MouseEvent} ev */
function goTo(ev) {
  const a = /** @type {HTMLAnchorElement} */ (ev.currentTarget);
  const target = document.getElementById(a.getAttribute('href').slice(1));
  if (!target) return;
  ev.preventDefault();
  target.scrollIntoView({ block: 'center' });
  target.focus({ preventScroll: true });
}

/** The glossary card. */
export function glossarySection() {
  return h('section', { class: 'card glossary', id: 'glossary', 'aria-labelledby': 'glossary-title' },
    h('h2', { id: 'glossary-title' }, 'What the words mean'),
    h('dl', null, Object.entries(GLOSSARY).map(([key, g]) => [
      h('dt', { id: `g-${key}`, tabindex: '-1' }, g.term), h('dd', null, g.text)])));
}
