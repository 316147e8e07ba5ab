/**
 * A Backend over an instantiated kernels module: the exports bound as the Kernels contract, the arena over its memory,
 * and with threads the worker pool and the split kernels. Shared by the default build (index.ts) and the relaxed-SIMD
 * build (relaxed.ts), without the bytes of either.
 */
import type { Backend } from '../backend.js';
import { CONV_BLOCK_FLOATS } from '../conv-geometry.js';
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import { fail } from '../../util/errors.js';
import { WasmArena } from './arena.js';
import { WorkerPool } from './threads/pool.js';
import { MAX_THREADS, activeThreads, registerPool } from './threads/settings.js';
import { EXTRA_EXPORTS, threadedKernels } from './threads/split.js';

/** the module's exports as the Kernels contract, after checking that every kernel is there */
export function bindKernels(exports: WebAssembly.Exports, variant: string): Kernels {
  const missing = KERNEL_NAMES.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    fail(
      `the ${variant} wasm module lacks the kernels ${missing.join(', ')}; ` +
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

/** The backend over an instance: with `threads`, its kernels split large calls over a pool of workers on `module`. */
export function backendOver(
  exports: WebAssembly.Exports,
  memory: WebAssembly.Memory,
  label: Backend['name'],
  module: WebAssembly.Module,
  threads: boolean,
): Backend {
  const kernels = bindKernels(exports, label);
  const heapBase = (exports.heapBase as () => number)() >>> 0;
  const arena = new WasmArena(memory, heapBase);
  if (!threads) return { name: label, kernels, arena };
  const scratchBytes = (exports.scratchBytes as () => number)() >>> 0;
  const names = [...KERNEL_NAMES, ...EXTRA_EXPORTS];
  const pool = new WorkerPool(module, memory, arena, names, scratchBytes, CONV_BLOCK_FLOATS, MAX_THREADS - 1);
  registerPool(pool);
  const raw = exports as unknown as Parameters<typeof threadedKernels>[1];
  return { name: label, kernels: threadedKernels(kernels, raw, pool, activeThreads), arena, pool };
}
