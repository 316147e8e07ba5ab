import type { Backend } from '../backend.js';
import { KERNEL_NAMES, type Kernels } from '../kernels.js';
import { WasmArena } from './arena.js';
import { DEBUG_WASM_BASE64, RELEASE_WASM_BASE64, decodeBase64 } from './bytes.generated.js';
import { createMemory, instantiateKernels } from './load.js';

export interface WasmBackendOptions {
  /** the debug build: every kernel checks that its arguments lie inside memory and throws a named error if not */
  debug?: boolean;
}

type Variant = 'release' | 'debug';

const compiled = new Map<Variant, WebAssembly.Module>();

function bytes(variant: Variant): Uint8Array {
  return decodeBase64(variant === 'debug' ? DEBUG_WASM_BASE64 : RELEASE_WASM_BASE64);
}

/** compiled once per variant (synchronously: Node allows it at any size) and instantiated per backend */
function module(variant: Variant): WebAssembly.Module {
  let m = compiled.get(variant);
  if (!m) {
    try {
      m = new WebAssembly.Module(bytes(variant) as BufferSource);
    } catch (e) {
      throw new Error(
        `scratchnet: this JavaScript engine cannot compile the WebAssembly SIMD kernels (${(e as Error).message}); ` +
          `use the 'js' backend instead`,
      );
    }
    compiled.set(variant, m);
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

/** the module's exports as the Kernels contract, after checking that every kernel is there */
function bindKernels(exports: WebAssembly.Exports, variant: Variant): Kernels {
  const missing = KERNEL_NAMES.filter((name) => typeof exports[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(
      `scratchnet: the ${variant} wasm module lacks the kernels ${missing.join(', ')}; ` +
        `assembly/index.ts must export every name of KERNEL_NAMES (rebuild with \`npm run build:wasm\`)`,
    );
  }
  // The raw wasm functions, unwrapped: every argument is a number, and a pointer above 2 GiB passes through
  // ToInt32 to the same 32 bits that the wasm side reads as an unsigned usize.
  const kernels: Partial<Record<keyof Kernels, unknown>> = {};
  for (const name of KERNEL_NAMES) kernels[name] = exports[name];
  return Object.freeze(kernels) as Kernels;
}

/** A backend with its own WebAssembly.Memory and instance of the SIMD kernels. */
export function createWasmBackend(options: WasmBackendOptions = {}): Backend {
  const variant: Variant = options.debug ? 'debug' : 'release';
  const memory = createMemory();
  const exports = instantiateKernels(module(variant), memory);
  const kernels = bindKernels(exports, variant);
  const heapBase = (exports.heapBase as () => number)() >>> 0;
  return { name: 'wasm', kernels, arena: new WasmArena(memory, heapBase) };
}
