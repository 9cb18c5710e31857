// Globals the shared js/ modules use behind a `typeof` check, which @types/node 20 does not declare
// (TypeScript keeps them in lib.dom, which the Node CLI context must not load: tsconfig.node.json).
// Only what js/ touches; the page context gets the full definitions from lib.dom/webworker.

/** Node 20 has WebAssembly; js/engine/run-analysis.mjs tells a trap from other errors with it. */
declare namespace WebAssembly {
  class RuntimeError extends Error {}
}

/** CacheStorage: absent in Node, so js/io/cache.mjs's openCache returns null there. */
declare var caches: undefined | {
  open(name: string): Promise<{
    match(url: string): Promise<Response | undefined>;
    put(url: string, response: Response): Promise<void>;
  }>;
};
