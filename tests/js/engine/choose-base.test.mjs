// The base for a run without --base (js/engine/choose-base.mjs): mergekit's config first, a card that
// names one model and is no merge's next, never "the listed model that is not the parent" (§9).
import test from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../../js/engine/run-analysis.mjs';
import { chooseBase, parseMergekitBase, readMergekitBase } from '../../../js/engine/choose-base.mjs';

const usage = (fn, re) => assert.throws(fn, (e) => e instanceof EngineError && e.code === 'usage' && re.test(e.message), String(re));
const parent = { kind: 'hub', repo: 'org/ft', revision: 'main' };
const hub = (repo) => ({ kind: 'hub', repo, revision: 'main' });

test('parseMergekitBase: the top-level base_model in its written forms, null otherwise', () => {
  const cfg = (b) => `models:\n  - model: org/ft\n    parameters:\n      weight: 0.5\n${b}\nmerge_method: ties\ndtype: bfloat16\n`;
  assert.equal(parseMergekitBase(cfg('base_model: org/base')), 'org/base');
  assert.equal(parseMergekitBase(cfg('base_model: "org/base"  # the common base')), 'org/base');
  assert.equal(parseMergekitBase(cfg("base_model: 'org/base'")), 'org/base');
  assert.equal(parseMergekitBase(cfg('base_model: org/base # comment')), 'org/base');
  assert.equal(parseMergekitBase(cfg('base_model: org/base+org/some-lora')), 'org/base');
  assert.equal(parseMergekitBase(cfg('base_model:\n  model:\n    path: org/base')), 'org/base');
  assert.equal(parseMergekitBase('base_model: org/base\r\nmerge_method: slerp\r\n'), 'org/base');
  // The `model:` keys of the models list are not the base; nor is an indented base_model.
  assert.equal(parseMergekitBase(cfg('')), null);
  assert.equal(parseMergekitBase('slices:\n  - sources:\n      - model: a/b\n    base_model: a/c\n'), null);
  assert.equal(parseMergekitBase(cfg('base_model:')), null);
  assert.equal(parseMergekitBase(cfg('base_model: null')), null);
  assert.equal(parseMergekitBase(cfg('base_model: [a/b, c/d]')), null);
  assert.equal(parseMergekitBase('base_model: a/b\nbase_model: c/d\n'), null, 'repeated key');
});

test('chooseBase: mergekit config first, and it says so', () => {
  const mergekit = { file: 'mergekit_config.yml', base: 'org/base' };
  const r = chooseBase({ baseModels: ['org/ft', 'org/base', 'org/other'], relation: 'merge', mergekit }, parent, 'x/merge');
  assert.deepEqual(r.spec, hub('org/base'));
  assert.equal(r.source, "the base_model of x/merge's mergekit_config.yml");
  usage(() => chooseBase({ mergekit: { file: 'mergekit_config.yml', base: './local/base' } }, parent, 'x/merge'), /not a Hub repo id/);
  usage(() => chooseBase({ mergekit: { file: 'mergekit_config.yml', base: 'org/ft' } }, parent, 'x/merge'), /which is the parent itself/);
});

test('chooseBase: a card naming one model that is not the parent; the relation is said', () => {
  assert.deepEqual(chooseBase({ baseModels: ['org/base'] }, parent, 'x/merge'),
    { spec: hub('org/base'), source: "the base_model named on x/merge's model card" });
  assert.equal(chooseBase({ baseModels: ['org/base'], relation: 'finetune' }, parent, 'x/merge').source,
    "the base_model named on x/merge's model card (base_model_relation: finetune)");
  assert.deepEqual(chooseBase({ baseModels: ['org/base', 'org/base', 'x/merge'] }, { kind: 'local', path: './a' }, 'x/merge').spec, hub('org/base'));
  usage(() => chooseBase({ baseModels: [] }, parent, 'x/merge'), /^missing --base .*x\/merge's model card names no base_model/);
  usage(() => chooseBase({}, parent, 'x/merge'), /names no base_model/);
  usage(() => chooseBase({ baseModels: [], mergekit: { file: 'mergekit_config.yml', base: null } }, parent, 'x/merge'),
    /names no base_model and its mergekit_config.yml has no base_model: line/);
  usage(() => chooseBase({ baseModels: ['org/ft'] }, parent, 'x/merge'), /names base_model org\/ft, which is the parent, not a common base/);
});

test('chooseBase: a merge\'s card (several models, or relation merge) never gives the base by elimination', () => {
  // Before: ['org/ft', 'org/base'] gave org/base as "the one that is not the parent"; it may be a second parent.
  usage(() => chooseBase({ baseModels: ['org/ft', 'org/base'] }, parent, 'x/merge'),
    /lists base_model org\/ft, org\/base, and a merge's card lists every merged model, so it does not say which is the base \(candidates: org\/base\) and the repo has no mergekit_config.yml/);
  usage(() => chooseBase({ baseModels: ['org/other'], relation: 'merge' }, parent, 'x/merge'), /\(base_model_relation: merge\).*candidates: org\/other/);
  usage(() => chooseBase({ baseModels: ['a/one', 'b/two'], mergekit: { file: 'mergekit_config.yml', base: null } }, parent, 'x/merge'),
    /candidates: a\/one, b\/two\); its mergekit_config.yml has no base_model: line/);
});

test('readMergekitBase reads the config through the model\'s own files, and only when listed', async () => {
  const text = new TextEncoder().encode('base_model: org/base\nmerge_method: linear\n');
  const model = {
    files: ['config.json', 'mergekit_config.yml', 'model.safetensors'],
    file: (name) => {
      assert.equal(name, 'mergekit_config.yml');
      return { size: async () => text.length, read: async (a, b, sink) => sink(text.subarray(a, b), 0) };
    },
  };
  assert.deepEqual(await readMergekitBase(model), { file: 'mergekit_config.yml', base: 'org/base' });
  assert.equal(await readMergekitBase({ files: ['model.safetensors'], file: () => assert.fail('not read') }), null);
  const big = { files: ['mergekit_moe_config.yml'], file: () => ({ size: async () => 10 << 20, read: () => assert.fail('not read') }) };
  assert.deepEqual(await readMergekitBase(big), { file: 'mergekit_moe_config.yml', base: null });
});
