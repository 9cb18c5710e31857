// A mock hub with the tiny trio (tools/gen/tiny-trio.mjs) as base, parent and a suspect whose
// one shard sits beside an index of a given listed size; the index's bytes are zeros, served
// lazily, and every read of them is counted, so a test can tell whether the engine read it.
import { bufferFile } from '../../tools/mock-hub/repo.mjs';
import { startMockHub } from '../../tools/mock-hub/server.mjs';
import { tinyTrio } from '../../tools/gen/tiny-trio.mjs';

/**
 * @param {{suspect: string, indexSize: number}} o  the suspect's repo id, the index's listed size
 * @returns {Promise<{hub: any, trio: ReturnType<typeof tinyTrio>, indexReads: () => number}>}
 */
export async function tinyIndexHub({ suspect, indexSize }) {
  const trio = tinyTrio();
  let reads = 0;
  const index = {
    size: indexSize, lfs: true, sha256: 'ab'.repeat(32), gitSha: 'cd'.repeat(20),
    read: (/** @type {number} */ a, /** @type {number} */ b) => { reads++; return new Uint8Array(b - a); },
  };
  const single = (bytes) => ({ 'model.safetensors': bufferFile('model.safetensors', bytes) });
  const hub = await startMockHub({
    repos: [
      { id: 'tiny/base', commits: [single(trio.base)] },
      { id: 'tiny/parent', commits: [single(trio.parent)] },
      { id: suspect, commits: [{ 'model.safetensors.index.json': index,
        'model-00001-of-00001.safetensors': bufferFile('model-00001-of-00001.safetensors', trio.merge) }] },
    ],
  });
  return { hub, trio, indexReads: () => reads };
}
