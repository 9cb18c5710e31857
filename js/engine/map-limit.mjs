/**
 * Runs `fn` over `items` with at most `limit` in flight; results in input order. On the first
 * failure no new item starts, and the ones in flight are waited for before it is thrown: they
 * write into heap buffers that the run frees once it has failed, and a write into freed memory
 * would corrupt the next run of the same module.
 */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  let failed = false;
  let failure;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (e) {
        if (!failed) [failed, failure] = [true, e];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failure;
  return out;
}
