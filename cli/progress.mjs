// Progress on stderr for `mergeprobe verify`: one redrawn bar line on a terminal, plain lines
// otherwise (CI logs, pipes), so stdout stays for the report. Fed by the engine's
// onProgress({phase, bytes, requests, budget, done, total}), and by watch() for silent servers.
import { fmtBytes } from './format.mjs';
import { fmtSeconds } from '../js/io/hub/retry.mjs';
import { termSafe } from './term.mjs';

/** A silence this long is shown ("waiting for huggingface.co (no data for 7 s)"); shorter is normal. */
export const STALL_SHOW_MS = 5_000;

const PHASE_LABEL = {
  resolving: 'resolving', headers: 'reading headers', plan: 'planning', fetching: 'fetching',
  computing: 'computing', done: 'done',
  // Finding the roles not given (web/lib/discover/lineage.mjs), before the phases above.
  discovering: 'finding candidates', screening: 'screening',
};

/** Fraction of the current phase done, or null when unknown. */
export function fractionOf(ev) {
  if (typeof ev.done === 'number' && typeof ev.total === 'number' && ev.total > 0) return Math.min(1, ev.done / ev.total);
  if (ev.phase === 'fetching' && typeof ev.bytes === 'number' && typeof ev.budget === 'number' && ev.budget > 0) {
    return Math.min(1, ev.bytes / ev.budget);
  }
  return null;
}

/** The text of one progress event, without a bar. */
export function describe(ev) {
  const parts = [PHASE_LABEL[ev.phase] ?? String(ev.phase)];
  if (ev.label) parts.push(termSafe(ev.label));  // a repo id or path as given
  const counted = typeof ev.done === 'number' && typeof ev.total === 'number' && ev.total > 0;
  if (ev.phase === 'fetching') {
    // The engine's `budget` is the cap, not what the plan fetches: show bytes and ranges done.
    if (typeof ev.bytes === 'number') parts.push(fmtBytes(ev.bytes));
    if (counted) parts.push(`${ev.done}/${ev.total} ranges`);
  } else if (ev.phase === 'headers' || ev.phase === 'resolving' || ev.phase === 'screening') {
    if (counted) parts.push(`${ev.done}/${ev.total} ${ev.phase === 'headers' ? 'files' : 'models'}`);
  }
  if (typeof ev.requests === 'number' && ev.requests > 0 && ev.phase !== 'done') parts.push(`${ev.requests} requests`);
  // Right after the phase, so a narrow terminal still shows it.
  if (ev.stall) parts.splice(1, 0, `waiting for ${ev.stall.host} (no data for ${fmtSeconds(ev.stall.ms)})`);
  return parts.join('  ');
}

/** Fraction shown for an event: only where the phase has countable steps. */
function shownFraction(ev) {
  return ev.phase === 'fetching' || ev.phase === 'headers' || ev.phase === 'resolving' ? fractionOf(ev) : null;
}

export function bar(fraction, width = 24) {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/**
 * @param {{ stream?: {write:(s:string)=>any, isTTY?: boolean, columns?: number}, tty?: boolean,
 *           now?: () => number, intervalMs?: number }} [opts]
 * @returns {{ update(ev:object):void, note(msg:string):void, finish():void,
 *   watch(poll: () => {stalledMs: number, host: string}, everyMs?: number): void }}
 */
export function createProgress({ stream = process.stderr, tty = Boolean(stream.isTTY), now = Date.now, intervalMs = 100 } = {}) {
  let lastPhase = null;
  let lastEv = null;
  /** @type {ReturnType<typeof setInterval> | null} */
  let ticker = null;
  let stallShown = false; // plain mode: one line per silence
  let lastDraw = -Infinity;
  let lastStep = -1;     // plain mode: last quarter printed within a phase
  let lineOpen = false;  // tty: a bar line is on screen without its newline

  const clear = () => { if (lineOpen) { stream.write('\r\x1b[K'); lineOpen = false; } };

  const self = {
    update(ev) {
      if (!ev.stall) lastEv = ev;
      const frac = shownFraction(ev);
      const phaseChanged = ev.phase !== lastPhase;
      if (tty) {
        const t = now();
        if (!phaseChanged && !ev.stall && t - lastDraw < intervalMs && frac !== 1) return;  // redraw at most 10 times a second
        lastDraw = t;
        const width = Math.max(40, (stream.columns || 80) - 1);  // a pty may report 0 columns
        const text = (frac === null ? '' : `${bar(frac)} `) + describe(ev);
        stream.write(`\r\x1b[K${text.slice(0, width)}`);
        lineOpen = true;
        if (ev.phase === 'done') clear();
      } else {
        // Plain lines, so logs stay short: each phase once, then fetching at 25/50/75/100%.
        const step = frac === null || ev.phase !== 'fetching' ? -1 : Math.floor(frac * 4);
        if (ev.stall) {
          if (!stallShown) stream.write(`mergeprobe: ${describe(ev)}\n`);
          stallShown = true;
          return;
        }
        if (phaseChanged || step > lastStep) stream.write(`mergeprobe: ${describe(ev)}\n`);
        lastStep = phaseChanged ? step : Math.max(lastStep, step);
      }
      lastPhase = ev.phase;
    },
    /** A message between progress updates (e.g. "using base_model ..."): never lost in a redraw. */
    note(msg) {
      clear();
      stream.write(`mergeprobe: ${termSafe(msg)}\n`);  // notes name repos from model cards
    },
    /**
     * Polls for silence (HubClient.stalledMs) every second and shows it on the progress line, so a
     * stalled server is visible before the request's timeout drops it. The timer never keeps Node alive.
     */
    watch(poll, everyMs = 1000) {
      if (ticker) clearInterval(ticker);
      ticker = setInterval(() => {
        const { stalledMs, host } = poll();
        if (stalledMs < STALL_SHOW_MS) { stallShown = false; return; }
        if (lastEv && lastEv.phase !== 'done') self.update({ ...lastEv, stall: { host, ms: stalledMs } });
      }, everyMs);
      ticker.unref?.();
    },
    finish() {
      if (ticker) { clearInterval(ticker); ticker = null; }
      clear();
    },
  };
  return self;
}
