import { Arena, MAX_ARENA_BYTES, outOfMemoryError, type FloatView } from '../backend.js';
import type { Ptr } from '../kernels.js';

/**
 * The JS backend's memory: the element at byte offset `ptr` is `f[ptr >> 2]` (floats) or `i[ptr >> 2]` (int32),
 * exactly the layout of the wasm arena. In the float32 variant both views share one ArrayBuffer, as in wasm; the
 * float64 variant (for gradient checks in double precision) keeps a separate int plane with the same indices.
 */
export interface JsHeap {
  readonly f: FloatView;
  readonly i: Int32Array;
  /** rounds a number to the heap's precision, as a store into `f` does (Math.fround, or nothing in float64) */
  readonly round: (v: number) => number;
}

const keep = (v: number): number => v;

/** The first block starts here, as in wasm, so that pointer 0 is never a valid block. */
const BASE = 64;

export class JsArena extends Arena {
  /** Replaced on every growth, like wasm's detached buffers: read it at the moment of use. */
  heap: JsHeap;

  constructor(
    readonly precision: 'float32' | 'float64' = 'float32',
    private readonly initialBytes = 1 << 16,
  ) {
    super(BASE);
    this.heap = this.makeHeap(initialBytes);
  }

  protected renew(): void {
    this.heap = this.makeHeap(this.initialBytes);
  }

  get capacity(): number {
    return this.heap.f.length * 4;
  }

  protected growTo(bytes: number): void {
    if (bytes > MAX_ARENA_BYTES) throw outOfMemoryError(bytes, MAX_ARENA_BYTES);
    const size = Math.min(MAX_ARENA_BYTES, Math.max(bytes, this.capacity * 2));
    const old = this.heap;
    let next: JsHeap;
    try {
      next = this.makeHeap(size);
    } catch {
      throw outOfMemoryError(bytes, this.capacity);
    }
    next.f.set(old.f);
    if (next.i.buffer !== next.f.buffer) next.i.set(old.i);
    this.heap = next;
  }

  private makeHeap(bytes: number): JsHeap {
    const count = Math.ceil(bytes / 4);
    if (this.precision === 'float64') return { f: new Float64Array(count), i: new Int32Array(count), round: keep };
    const buffer = new ArrayBuffer(count * 4);
    return { f: new Float32Array(buffer), i: new Int32Array(buffer), round: Math.fround };
  }

  f32(ptr: Ptr, len: number): FloatView {
    const start = ptr >>> 2; // >>> so that offsets past 2 GiB stay positive
    return this.heap.f.subarray(start, start + len);
  }

  i32(ptr: Ptr, len: number): Int32Array {
    const start = ptr >>> 2; // >>> so that offsets past 2 GiB stay positive
    return this.heap.i.subarray(start, start + len);
  }
}
