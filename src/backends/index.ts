import type { Backend, BackendLabel, BackendName } from './backend.js';
import { createJsBackend } from './js/index.js';
import { createWasmBackend, createWasmBackendAsync, refusedByCsp, wasmSimdSupported } from './wasm/index.js';
import { fail } from '../util/errors.js';
import { threadsAvailable } from './wasm/threads/settings.js';

/** One shared instance per backend name: models on the same backend share its arena. */
const instances = new Map<BackendName, Backend>();
let chosen: BackendName | undefined;
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

/** the backend was chosen by getBackend, not by setBackend */
let defaulted = false;

/**
 * Create the wasm backend (`create`); where the default fell on wasm and the page's Content-Security-Policy refuses
 * WebAssembly (no 'wasm-unsafe-eval' in script-src), fall back to the JS backend and say so once, as where SIMD is
 * missing. A backend chosen with setBackend('wasm') throws the refusal, which names the directive.
 */
function wasmOrFallback<T>(create: () => T, fallback: () => T): T {
  try {
    return create();
  } catch (e) {
    if (!(defaulted && chosen === 'wasm' && refusedByCsp(e))) throw e;
    chosen = 'js';
    console.info(
      "scratchnet: this page's Content-Security-Policy does not allow WebAssembly; using the JS backend (same " +
        "results, slower). Add 'wasm-unsafe-eval' to its script-src to use the wasm kernels",
    );
    return fallback();
  }
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
    if (key === 'js') backend = createJsBackend();
    else if (name !== undefined) backend = createWasmBackend({ threads: threadsAvailable() });
    else
      return wasmOrFallback(
        () => resolveBackend('wasm'),
        () => resolveBackend('js'),
      );
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
      const name = getBackend();
      try {
        instances.set('wasm', await createWasmBackendAsync({ threads: threadsAvailable() }));
      } catch (e) {
        // the same fallback as on first use (wasmOrFallback), where the default is wasm
        if (name !== 'wasm') return name;
        return wasmOrFallback(
          () => {
            throw e;
          },
          () => 'js' as const,
        );
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
