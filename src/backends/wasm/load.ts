import { instantiate, instantiateSync } from '@assemblyscript/loader';

/**
 * Instantiate the kernels module over `memory` (imported as env.memory). The loader supplies env.abort, so an
 * AssemblyScript `assert`/`abort` (the debug build's argument checks) becomes a JS Error naming the message, file
 * and line, instead of an anonymous "unreachable" trap. Returns the raw exports: numbers in, numbers out.
 */
export function instantiateKernels(
  source: WebAssembly.Module | Uint8Array,
  memory: WebAssembly.Memory,
): WebAssembly.Exports {
  return instantiateSync(source as WebAssembly.Module | BufferSource, { env: { memory } }).instance.exports;
}

/** The same, asynchronously (`WebAssembly.instantiate`): what browsers allow on the main thread at any size. */
export async function instantiateKernelsAsync(
  source: WebAssembly.Module,
  memory: WebAssembly.Memory,
): Promise<WebAssembly.Exports> {
  return (await instantiate(source, { env: { memory } })).instance.exports;
}

/** asconfig.json: initialMemory 1 page; maximumMemory 65536 pages, the 4 GiB of wasm32 */
const INITIAL_PAGES = 1;
const MAXIMUM_PAGES = 65536;

/** A fresh memory for one instance. Engines that refuse a 4 GiB maximum get 2 GiB; the arena reports the limit. */
export function createMemory(): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
  } catch {
    return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES / 2 });
  }
}
