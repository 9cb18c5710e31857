// Number and size formatting shared by the verdict card, the tables and the progress line.

/** 1536 -> "1.5 KB"; decimal units, as download tools show them. */
export function bytes(n) {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)} ${units[i]}`;
}

/** Fixed decimals, "—" for missing or non-finite values. */
export function num(x, digits = 3) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '—';
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
