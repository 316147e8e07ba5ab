import type { Backend, BackendLabel, BackendName } from './backend.js';
import { createJsBackend } from './js/index.js';
import { createWasmBackend, createWasmBackendAsync, refusedByCsp, wasmSimdSupported } from './wasm/index.js';
import { fail } from '../util/errors.js';
import { threadsAvailable } from './wasm/threads/settings.js';

/** One shared instance per backend name: models on the same backend share its arena. */
const instances = new Map<BackendName, Backend>();
let chosen: BackendName | undefined;
/** the backend was chosen by getBackend, not by setBackend */
let defaulted = false;
let simd: boolean | undefined;

function simdAvailable(): boolean {
  return (simd ??= wasmSimdSupported());
}

function checkName(name: unknown): BackendName {
  if (name !== 'wasm' && name !== 'js') fail(`unknown backend '${String(name)}'; expected 'wasm' or 'js'`);
  if (name === 'wasm' && !simdAvailable()) {
    fail(`the 'wasm' backend needs WebAssembly SIMD, which this engine does not support; use 'js'`);
  }
  return name;
}

/** Choose the backend for every model created without a `backend` option. */
export function setBackend(name: BackendName): void {
  chosen = checkName(name);
  defaulted = false;
}

/**
 * The name of the active default backend: 'wasm' wherever the SIMD module validates, else 'js', unless set.
 * Falling back to 'js' says so once on the console.
 */
export function getBackend(): BackendName {
  if (chosen === undefined) {
    chosen = simdAvailable() ? 'wasm' : 'js';
    defaulted = true;
    if (chosen === 'js') {
      console.info(
        'scratchnet: WebAssembly SIMD is not available in this engine; using the JS backend (same results, slower)',
      );
    }
  }
  return chosen;
}

/**
 * Where the default fell on wasm and compiling the kernels failed because the page's Content-Security-Policy refuses
 * WebAssembly (no 'wasm-unsafe-eval' in script-src): make the JS backend the default, say so once, as where SIMD is
 * missing, and return true. A backend chosen with setBackend('wasm') keeps the error, which names the directive.
 */
function fellBackFromCsp(e: unknown): boolean {
  if (!(defaulted && chosen === 'wasm' && refusedByCsp(e))) return false;
  chosen = 'js';
  console.info(
    "scratchnet: this page's Content-Security-Policy does not allow WebAssembly; using the JS backend (same " +
      "results, slower). Add 'wasm-unsafe-eval' to its script-src to use the wasm kernels",
  );
  return true;
}

/**
 * The shared backend instance for `name` (default: the active one). A Backend object (such as the relaxed-SIMD one
 * from `scratchnet/relaxed`) is used as it is.
 */
export function resolveBackend(name?: BackendName | Backend): Backend {
  if (typeof name === 'object' && name !== null && 'kernels' in name && 'arena' in name) return name;
  const key = name === undefined ? getBackend() : checkName(name as BackendName);
  let backend = instances.get(key);
  if (!backend) {
    try {
      backend = key === 'wasm' ? createWasmBackend({ threads: threadsAvailable() }) : createJsBackend();
    } catch (e) {
      if (name === undefined && fellBackFromCsp(e)) return resolveBackend('js');
      throw e;
    }
    instances.set(key, backend);
  }
  return backend;
}

let readying: Promise<BackendName> | undefined;

/**
 * Prepare the default backend asynchronously and say which it is. In a browser, call it once before creating
 * models on the main thread: it compiles and instantiates the wasm kernels with `WebAssembly.compile`/`instantiate`,
 * which every browser allows (some refuse the synchronous `new WebAssembly.Module` on the main thread).
 * Node and workers compile synchronously on first use, so there it is optional. Calling it again is free.
 */
export function ready(): Promise<BackendName> {
  return (readying ??= (async () => {
    // The wasm instance is prepared even when 'js' was chosen, so that setBackend('wasm') works afterwards.
    if (simdAvailable() && !instances.has('wasm')) {
      getBackend(); // the default is chosen before the kernels compile, so that a refusal can fall back from it
      try {
        instances.set('wasm', await createWasmBackendAsync({ threads: threadsAvailable() }));
      } catch (e) {
        // as on first use (resolveBackend); with 'js' chosen, a later setBackend('wasm') meets the error itself
        if (!fellBackFromCsp(e) && getBackend() === 'wasm') throw e;
      }
    }
    return getBackend();
  })().catch((e: unknown) => {
    readying = undefined; // a later call may try again
    throw e;
  }));
}

/** Arena memory of a backend (default: the active one; or a backend object), like TensorFlow.js's `tf.memory()`. */
export function memory(name?: BackendName | Backend): {
  backend: BackendLabel;
  bytesInUse: number;
  bytesReserved: number;
} {
  const backend = resolveBackend(name);
  return { backend: backend.name, bytesInUse: backend.arena.bytesInUse, bytesReserved: backend.arena.capacity };
}
