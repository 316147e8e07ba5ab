import { Arena, MAX_ARENA_BYTES, outOfMemoryError } from '../backend.js';
import type { Ptr } from '../kernels.js';

const PAGE = 65536;
/** Past this size the arena grows in steps of this many bytes rather than doubling. */
const MAX_GROWTH_STEP = 64 * 2 ** 20;

/**
 * The only owner of the wasm `WebAssembly.Memory`. Every `memory.grow` detaches the old ArrayBuffer, so views are
 * built from `memory.buffer` at the moment of use and never kept.
 */
export class WasmArena extends Arena {
  constructor(
    private mem: WebAssembly.Memory,
    /** the first byte the module's own data does not use (its `__heap_base`) */
    heapBase: number,
    /** makes a fresh memory with a fresh instance of the kernels on it (see startOver); without it the memory stays */
    private readonly fresh?: () => WebAssembly.Memory,
  ) {
    super(heapBase);
  }

  /** the memory the kernels run on now; a fresh one after startOver, so never keep it */
  get memory(): WebAssembly.Memory {
    return this.mem;
  }

  protected renew(): void {
    if (!this.fresh) return;
    try {
      this.mem = this.fresh();
    } catch {
      // an engine that will not instantiate synchronously here keeps the old memory: it is reused as it is
    }
  }

  /** Grow the memory, if need be, to span at least `bytes` (a threaded backend's pool region lies below the arena). */
  span(bytes: number): void {
    if (bytes > this.capacity) this.growTo(bytes);
  }

  get capacity(): number {
    return this.memory.buffer.byteLength;
  }

  protected growTo(bytes: number): void {
    if (bytes > MAX_ARENA_BYTES) throw outOfMemoryError(bytes, MAX_ARENA_BYTES);
    const have = this.memory.buffer.byteLength / PAGE;
    // Double while small, so that a run of small allocations costs few detaches; past 64 MiB add at most 64 MiB of
    // headroom, so a model of a gigabyte does not reserve a second one it never uses.
    const step = Math.min(have, MAX_GROWTH_STEP / PAGE);
    const want = Math.min(MAX_ARENA_BYTES / PAGE, Math.max(Math.ceil(bytes / PAGE), have + step));
    try {
      this.memory.grow(want - have);
    } catch {
      try {
        this.memory.grow(Math.ceil(bytes / PAGE) - have);
      } catch {
        throw outOfMemoryError(bytes, this.capacity);
      }
    }
  }

  f32(ptr: Ptr, len: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, len);
  }

  i32(ptr: Ptr, len: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, len);
  }
}
