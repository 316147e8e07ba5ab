/**
 * What this JavaScript environment offers for threads: shared memory, workers, blocking waits and the core count.
 * Nothing here starts a thread.
 */

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** true in Node (and Deno/Bun's Node layer), where the pool uses worker_threads */
export const isNode = typeof nodeProcess?.versions?.node === 'string';

/** a Node built-in module, synchronously (`process.getBuiltinModule`: Node ≥ 20.16 and 22.3); undefined elsewhere */
export function nodeBuiltin<T>(id: string): T | undefined {
  return nodeProcess?.getBuiltinModule?.(id) as T | undefined;
}

/** the browser's main thread (a window), where Atomics.wait is not allowed */
export const isBrowserMainThread =
  !isNode && typeof (globalThis as { document?: unknown }).document === 'object' && typeof window === 'object';

/** a page or worker that may share memory: SharedArrayBuffer exists and (in browsers) the page is cross-origin isolated */
export function sharedMemoryAllowed(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  if (isNode) return true;
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** why threads cannot run here, or undefined if they can */
export function threadsUnavailableReason(): string | undefined {
  if (isNode) {
    if (!nodeBuiltin('node:worker_threads')) return 'this Node has no process.getBuiltinModule (Node ≥ 20.16 has)';
    return undefined;
  }
  if (typeof Worker !== 'function') return 'this environment has no Worker';
  if (!sharedMemoryAllowed()) {
    return (
      'the page is not cross-origin isolated, so SharedArrayBuffer is off; serve it with the headers ' +
      '`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` to use every core'
    );
  }
  return undefined;
}

/** the number of logical cores: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers */
export function coreCount(): number {
  const os = nodeBuiltin<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
  const n = os
    ? (os.availableParallelism?.() ?? os.cpus().length)
    : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.max(1, Math.floor(n ?? 1));
}
