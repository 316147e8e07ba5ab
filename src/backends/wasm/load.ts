/**
 * What the kernels module imports: `env.memory`, and in the debug build `env.abort`, which AssemblyScript's
 * `assert`/`abort` (the debug build's argument checks) call. It throws a JS Error naming the message, file, line and
 * column instead of an anonymous "unreachable" trap. (The release build imports only the memory.) This is all we
 * used @assemblyscript/loader for; doing it here keeps its 5.7 KB out of the browser bundle.
 */
function imports(memory: WebAssembly.Memory): WebAssembly.Imports {
  const abort = (message: number, file: number, line: number, column: number): never => {
    throw new Error(`abort: ${readString(memory, message)} at ${readString(memory, file)}:${line}:${column}`);
  };
  return { env: { memory, abort } };
}

/** An AssemblyScript string at `ptr`: UTF-16 code units, their byte length in the 4 bytes before it. */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return 'null';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  const units = new Uint16Array(memory.buffer, ptr, bytes >>> 1);
  let text = '';
  // in chunks: fromCharCode's argument count is bounded
  for (let i = 0; i < units.length; i += 4096) text += String.fromCharCode(...units.subarray(i, i + 4096));
  return text;
}

/** Instantiate the kernels module over `memory` (imported as env.memory). Returns the raw exports: numbers in, numbers out. */
export function instantiateKernels(
  source: WebAssembly.Module | Uint8Array,
  memory: WebAssembly.Memory,
): WebAssembly.Exports {
  const module =
    source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, imports(memory)).exports;
}

/** The same, asynchronously (`WebAssembly.instantiate`): what browsers allow on the main thread at any size. */
export async function instantiateKernelsAsync(
  source: WebAssembly.Module,
  memory: WebAssembly.Memory,
): Promise<WebAssembly.Exports> {
  return (await WebAssembly.instantiate(source, imports(memory))).exports;
}

/** asconfig.json: initialMemory 1 page; maximumMemory 65536 pages, the 4 GiB of wasm32 */
const INITIAL_PAGES = 1;
const MAXIMUM_PAGES = 65536;

/** A fresh memory for one instance (`shared`: for the threaded build, whose workers share it). Engines that refuse a
 *  4 GiB maximum get 2 GiB; the arena reports the limit. */
export function createMemory(shared = false): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared });
  } catch {
    return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES / 2, shared });
  }
}
