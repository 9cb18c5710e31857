// The CLI as a user runs it, for the tests: a child process of `node cli/mergeprobe.mjs`, with
// the user's HF_TOKEN and HF_ENDPOINT left out and a cache that is never ~/.cache.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../cli/mergeprobe.mjs', import.meta.url));

/**
 * @param {string[]} args
 * @param {{env?: Record<string, string>, cwd?: string, cache?: string, onSpawn?: (c: import('node:child_process').ChildProcess) => void}} [o]
 *   cache: a folder for MERGEPROBE_CACHE (default 'off')
 * @returns {Promise<{code: number | null, stdout: string, stderr: string}>}
 */
export function runCli(args, { env = {}, cwd = ROOT, cache = 'off', onSpawn = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.HF_TOKEN;
    delete base.HF_ENDPOINT;
    base.MERGEPROBE_CACHE = cache;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    onSpawn(child);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
