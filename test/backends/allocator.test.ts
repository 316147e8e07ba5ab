// The arena's bookkeeping (src/backends/allocator.ts): first fit over address-sorted free blocks, freed neighbours
// merged, a free block at the top given back to the top. Named scenarios for each rule, then random sequences of
// allocs and frees checked against a plain model of the same policy (one flag per 64-byte unit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALIGN, Allocator } from '../../src/backends/allocator.js';
import { reportCases, runProperty } from '../properties/harness.js';

reportCases('allocator');

const BASE = 128;

describe('Allocator: the rules one by one', () => {
  it('starts at the base rounded up to ALIGN, and rounds every size up to a multiple of ALIGN (at least one)', () => {
    expect(ALIGN).toBe(64);
    const a = new Allocator(100);
    expect(a.top).toBe(128);
    expect(a.alloc(0)).toBe(128);
    expect(a.top).toBe(192);
    expect(a.alloc(1)).toBe(192);
    expect(a.alloc(65)).toBe(256);
    expect(a.top).toBe(384);
    expect(a.bytesInUse).toBe(64 + 64 + 128);
  });

  it('splits: a smaller block takes the front of a free one, and the rest is handed out next', () => {
    const a = new Allocator(BASE);
    const big = a.alloc(640),
      fence = a.alloc(64);
    a.release(big);
    expect(a.alloc(128)).toBe(big);
    expect(a.alloc(256)).toBe(big + 128);
    expect(a.alloc(256)).toBe(big + 384);
    expect(a.alloc(64)).toBe(fence + 64); // the hole is used up: the top grows
  });

  it('merges a freed block with both neighbours, so the three fit a block as large as all of them', () => {
    const a = new Allocator(BASE);
    const [p0, p1, p2] = [a.alloc(64), a.alloc(128), a.alloc(64)];
    a.alloc(64); // keeps the three below the top
    const top = a.top;
    a.release(p0);
    a.release(p2);
    expect(a.alloc(256)).toBe(top); // two holes of 64: neither fits 256
    a.release(p1); // joins p0 and p2 into one hole of 256
    expect(a.alloc(256)).toBe(p0);
    expect(a.top).toBe(top + 256);
  });

  it('gives a free block at the top back to the top, whatever order the blocks are freed in', () => {
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ];
    for (const order of orders) {
      const a = new Allocator(BASE);
      const blocks = [a.alloc(64), a.alloc(200), a.alloc(1000), a.alloc(64)];
      for (const i of order) a.release(blocks[i]);
      expect(a.top, `order ${order}`).toBe(BASE);
      expect(a.bytesInUse).toBe(0);
      expect(a.alloc(64 * 22), 'everything reused from the base').toBe(BASE);
    }
  });

  it('reuses the lowest free block that fits (first fit), not the best-fitting one', () => {
    const a = new Allocator(BASE);
    const wide = a.alloc(512),
      f1 = a.alloc(64),
      narrow = a.alloc(128),
      f2 = a.alloc(64);
    a.release(wide);
    a.release(narrow);
    expect(a.alloc(128)).toBe(wide);
    expect(a.alloc(128)).toBe(wide + 128);
    expect([f1, f2].every((p) => p > wide)).toBe(true);
  });

  it('refuses to free a block twice, or a pointer it never handed out', () => {
    const a = new Allocator(BASE);
    const p = a.alloc(64);
    a.alloc(64);
    a.release(p);
    expect(() => a.release(p)).toThrow(/^scratchnet: internal error: freeing 128, which is not an allocated block$/);
    expect(() => a.release(p + 4)).toThrow(/not an allocated block/);
  });
});

/** The same policy, written the plain way: a flag per ALIGN-byte unit from the base. */
class Model {
  private used: boolean[] = [];
  private sizes = new Map<number, number>();
  top: number;
  constructor(private readonly base: number) {
    this.top = base;
  }
  alloc(bytes: number): number {
    const units = Math.max(1, Math.ceil(bytes / ALIGN));
    const topUnit = (this.top - this.base) / ALIGN;
    let start = topUnit;
    for (let u = 0, run = 0; u < topUnit; u++) {
      run = this.used[u] ? 0 : run + 1;
      if (run === units) {
        start = u - units + 1;
        break;
      }
    }
    for (let u = start; u < start + units; u++) this.used[u] = true;
    this.top = Math.max(this.top, this.base + (start + units) * ALIGN);
    const ptr = this.base + start * ALIGN;
    this.sizes.set(ptr, units * ALIGN);
    return ptr;
  }
  release(ptr: number): void {
    const start = (ptr - this.base) / ALIGN;
    for (let u = start; u < start + this.sizes.get(ptr)! / ALIGN; u++) this.used[u] = false;
    this.sizes.delete(ptr);
    let last = (this.top - this.base) / ALIGN;
    while (last > 0 && !this.used[last - 1]) last--;
    this.top = this.base + last * ALIGN;
  }
}

describe('Allocator: random sequences of allocs and frees', () => {
  // an op: a size to allocate, or (as a negative number) which live block to free
  const op = fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: -1000, max: -1 }));

  it('hands out the same pointers as the model, never overlapping, 64-byte aligned, and ends at the base', () => {
    runProperty(
      'allocator against the model',
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const a = new Allocator(BASE),
          model = new Model(BASE);
        const live: { ptr: number; size: number }[] = [];
        for (const o of ops) {
          if (o >= 0) {
            const ptr = a.alloc(o);
            expect(ptr).toBe(model.alloc(o));
            expect(ptr % ALIGN).toBe(0);
            const size = Math.max(ALIGN, Math.ceil(o / ALIGN) * ALIGN);
            for (const b of live)
              expect(ptr + size <= b.ptr || b.ptr + b.size <= ptr, `${ptr} overlaps ${b.ptr}`).toBe(true);
            live.push({ ptr, size });
          } else if (live.length > 0) {
            const [block] = live.splice(-o % live.length, 1);
            a.release(block.ptr);
            model.release(block.ptr);
          }
          expect(a.top).toBe(model.top);
          expect(a.bytesInUse).toBe(live.reduce((s, b) => s + b.size, 0));
        }
        for (const b of live) a.release(b.ptr);
        expect(a.top).toBe(BASE);
        expect(a.bytesInUse).toBe(0);
      }),
      300,
    );
  });
});
