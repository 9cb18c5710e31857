// Every file's header, read concurrently and handed to the core in a fixed order (so the report
// is stable) as soon as it and every file before it are in. Its bytes are freed right then, so
// the heap holds the parsed headers and the few read out of order, not every header's bytes
// beside their parsed form (78 MB of bytes for an FP8 397B trio's 240 shards).
import { roleLabel } from './defaults.mjs';
import { EngineError, coreError, mebibytes, megabytes } from './errors.mjs';
import { mapLimit } from './map-limit.mjs';

/**
 * @param {object} o
 * @param {{role: number, name: string, first: number, gguf?: boolean}[]} o.tasks in the order to add
 * @param {number} o.concurrency reads in flight
 * @param {any} o.mod @param {any} o.analysis @param {any[]} o.models @param {number} o.k
 * @param {ReturnType<typeof import('./heap-io.mjs').heapIO>} o.heap
 * @param {() => void} o.onRead after each file's header is read
 */
export async function readAndAddHeaders({ tasks, concurrency, mod, analysis, models, k, heap, onRead }) {
  const where = (h) => `${models[h.role].label} (${roleLabel(h.role, k)}): `;
  // Adds one header, and the longer reads a GGUF header may ask for; frees the bytes either way.
  const addHeader = async (h) => {
    try {
      let res = analysis.addFile(h.role, h.name, h.ptr, h.len, h.size);
      // A GGUF header longer than the first read: the core estimates the bytes it needs from 0
      // (at least 1.5x what it had); each answer must grow, and the core caps it, so this ends.
      while (res.needed !== undefined && !res.error) {
        const need = Number(res.needed);
        const max = mod.maxGgufHeaderBytes;
        if (!(need > h.len && need <= h.size)) {
          throw new EngineError(`${where(h)}${h.name}: the GGUF header asks for ${need} bytes after ${h.len} (the file has ${h.size})`, 'invalid-file');
        }
        if (typeof max === 'number' && need > max) {
          throw Object.assign(new EngineError(`${where(h)}${h.name}: the GGUF header (metadata and tensor infos) is ${megabytes(need)}; ` +
            `mergeprobe reads GGUF headers up to ${mebibytes(max)}`, 'invalid-file'), { rule: 'GgufHeaderTooLarge' });
        }
        heap.release(h.ptr);
        h.ptr = 0;
        h.ptr = await heap.readToHeap(models[h.role].file(h.name), 0, need, heap.alloc(need, `the header of ${h.name}`));
        h.len = need;
        res = analysis.addFile(h.role, h.name, h.ptr, h.len, h.size);
      }
      if (res.error) throw coreError(res, where(h));
    } finally {
      heap.release(h.ptr);
    }
  };

  const arrived = new Array(tasks.length);
  let added = 0;
  let failure = null;  // the first failure of addHeader, in file order
  let adding = false;
  let added$ = Promise.resolve();
  const addInOrder = async () => {
    try {
      while (added < tasks.length && arrived[added] && !failure) {
        const h = arrived[added];
        arrived[added] = null;
        await addHeader(h);
        added += 1;
      }
    } catch (e) {
      failure = e;
    } finally {
      adding = false;
    }
  };
  // One adder at a time; a header that arrives while it runs is picked up by its loop.
  const pump = () => {
    if (!adding) {
      adding = true;
      added$ = addInOrder();
    }
  };
  await mapLimit(tasks, concurrency, async (task, i) => {
    if (failure) return;  // a header before this one failed: the run ends with that error
    const { role, name } = task;
    const got = await heap.readHeader(models[role].file(name), name, task.first, task.gguf);
    arrived[i] = { role, name, ...got };
    onRead();
    pump();
  });
  pump();
  while (adding) await added$;
  if (failure) throw failure;
}
