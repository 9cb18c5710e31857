// Number and size formatting shared by the verdict card, the tables and the progress line.

/** 1536 -> "1.5 KB"; decimal units, as download tools show them. */
export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  if (i === 0) return `${n} B`;
  const text = (x) => x.toFixed(Math.abs(x) < 10 ? 2 : Math.abs(x) < 100 ? 1 : 0);
  // 999,999 B rounds to "1000 KB": say "1.00 MB" instead.
  if (Math.abs(+text(n)) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${text(n)} ${units[i]}`;
}

/** Fixed decimals, "—" for missing or non-finite values; never "-0.000". */
export function num(x, digits = 3) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  const t = x.toFixed(digits);
  return /^-0\.?0*$/.test(t) ? t.slice(1) : t;
}

/**
 * A small spread or standard error: three decimals, or two significant digits when three
 * decimals would show 0.000 for a value that is not zero (0.00031 is information, 0.000 is not).
 */
export function small(x) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a === 0 || a >= 0.01) return num(x, 3);
  return num(x, Math.min(8, 1 - Math.floor(Math.log10(a))));
}

/** "0.562–0.580", or "—" when either end is missing (never "—–—"). */
export function range(lo, hi, digits = 3) {
  return Number.isFinite(lo) && Number.isFinite(hi) ? `${num(lo, digits)}–${num(hi, digits)}` : '—';
}

/** 1234567 -> "1,234,567" (locale-independent so screenshots and tests are stable). */
export function int(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Parent letter for display: 0 -> "A", 1 -> "A2"... with one parent just "A". */
export function parentName(i, k) {
  return k <= 1 ? 'A' : `A${i + 1}`;
}

export function shortSha(sha) {
  return typeof sha === 'string' && /^[0-9a-f]{40}$/i.test(sha) ? sha.slice(0, 10) : String(sha ?? '');
}
