// Share links and CSV: the round trip a reader relies on to reproduce a run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { buildShareUrl, decodeShareParams, compareWithExpected, encodeShareParams } from '../../../js/report/share-link.mjs';
import { csvCell, reportToCsv } from '../../../js/report/csv.mjs';
import { METHOD_VERSION } from '../../../js/engine/defaults.mjs';

const sha = (c) => c.repeat(40);
function sampleReport() {
  return {
    models: {
      suspect: { repo: 'rio/Rio-3.5', revision: sha('a') },
      parents: [{ repo: 'nex/N2-Pro', revision: sha('b') }],
      base: { repo: 'Qwen/Qwen3.5', revision: sha('c') },
    },
    endpoint: 'http://127.0.0.1:9999',
    plan: { budget_bytes: 64 << 20, seed: 7 },
    summary: { alphas: [0.5712345678], cos_fit: 0.9931234, verdict: 'linear-merge' },
    tensors: [{ name: '=cmd|evil', component: 'attention', layer: 3, expert: null, shape: '[4,4]', elements: 16,
      alphas: [0.5], alpha_se: [0.01], cos_fit: 0.99, sparsity: [{ zero_share: 0 }], bit_exact: {}, control: null }],
  };
}

/** The CSV's table: the lines after its '#' header block. */
const tableLines = (csv) => csv.trim().split('\n').filter((l) => !l.startsWith('#'));

test('share link round trip keeps pinned SHAs, endpoint, budget, seed and the summary', () => {
  const url = buildShareUrl('https://page.example/mp/', sampleReport());
  assert.ok(url.startsWith('https://page.example/mp/#'));
  assert.ok(!/token|Bearer/i.test(url));
  const spec = decodeShareParams(new URL(url).hash);
  assert.deepEqual(spec.suspect, { repo: 'rio/Rio-3.5', revision: sha('a') });
  assert.deepEqual(spec.parents, [{ repo: 'nex/N2-Pro', revision: sha('b') }]);
  assert.equal(spec.endpoint, 'http://127.0.0.1:9999');
  assert.equal(spec.budget, 64 << 20);
  assert.equal(spec.seed, 7);
  assert.equal(spec.version, METHOD_VERSION);
  assert.deepEqual(spec.expected, { alphas: [0.571235], cos_fit: 0.993123, verdict: 'linear-merge' });
  assert.equal(compareWithExpected(spec.expected, sampleReport()).reproduced, true);
  const other = sampleReport();
  other.summary.alphas = [0.58];
  const cmp = compareWithExpected(spec.expected, other);
  assert.equal(cmp.reproduced, false);
  assert.match(cmp.differences[0], /alpha 1/);
});

test('no share link for local models; malformed links are refused with a message', () => {
  const r = sampleReport();
  r.models.base.revision = 'local';
  assert.equal(buildShareUrl('https://x/', r), null);
  assert.equal(decodeShareParams(''), null);
  assert.throws(() => decodeShareParams('s=a/b'), /incomplete/);
  assert.throws(() => decodeShareParams('s=a/b&p=c/d&b=e/f&seed=-1'), /seed/);
  assert.throws(() => decodeShareParams('s=../../etc&p=c/d&b=e/f'), /owner\/name/);
  const spec = decodeShareParams(encodeShareParams({ suspect: { repo: 'a/b' }, parents: [{ repo: 'c/d', revision: 'v1' }], base: { repo: 'e/f' }, seed: 3 }));
  assert.equal(spec.suspect.revision, 'main');
  assert.equal(spec.parents[0].revision, 'v1');
});

test('CSV neutralises formula-like text cells with a leading quote', () => {
  const csv = reportToCsv(sampleReport());
  const lines = tableLines(csv);
  assert.equal(lines.length, 2);
  assert.ok(lines[1].startsWith(`"'=cmd|evil",attention,3,`));
});

test('CSV: every formula start is neutralised, numbers and plain text are left as they are', () => {
  for (const [cell, want] of [
    ['=1+1', `"'=1+1"`], ['+1', `"'+1"`], ['-1+2', `"'-1+2"`], ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1+1', `"'\t=1+1"`], ['\r=1+1', `"'\r=1+1"`], ['\tplain', `"'\tplain"`], ['  =1+1', `"'  =1+1"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['model.layers.0.q_proj.weight', 'model.layers.0.q_proj.weight'], ['a,b', '"a,b"'], ['a"b', '"a""b"'],
    [-0.5, '-0.5'], [-1e-7, '-1e-7'], [0, '0'], [true, 'true'], [null, ''], [[4096, 128], '4096 128'],
  ]) assert.equal(csvCell(cell), want, JSON.stringify(cell));
  const r = sampleReport();
  r.tensors[0].name = '\t=2+5';
  r.tensors[0].alphas = [-0.25];
  const row = tableLines(reportToCsv(r))[1];
  assert.ok(row.startsWith(`"'\t=2+5",attention,3,,"[4,4]",16,-0.25,0.01,`), row);
});

test('CSV: a header block names the models and their commits; dtype and left-out columns per tensor', () => {
  const r = sampleReport();
  r.schema = 'mergeprobe.report/1';
  r.models.base.label = undefined;
  r.models.suspect.repo = '=evil/model';
  r.tensors[0].dtypes = ['BF16', 'BF16', 'F32'];
  r.tensors[0].rounding_dominated = true;
  const lines = reportToCsv(r).trim().split('\n');
  const header = lines.filter((l) => l.startsWith('#'));
  assert.ok(header.length >= 5, header.join('\n'));
  assert.ok(lines.slice(0, header.length).every((l) => l.startsWith('#')), 'the block comes first');
  assert.ok(header.some((l) => l === `# suspect,"'=evil/model",${sha('a')},`), header.join('\n'));
  assert.ok(header.some((l) => l === `# parent,nex/N2-Pro,${sha('b')},`));
  assert.ok(header.some((l) => l === `# base,Qwen/Qwen3.5,${sha('c')},`));
  assert.ok(header.some((l) => l === '# endpoint,http://127.0.0.1:9999'));
  const [head, row] = tableLines(reportToCsv(r));
  const cols = head.split(',');
  const cells = row.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/);  // commas outside quotes
  assert.equal(cells[cols.indexOf('dtypes')], 'BF16/BF16/F32');
  assert.equal(cells[cols.indexOf('rounding_dominated')], 'true');
  assert.equal(cells[cols.indexOf('degenerate')], 'false');
});
