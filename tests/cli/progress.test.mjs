// Progress on stderr: a redrawn bar on a terminal, plain lines otherwise. Events shaped like the
// engine's onProgress({phase, bytes, requests, budget, done, total}).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bar, createProgress, describe, fractionOf } from '../../cli/progress.mjs';

const sink = (isTTY) => ({ isTTY, columns: 100, out: '', write(s) { this.out += s; } });
const MiB = 1048576;
const ev = (phase, done, total, bytes = 0, requests = 0) => ({ phase, done, total, bytes, requests, budget: 64 * MiB });
const events = [
  ev('resolving', 0, 3), ev('resolving', 3, 3, 0, 3),
  ev('headers', 0, 0, 0, 3), ev('headers', 1, 3, 1000, 4), ev('headers', 3, 3, 3000, 6),
  ev('plan', 3, 3, 3000, 6),
  ...Array.from({ length: 11 }, (_, i) => ev('fetching', i, 10, 3000 + i * 100 * 1024, 6 + i)),
  ev('computing', 10, 10, 3000 + 1000 * 1024, 16),
  ev('done', 10, 10, 3000 + 1000 * 1024, 16),
];

test('fraction and text of an event', () => {
  assert.equal(fractionOf({ phase: 'headers', done: 1, total: 4 }), 0.25);
  assert.equal(fractionOf({ phase: 'fetching', bytes: 50, budget: 200 }), 0.25);
  assert.equal(fractionOf({ phase: 'computing' }), null);
  assert.equal(describe(ev('fetching', 2, 8, 2 * MiB, 5)), 'fetching  2.0 MiB  2/8 ranges  5 requests');
  assert.equal(describe(ev('headers', 1, 3, 0, 2)), 'reading headers  1/3 files  2 requests');
  assert.equal(describe(ev('headers', 0, 0)), 'reading headers');
  assert.equal(describe(ev('plan', 3, 3, 0, 6)), 'planning  6 requests');
  assert.equal(describe({ phase: 'resolving', label: 'o/n', done: 1, total: 3 }), 'resolving  o/n  1/3 models');
  assert.equal(bar(0.5, 10), '[#####.....]  50%');
  assert.equal(bar(1, 4), '[####] 100%');
});

test('plain mode: one line per phase and per quarter of the fetch, no escape codes', () => {
  const s = sink(false);
  const p = createProgress({ stream: s });
  for (const e of events) p.update(e);
  p.note('using base_model o/b from the suspect\'s model card');
  assert.ok(!s.out.includes('\x1b') && !s.out.includes('\r'));
  assert.deepEqual(s.out.trimEnd().split('\n'), [
    'mergeprobe: resolving  0/3 models',
    'mergeprobe: reading headers  3 requests',
    'mergeprobe: planning  6 requests',
    'mergeprobe: fetching  2.9 KiB  0/10 ranges  6 requests',
    'mergeprobe: fetching  302.9 KiB  3/10 ranges  9 requests',
    'mergeprobe: fetching  502.9 KiB  5/10 ranges  11 requests',
    'mergeprobe: fetching  802.9 KiB  8/10 ranges  14 requests',
    'mergeprobe: fetching  1002.9 KiB  10/10 ranges  16 requests',
    'mergeprobe: computing  16 requests',
    'mergeprobe: done',
    "mergeprobe: using base_model o/b from the suspect's model card",
  ]);
});

test('terminal mode: redraws one line with a bar, throttled, cleared at the end', () => {
  const s = sink(true);
  let t = 0;
  const p = createProgress({ stream: s, now: () => t });
  for (const e of events) { p.update(e); t += 30; }
  assert.ok(!s.out.includes('\n'), 'a bar never scrolls');
  const draws = s.out.split('\r\x1b[K').filter(Boolean);
  assert.ok(draws.includes('[##########..............]  40% fetching  402.9 KiB  4/10 ranges  10 requests'), draws.join(' | '));
  assert.ok(draws.includes('computing  16 requests'), 'no bar where nothing is counted');
  assert.ok(draws.length < events.length, `throttled: ${draws.length} draws for ${events.length} events`);
  assert.ok(s.out.endsWith('\r\x1b[K'), 'the line is cleared when done');
  p.note('hello');
  assert.ok(s.out.endsWith('mergeprobe: hello\n'));
});

test('a terminal that reports 0 columns (a fresh pty) still gets whole lines', () => {
  const s = { isTTY: true, columns: 0, out: '', write(x) { this.out += x; } };
  createProgress({ stream: s }).update({ phase: 'resolving', done: 0, total: 3 });
  assert.equal(s.out, '\r\x1b[K[........................]   0% resolving  0/3 models');
});

test('watch(): a silent server shows on the progress line ("waiting for host (no data for 7 s)"), once in plain mode', async () => {
  for (const tty of [true, false]) {
    const s = sink(tty);
    const p = createProgress({ stream: s, intervalMs: 0 });
    p.update(ev('fetching', 1, 4, MiB, 3));
    let ms = 1000;
    p.watch(() => ({ stalledMs: ms, host: 'huggingface.co' }), 10);
    await new Promise((r) => setTimeout(r, 40));
    assert.ok(!/waiting for/.test(s.out), 'a short pause is not shown');
    ms = 7000;
    await new Promise((r) => setTimeout(r, 60));
    p.finish();
    const shown = s.out.match(/waiting for huggingface\.co \(no data for 7 s\)/g) ?? [];
    assert.ok(shown.length >= 1, s.out);
    if (!tty) assert.equal(shown.length, 1, 'plain mode: one line per silence');
    const after = s.out.length;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(s.out.length, after, 'finish() stops the timer');
  }
});
