/**
 * A Backend over an instantiated kernels module: the exports bound as the Kernels contract, the arena over its memory,
 * and with threads the worker pool and the split kernels. Shared by the default build (index.ts) and the relaxed-SIMD
 * build (relaxed.ts), without the bytes of either.
 */
import type { Backend, BackendLabel } from '../backend.js';
import { CONV_BLOCK_FLOATS } from '../conv-geometry.js';
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import { WasmArena } from './arena.js';
import { createMemory, instantiateKernels } from './load.js';
import { fail } from '../../util/errors.js';
import { WorkerPool } from './threads/pool.js';
import { poolRegion } from './threads/region.js';
import { MAX_THREADS, activeThreads, registerPool, resolvedThreads } from './threads/settings.js';
import { EXTRA_EXPORTS, steps, threadedKernels } from './threads/split.js';

/** A module's exports as the Kernels contract, after checking that every kernel is there (`what` names the build). */
export function bindKernels(exports: WebAssembly.Exports, what: string): Kernels {
  const missing = KERNEL_NAMES.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    fail(
      `the ${what} lacks the kernels ${missing.join(', ')}; ` +
        `assembly/index.ts must export every name of KERNEL_NAMES (rebuild with \`npm run build:wasm\`)`,
      'internal',
    );
  }
  // The raw wasm functions, unwrapped: every argument is a number, and a pointer above 2 GiB passes through
  // ToInt32 to the same 32 bits that the wasm side reads as an unsigned usize.
  const kernels: Partial<Record<keyof Kernels, unknown>> = {};
  for (const name of KERNEL_NAMES) kernels[name] = exports[name];
  return Object.freeze(kernels) as Kernels;
}

/** workers whose blocks a pool region holds: one per further core, and at least three (4 threads) for the tests and
 *  benchmarks that compare 1–4 threads; setThreads past that takes arena blocks (threads/region.ts) */
const REGION_WORKERS_AT_LEAST = 3;

/**
 * A backend whose kernels run on `memory` through `exports` (an instance of `module`). When the arena starts over
 * with nothing alive (Arena.startOver), it takes a fresh memory and a fresh instance of `module` on it, and the old
 * memory goes to the garbage collector: the only way to give wasm memory back, since it cannot shrink. `kernels` is
 * read at each use for that reason (every caller reads `backend.kernels` when it computes, never keeps it).
 *
 * With `threads` (`module` compiled for a shared memory, and `memory` shared), large kernel calls are split over a
 * pool of workers on `module` (threads/), and the memory is never replaced: V8 does not count a shared memory's bytes
 * as pressure on its heap, so a dropped one waits for a collection that nothing prompts (twenty dropped 200 MiB shared
 * memories left Node 20 at 4 GB resident, where plain ones stayed at 242 MB). A threaded arena that starts over
 * reuses its memory from the bottom, and the process keeps its largest arena until it exits.
 */
export function wasmBackendOn(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  exports: WebAssembly.Exports,
  name: BackendLabel,
  what: string,
  threads = false,
): Backend {
  const heapBase = (exports.heapBase as () => number)() >>> 0;
  let pool: WorkerPool | undefined;
  const bind = (instance: WebAssembly.Exports): Kernels => {
    const raw = bindKernels(instance, what);
    if (!pool) return raw;
    return threadedKernels(raw, instance as unknown as Parameters<typeof threadedKernels>[1], pool, activeThreads);
  };
  const maxWorkers = MAX_THREADS - 1;
  const scratchBytes = threads ? (exports.scratchBytes as () => number)() >>> 0 : 0;
  const region = threads
    ? poolRegion(
        heapBase,
        maxWorkers,
        Math.max(resolvedThreads() - 1, REGION_WORKERS_AT_LEAST),
        scratchBytes,
        CONV_BLOCK_FLOATS,
      )
    : undefined;
  let current = exports;
  const arena = new WasmArena(
    memory,
    region?.end ?? heapBase,
    threads
      ? undefined
      : () => {
          const fresh = createMemory();
          current = instantiateKernels(module, fresh);
          kernels = bind(current);
          return fresh;
        },
  );
  if (region) {
    const names = [...KERNEL_NAMES, ...EXTRA_EXPORTS];
    pool = new WorkerPool(module, arena, names, scratchBytes, CONV_BLOCK_FLOATS, maxWorkers, region, steps);
    registerPool(pool);
  }
  let kernels = bind(current);
  return {
    name,
    get kernels() {
      return kernels;
    },
    arena,
    ...(pool ? { pool } : {}),
  };
}
