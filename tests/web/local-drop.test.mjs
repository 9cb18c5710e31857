// One model per role field (web/ui/local-drop.mjs): a drop of two folders, or of a folder with loose
// files, or of files that would share a path, is refused with words; one model's files are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropProblem } from '../../web/ui/local-drop.mjs';

test('one folder, or the files of one model: accepted', () => {
  assert.equal(dropProblem({ label: 'm', folders: 1, roots: 1, paths: ['model.safetensors', 'config.json'] }), '');
  assert.equal(dropProblem({ label: '3 files', folders: 0, roots: 3, paths: ['model.safetensors.index.json', 'a.safetensors', 'b.safetensors'] }), '');
});

test('two folders, a folder and loose files, or two files on one path: refused, saying what was dropped', () => {
  assert.match(dropProblem({ label: '2 folders (a, b)', folders: 2, roots: 2, paths: ['model.safetensors', 'x.json'] }),
    /^One model per field: this drop holds 2 folders \(a, b\)\./);
  assert.match(dropProblem({ label: '2 items', folders: 1, roots: 2, paths: ['model.safetensors', 'notes.txt'] }), /One model per field/);
  assert.match(dropProblem({ label: '2 items', folders: 0, roots: 2, paths: ['model.safetensors', 'model.safetensors'] }), /One model per field/);
});
