import { Allocator } from './allocator.js';
import type { Kernels, Ptr } from './kernels.js';
import { fail, scratchnetError, type ScratchnetError } from '../util/errors.js';

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
 * An arena with no live block keeps its memory up to this size (making it anew and growing it again costs more than
 * it gives back); a larger one is replaced by a fresh memory when the last model is freed, unless it is a threaded
 * backend's shared memory, which is always kept. See Arena.startOver.
 */
export const KEEP_ARENA_BYTES = 64 * 1024 * 1024;

/**
 * Owner of one block of memory that grows. Views it hands out are valid until the next `alloc` (growth may move
 * or detach the underlying buffer); anything given to users is copied.
 */
export abstract class Arena {
  protected allocator: Allocator;

  constructor(private readonly base: number) {
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

  /** the bytes the live block at `ptr` takes (its size rounded up to the alignment), 0 for no block */
  blockBytes(ptr: Ptr): number {
    return this.allocator.sizeOf(ptr);
  }

  /**
   * Start over when nothing lives in the arena (no model holds a block): the next block goes to the bottom again, and
   * a memory that spans more than KEEP_ARENA_BYTES is replaced by a fresh small one, so that the process can give
   * the old one back once it is garbage-collected (WebAssembly memory can grow but never shrink). A threaded
   * backend's shared memory is kept (renew does nothing there: wasm/instance.ts says why). Does nothing while a block
   * is live.
   */
  startOver(): void {
    if (this.allocator.bytesInUse !== 0) return;
    this.allocator = new Allocator(this.base);
    if (this.capacity > KEEP_ARENA_BYTES) this.renew();
  }

  /** Replace the memory with a fresh, small one (nothing lives in it), where the backend can give the old one back. */
  protected abstract renew(): void;

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

/** GiB with two decimals, or as many more as it takes to tell `b` from `other` (4296015872 is not "4.00" next to 4 GiB) */
function gib(b: number, other = b): string {
  let digits = 2;
  while (digits < 6 && b !== other && (b / 2 ** 30).toFixed(digits) === (other / 2 ** 30).toFixed(digits)) digits++;
  return (b / 2 ** 30).toFixed(digits);
}

/** needed and limit of each out-of-memory error made here, so that a model can say more about it (withOtherModels) */
const oomDetails = new WeakMap<object, { needed: number; limit: number }>();

/**
 * The error for an arena that cannot grow to `neededBytes`. `others`, when given, is what the other live models on
 * the arena hold: the arena is shared, so when the model would fit without them the error says so and suggests
 * dispose(), instead of blaming the model's size.
 */
export function outOfMemoryError(
  neededBytes: number,
  limit: number,
  others?: { count: number; bytes: number },
): ScratchnetError {
  const stops = `WebAssembly memory stops at ${limit} bytes (${gib(limit)} GiB)`;
  const othersToBlame = others !== undefined && others.count > 0 && neededBytes - others.bytes <= limit;
  const message = othersToBlame
    ? `the arena needs ${neededBytes} bytes (${gib(neededBytes, limit)} GiB) with this model, but ${stops}, and ` +
      `${others.count} other ${others.count === 1 ? 'model' : 'models'} alive on this backend hold ${others.bytes} bytes ` +
      `(${gib(others.bytes)} GiB) of it. Call dispose() on the models you no longer need (a model you only drop is ` +
      `freed when it is garbage-collected, which may be late or never: the collector does not see the memory it ` +
      `holds), or use smaller layers or a smaller batch size.`
    : `the model needs ${neededBytes} bytes (${gib(neededBytes, limit)} GiB) of arena memory, but ${stops}. ` +
      `Use smaller layers or a smaller batch size.`;
  const error = scratchnetError(message, 'out_of_memory');
  oomDetails.set(error, { needed: neededBytes, limit });
  return error;
}

/** The sizes of an error made by outOfMemoryError, or undefined for any other error. */
export function outOfMemoryDetails(e: unknown): { needed: number; limit: number } | undefined {
  return typeof e === 'object' && e !== null ? oomDetails.get(e) : undefined;
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
  /**
   * Set by fit around each training step (the batch's gather, forward, backward and optimizer step): there every call
   * large enough splits, without learning whether it pays (src/backends/wasm/threads/split.ts, STEPS_NOT_LEARNT).
   */
  training?: boolean;
  /**
   * Set by fit around the gather of the next batch, during a training step: a gather large enough to split is then
   * run by the workers while the step goes on, from the step's first large call on (ahead of the layers too small to
   * split, which the calling thread runs alone); `settle()` waits for it. Bits do not change: it is a copy.
   */
  ahead?: boolean;
  /** finish the gather started ahead (before its rows are read, or their memory freed or written) */
  settle?(): void;
  /**
   * fit calls these around each training step of a model (`owner`) at `rows` rows: whether the step's calls split is
   * learnt from the steps' own times (src/backends/wasm/threads/step-learner.ts), so that on cores busy with other
   * programs training runs on the calling thread. `ms`: the step's own work, undefined for a step not to count.
   */
  beginStep?(owner: object, rows: number): void;
  endStep?(ms: number | undefined): void;
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
