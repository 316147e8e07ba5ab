import { Allocator } from './allocator.js';
import type { Kernels, Ptr } from './kernels.js';
import { fail, scratchnetError } from '../util/errors.js';

/** The backends `setBackend` and the `backend` options take by name. */
export type BackendName = 'wasm' | 'js';

/** What a backend reports as its name: one of those, or 'wasm-relaxed' for the opt-in relaxed-SIMD build
 *  (`createRelaxedWasmBackend()` from 'scratchnet/relaxed', given as an object, never by name). */
export type BackendLabel = BackendName | 'wasm-relaxed';

/** A typed view of arena memory. Float64 only on the JS backend's float64 variant (used for gradient checks). */
export type FloatView = Float32Array | Float64Array;

/** wasm32 addresses stop at 4 GiB; the arena refuses to grow past this and says how much it needed. */
export const MAX_ARENA_BYTES = 4 * 1024 * 1024 * 1024;

/**
 * Owner of one block of memory that grows. Views it hands out are valid until the next `alloc` (growth may move
 * or detach the underlying buffer); anything given to users is copied.
 */
export abstract class Arena {
  protected readonly allocator: Allocator;

  constructor(base: number) {
    this.allocator = new Allocator(base);
  }

  /** Reserve room for `count` 4-byte elements, zero-filled (`zero: false`: left as they are, for a block the caller
   *  overwrites at once). */
  alloc(count: number, zero = true): Ptr {
    if (!Number.isInteger(count) || count < 0) fail(`internal error: cannot allocate ${count} elements`, 'internal');
    const bytes = count * 4;
    const ptr = this.allocator.alloc(bytes);
    const end = this.allocator.top;
    if (end > this.capacity) {
      try {
        this.growTo(end);
      } catch (e) {
        this.allocator.release(ptr);
        throw e;
      }
    }
    if (zero) this.f32(ptr, count).fill(0);
    return ptr;
  }

  free(ptr: Ptr): void {
    this.allocator.release(ptr);
  }

  /** bytes held by live blocks */
  get bytesInUse(): number {
    return this.allocator.bytesInUse;
  }

  /** bytes the arena's memory spans now (including the part below the first block) */
  abstract get capacity(): number;
  /** Grow the memory to span at least `bytes`. Throws a scratchnet error past MAX_ARENA_BYTES. */
  protected abstract growTo(bytes: number): void;
  /** float view of `len` elements at `ptr`, valid until the next alloc */
  abstract f32(ptr: Ptr, len: number): FloatView;
  /** int32 view of `len` elements at `ptr`, valid until the next alloc */
  abstract i32(ptr: Ptr, len: number): Int32Array;

  /** a copy, as float32, of `len` elements at `ptr` */
  read(ptr: Ptr, len: number): Float32Array {
    return Float32Array.from(this.f32(ptr, len));
  }

  /** copy `data` into the arena at `ptr` */
  write(ptr: Ptr, data: ArrayLike<number>): void {
    this.f32(ptr, data.length).set(data);
  }
}

export function outOfMemoryError(neededBytes: number, limit: number): Error {
  const gib = (b: number) => (b / 2 ** 30).toFixed(2);
  return scratchnetError(
    `the model needs ${neededBytes} bytes (${gib(neededBytes)} GiB) of arena memory, ` +
      `but WebAssembly memory stops at ${limit} bytes (${gib(limit)} GiB). Use smaller layers or a smaller batch size.`,
    'out_of_memory',
  );
}

/** The workers of a threaded wasm backend (src/backends/wasm/threads/pool.ts). */
export interface ThreadPool {
  /** workers started (the calling thread is not counted) */
  readonly size: number;
  /** workers that have finished starting */
  ready(): number;
  /** resolves once every worker has started (or failed to) */
  whenReady(): Promise<void>;
  /** calls that ran on more than one thread so far, in all and by kernel name */
  readonly splitCalls: number;
  readonly splitsByKernel: Readonly<Record<string, number>>;
  /** stop every worker */
  dispose(): void;
}

/** Where a model's numbers live and what computes on them: a kernel set and its arena ('wasm', 'wasm-relaxed' or 'js'). */
export interface Backend {
  readonly name: BackendLabel;
  readonly kernels: Kernels;
  readonly arena: Arena;
  /** the worker pool of a threaded wasm backend (absent: every kernel runs on the calling thread) */
  readonly pool?: ThreadPool;
}
