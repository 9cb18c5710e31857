// Progress on stderr: a redrawn bar on a terminal, plain lines otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { bar, createProgress, describe, fractionOf } from '../../web/lib/cli-progress.mjs';

const sink = (isTTY) => ({ isTTY, columns: 100, out: '', write(s) { this.out += s; } });
const events = [
  { phase: 'headers', done: 0, total: 3 },
  { phase: 'headers', done: 3, total: 3 },
  { phase: 'plan' },
  ...Array.from({ length: 11 }, (_, i) => ({ phase: 'fetching', bytes: i * 100 * 1024, budget: 1000 * 1024, requests: i })),
  { phase: 'computing' },
  { phase: 'done' },
];

test('fraction and text of an event', () => {
  assert.equal(fractionOf({ phase: 'headers', done: 1, total: 4 }), 0.25);
  assert.equal(fractionOf({ phase: 'fetching', bytes: 50, budget: 200 }), 0.25);
  assert.equal(fractionOf({ phase: 'computing' }), null);
  assert.equal(describe({ phase: 'fetching', bytes: 2 * 1048576, budget: 8 * 1048576, requests: 5 }), 'fetching  2.0 MiB / 8.0 MiB  5 requests');
  assert.equal(bar(0.5, 10), '[#####.....]  50%');
  assert.equal(bar(1, 4), '[####] 100%');
});

test('plain mode: one line per phase and per quarter of the fetch, no escape codes', () => {
  const s = sink(false);
  const p = createProgress({ stream: s });
  for (const ev of events) p.update(ev);
  p.note('using base_model o/b from the suspect\'s model card');
  const lines = s.out.trimEnd().split('\n');
  assert.ok(!s.out.includes('\x1b') && !s.out.includes('\r'));
  assert.deepEqual(lines.map((l) => l.split('  ')[0]), [
    'mergeprobe: reading headers', 'mergeprobe: reading headers', 'mergeprobe: planning',
    'mergeprobe: fetching', 'mergeprobe: fetching', 'mergeprobe: fetching', 'mergeprobe: fetching', 'mergeprobe: fetching',
    'mergeprobe: computing', 'mergeprobe: done', "mergeprobe: using base_model o/b from the suspect's model card",
  ]);
  assert.match(lines[7], /1000\.0 KiB \/ 1000\.0 KiB  10 requests \(100%\)$/);
});

test('terminal mode: redraws one line with a bar, throttled, cleared at the end', () => {
  const s = sink(true);
  let t = 0;
  const p = createProgress({ stream: s, now: () => t });
  for (const ev of events) { p.update(ev); t += 30; }
  assert.ok(!s.out.includes('\n'), 'a bar never scrolls');
  const draws = s.out.split('\r\x1b[K').filter(Boolean);
  assert.ok(draws.some((d) => /^\[#{10}\.{14}\]  40% fetching  400\.0 KiB/.test(d)), draws.join(' | '));
  assert.ok(draws.length < events.length, `throttled: ${draws.length} draws for ${events.length} events`);
  assert.ok(s.out.endsWith('\r\x1b[K'), 'the line is cleared when done');
  p.note('hello');
  assert.ok(s.out.endsWith('mergeprobe: hello\n'));
});

test('a terminal that reports 0 columns (a fresh pty) still gets whole lines', () => {
  const s = { isTTY: true, columns: 0, out: '', write(x) { this.out += x; } };
  createProgress({ stream: s }).update({ phase: 'resolving', done: 0, total: 3 });
  assert.equal(s.out, '\r\x1b[K[........................]   0% resolving  0/3');
});
