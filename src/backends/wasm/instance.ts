import type { Backend, BackendLabel } from '../backend.js';
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import { WasmArena } from './arena.js';
import { createMemory, instantiateKernels } from './load.js';
import { fail } from '../../util/errors.js';

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

/**
 * A backend whose kernels run on `memory` through `exports` (an instance of `module`). When the arena starts over
 * with nothing alive (Arena.startOver), it takes a fresh memory and a fresh instance of `module` on it, and the old
 * memory goes to the garbage collector: the only way to give wasm memory back, since it cannot shrink. `kernels` is
 * read at each use for that reason (every caller reads `backend.kernels` when it computes, never keeps it).
 */
export function wasmBackendOn(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  exports: WebAssembly.Exports,
  name: BackendLabel,
  what: string,
): Backend {
  let kernels = bindKernels(exports, what);
  const heapBase = (exports.heapBase as () => number)() >>> 0;
  const arena = new WasmArena(memory, heapBase, () => {
    const fresh = createMemory();
    kernels = bindKernels(instantiateKernels(module, fresh), what);
    return fresh;
  });
  return {
    name,
    get kernels() {
      return kernels;
    },
    arena,
  };
}
