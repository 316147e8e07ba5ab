import type { Ptr } from './kernels.js';
import { fail } from '../util/errors.js';

/** Every block starts on a 64-byte boundary: SIMD loads stay aligned and rows of a matrix share no cache line. */
export const ALIGN = 64;

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * First-fit allocator of byte ranges in an arena that starts at `base`. It only does bookkeeping; the arena
 * grows its memory when `top` moves past its capacity. Freed blocks are coalesced with their neighbours and reused, so
 * create/train/dispose cycles do not grow memory without bound.
 */
export class Allocator {
  /** free blocks below `top`, sorted by address, coalesced; none ends at `top` */
  private free: { ptr: number; size: number }[] = [];
  private used = new Map<number, number>();
  /** the first byte after the highest live block (the aligned base when none is live) */
  top: number;

  constructor(readonly base: number) {
    this.top = alignUp(base, ALIGN);
  }

  /** Reserve `bytes` (rounded up to ALIGN, at least ALIGN). Returns the block's pointer; `top` then tells the end of
   *  the highest block, which the arena's memory must span. */
  alloc(bytes: number): Ptr {
    const size = Math.max(ALIGN, alignUp(bytes, ALIGN));
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i];
      if (block.size >= size) {
        const ptr = block.ptr;
        if (block.size === size) this.free.splice(i, 1);
        else {
          block.ptr += size;
          block.size -= size;
        }
        this.used.set(ptr, size);
        return ptr;
      }
    }
    // Extend the top. No free block touches it (release gives such a block back to the top), so none is absorbed.
    const ptr = this.top;
    this.top = ptr + size;
    this.used.set(ptr, size);
    return ptr;
  }

  /** Return a block. Freeing a pointer that is not allocated throws: it would mean a double dispose. */
  release(ptr: Ptr): void {
    const size = this.used.get(ptr);
    if (size === undefined) fail(`internal error: freeing ${ptr}, which is not an allocated block`, 'internal');
    this.used.delete(ptr);
    let lo = 0,
      hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { ptr, size });
    // Coalesce with the next block, then with the previous one.
    const cur = this.free[lo];
    const next = this.free[lo + 1];
    if (next && cur.ptr + cur.size === next.ptr) {
      cur.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.ptr + prev.size === cur.ptr) {
      prev.size += cur.size;
      this.free.splice(lo, 1);
    }
    // A free block at the very top gives its space back to the top.
    const tail = this.free[this.free.length - 1];
    if (tail && tail.ptr + tail.size === this.top) {
      this.top = tail.ptr;
      this.free.pop();
    }
  }

  /** the bytes of the live block at `ptr`, 0 if none starts there */
  sizeOf(ptr: Ptr): number {
    return this.used.get(ptr) ?? 0;
  }

  /** bytes in live blocks */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.used.values()) total += size;
    return total;
  }
}
