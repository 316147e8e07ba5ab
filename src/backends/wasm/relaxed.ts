/**
 * The relaxed-SIMD build of the kernels (asconfig target 'relaxed', build/scratchnet.relaxed.wasm): the same source
 * compiled with ASC_FEATURE_RELAXED_SIMD, so that every matmul step is `f32x4.relaxed_madd` instead of f32x4.mul then
 * f32x4.add. Engines lower it to a fused multiply-add where the CPU has one (x86 FMA3, ARM NEON): one rounding
 * instead of two, and about 1.3× the GFLOP/s of the default build on x86 (measured: 57 against 43 at 512²).
 *
 * NOTE: by the relaxed-SIMD specification the results may differ between machines (fused or not), so this build is
 * never chosen on its own: only when the user asks for it AND the engine validates the module. Chrome ≥ 114 and
 * Node ≥ 22 ship relaxed SIMD; Node 20 needs `node --experimental-wasm-relaxed-simd`.
 *
 * Its bytes live in a module of their own, so that bundles that never ask for it leave them out.
 */
import type { Backend } from '../backend.js';
import { decodeBase64 } from './bytes.generated.js';
import { wasmBackendOn } from './instance.js';
import { createMemory, instantiateKernels } from './load.js';
import { RELAXED_WASM_BASE64 } from './relaxed-bytes.generated.js';
import { withSharedMemory } from './threads/shared-module.js';
import { threadsAvailable } from './threads/settings.js';

/** compiled modules, unshared and shared (threads); null where the engine does not validate relaxed SIMD */
const compiled = new Map<boolean, WebAssembly.Module | null>();

/** the compiled relaxed module (`threads`: its memory import declared shared), or null without relaxed SIMD */
function relaxedModule(threads = false): WebAssembly.Module | null {
  let m = compiled.get(threads);
  if (m === undefined) {
    const plain = decodeBase64(RELAXED_WASM_BASE64);
    const bytes = (threads ? withSharedMemory(plain) : plain) as BufferSource;
    try {
      m = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      m = null;
    }
    compiled.set(threads, m);
  }
  return m;
}

/** true if this engine validates the relaxed-SIMD build (and so could run it) */
export function relaxedSimdSupported(): boolean {
  return relaxedModule() !== null;
}

/** Options of `createRelaxedWasmBackend`. */
export interface RelaxedWasmBackendOptions {
  /** run on the worker pool like the default backend (setThreads); default: wherever threads are available */
  threads?: boolean;
}

/**
 * A wasm backend on the relaxed-SIMD build, with its own memory; null where the engine does not validate the build
 * (then use the default build: `createWasmBackend()`). Opt-in only: see the note at the top of this file. With
 * threads (the default in Node and on cross-origin-isolated pages) its large calls are split over a pool of workers
 * as the default backend's are, with the same bits for any thread count on a given machine.
 */
export function createRelaxedWasmBackend(options: RelaxedWasmBackendOptions = {}): Backend | null {
  const threads = options.threads ?? threadsAvailable();
  const module = relaxedModule(threads);
  if (!module) return null;
  const memory = createMemory(threads);
  return wasmBackendOn(
    module,
    memory,
    instantiateKernels(module, memory),
    'wasm-relaxed',
    'relaxed wasm module',
    threads,
  );
}
