// How a share (0..1) is written as a percentage, everywhere (page, CLI, plain meaning, coverage
// note): never rounded up to 100% or down to 0% when it is not exactly that, so a bit-exact share
// of 99.975% reads "99.98%" and one changed element in a million is not "0.0%". The core's words
// (src/verdict/text_format.h, pct) follow the same rule.

/**
 * @param {number} share  0..1
 * @param {number} [digits]  the fewest decimals shown (more are added only to avoid a false 0 or 100)
 * @returns {string}  e.g. "57.1%", "99.98%", or "undefined" when share is not a number
 */
export function percent(share, digits = 1) {
  if (typeof share !== 'number' || !Number.isFinite(share)) return 'undefined';
  for (let d = digits; d <= 6; d++) {
    const s = (100 * share).toFixed(d);
    const r = Number(s);
    if ((r === 100 && share < 1) || (r === 0 && share > 0)) continue;
    return `${s}%`;
  }
  return share > 0.5 ? '<100%' : '>0%';
}
