// mergekit_config.yml's base_model (js/discover/mergekit-config.mjs), in the forms mergekit and
// people write it; anything else is null, never a guess.
import test from 'node:test';
import assert from 'node:assert/strict';
import { parseMergekitBase } from '../../../js/discover/mergekit-config.mjs';


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
