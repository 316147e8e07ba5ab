import type { Backend } from '../backend.js';
import { wasmBackendOn } from './instance.js';
import { RELEASE_WASM_BASE64, decodeBase64 } from './bytes.generated.js';
import { createMemory, instantiateKernels, instantiateKernelsAsync } from './load.js';
import { fail } from '../../util/errors.js';
import { withSharedMemory } from './threads/shared-module.js';

export interface WasmBackendOptions {
  /**
   * the debug build: every kernel checks that its arguments lie inside memory and throws a named error if not.
   * Its bytes live in a module of their own, so that browsers do not download them: import
   * `src/backends/wasm/debug.js` once before asking for it.
   */
  debug?: boolean;
  /**
   * the threaded build: a shared memory, and a pool of workers (sized by `setThreads`) that large kernel calls are
   * split over. Needs SharedArrayBuffer and workers (Node; cross-origin-isolated pages): see threads/environment.ts.
   */
  threads?: boolean;
}

type Variant = 'release' | 'debug';

/** base64 of each variant's bytes; the debug variant is registered by ./debug.ts when it is imported */
const sources: Partial<Record<Variant, string>> = { release: RELEASE_WASM_BASE64 };
/** compiled modules by variant, and by variant + '+threads' for the shared-memory build */
const compiled = new Map<string, WebAssembly.Module>();

/** Called by ./debug.ts: make the debug build available to `createWasmBackend({ debug: true })`. */
export function registerWasmVariant(variant: Variant, base64: string): void {
  sources[variant] = base64;
}

/** the bytes of a variant, with its memory import declared shared for the threaded build (threads/shared-module.ts) */
function moduleBytes(variant: Variant, threads: boolean): Uint8Array {
  return threads ? withSharedMemory(bytes(variant)) : bytes(variant);
}

function bytes(variant: Variant): Uint8Array {
  const base64 = sources[variant];
  if (base64 === undefined) {
    fail(
      `the ${variant} wasm build is not loaded: import 'src/backends/wasm/debug.js' ` +
        `(it registers the debug bytes, kept out of the main bundle) before createWasmBackend({ debug: true })`,
    );
  }
  return decodeBase64(base64);
}

function cannotCompile(e: unknown): Error {
  const message = (e as Error)?.message ?? String(e);
  // Chrome refuses `new WebAssembly.Module` on the main thread above a size limit (8 MB in Chrome 156, 4 KB in
  // older versions) with a RangeError; the module validated, so the cure is to compile asynchronously first.
  if (e instanceof RangeError || /main thread|synchronous/i.test(message)) {
    return new Error(
      `scratchnet: this browser will not compile WebAssembly synchronously here (${message}). ` +
        `Call \`await ready()\` (exported by scratchnet) once before creating a model, or choose the JS backend ` +
        `with setBackend('js')`,
    );
  }
  if (CSP_REFUSAL.test(message)) {
    return new Error(
      `scratchnet: this page's Content-Security-Policy does not allow WebAssembly (${message}). Add ` +
        `'wasm-unsafe-eval' to its script-src to use the wasm kernels, or choose the JS backend with setBackend('js')`,
    );
  }
  return new Error(
    `scratchnet: this JavaScript engine cannot compile the WebAssembly SIMD kernels (${message}); ` +
      `use the 'js' backend instead`,
  );
}

/** how engines word a compilation that a page's Content-Security-Policy refused (Chromium names the policy and
 *  'unsafe-eval'; Firefox says "blocked by CSP") */
const CSP_REFUSAL = /Content.Security.Policy|\bCSP\b|unsafe-eval/i;

/** whether `e` (thrown by compiling the kernels) says that the page's Content-Security-Policy refused WebAssembly */
export function refusedByCsp(e: unknown): boolean {
  return CSP_REFUSAL.test((e as Error)?.message ?? String(e));
}

/** Our own errors (a variant not registered) pass through; an engine's refusal becomes cannotCompile. */
function compileError(e: unknown): Error {
  return e instanceof Error && e.message.startsWith('scratchnet:') ? e : cannotCompile(e);
}

/** Compiled once per variant (synchronously: Node and workers allow it at any size) and instantiated per backend. */
function module(variant: Variant, threads = false): WebAssembly.Module {
  const key = threads ? `${variant}+threads` : variant;
  let m = compiled.get(key);
  if (!m) {
    try {
      m = new WebAssembly.Module(moduleBytes(variant, threads) as BufferSource);
    } catch (e) {
      throw compileError(e);
    }
    compiled.set(key, m);
  }
  return m;
}

/**
 * Compile a variant with `WebAssembly.compile`, off the main thread where the engine can, so that later
 * `createWasmBackend` calls find it compiled. Browsers may refuse synchronous compilation on the main thread.
 */
export async function compileWasm(variant: Variant = 'release', threads = false): Promise<WebAssembly.Module> {
  const key = threads ? `${variant}+threads` : variant;
  let m = compiled.get(key);
  if (!m) {
    try {
      m = await WebAssembly.compile(moduleBytes(variant, threads) as BufferSource);
    } catch (e) {
      throw compileError(e);
    }
    compiled.set(key, m);
  }
  return m;
}

let simdSupported: boolean | undefined;

/** true if this engine has WebAssembly with the 128-bit SIMD the kernels are compiled for */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(bytes('release') as BufferSource);
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

/** A backend with its own WebAssembly.Memory and instance of the SIMD kernels. */
export function createWasmBackend(options: WasmBackendOptions = {}): Backend {
  const variant: Variant = options.debug ? 'debug' : 'release';
  const threads = options.threads ?? false;
  const memory = createMemory(threads);
  const m = module(variant, threads);
  return wasmBackendOn(m, memory, instantiateKernels(m, memory), 'wasm', `${variant} wasm module`, threads);
}

/** The same, compiled and instantiated asynchronously: what every browser allows on its main thread. */
export async function createWasmBackendAsync(options: WasmBackendOptions = {}): Promise<Backend> {
  const variant: Variant = options.debug ? 'debug' : 'release';
  const threads = options.threads ?? false;
  const memory = createMemory(threads);
  const m = await compileWasm(variant, threads);
  return wasmBackendOn(m, memory, await instantiateKernelsAsync(m, memory), 'wasm', `${variant} wasm module`, threads);
}
