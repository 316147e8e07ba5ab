// Helpers for the tests of the wasm entries the worker pool cuts its calls with (src/backends/wasm/threads/split.ts):
// a module over a fresh memory with a bump allocator, awkward cuts of a range, and a bit-for-bit comparison.
import { expect } from 'vitest';
import { decodeBase64 } from '../../src/backends/wasm/bytes.generated.js';
import { createMemory, instantiateKernels } from '../../src/backends/wasm/load.js';

export type Fn = (...a: number[]) => number;

/** the module's exports over a fresh memory, and a bump allocator of float blocks after its heap base (a block
 *  without `fill` holds NaN, so that a part left unwritten shows) */
export function instance(base64: string) {
  const memory = createMemory();
  const exports = instantiateKernels(decodeBase64(base64), memory) as unknown as Record<string, Fn>;
  let next = (exports.heapBase() + 15) & ~15;
  const alloc = (floats: number, fill?: (i: number) => number): number => {
    const p = next;
    next += ((floats * 4 + 15) & ~15) + 16;
    const pages = Math.ceil((next - memory.buffer.byteLength) / 65536);
    if (pages > 0) memory.grow(pages);
    const view = new Float32Array(memory.buffer, p, floats);
    for (let i = 0; i < floats; i++) view[i] = fill ? Math.fround(fill(i)) : Number.NaN;
    return p;
  };
  const read = (p: number, floats: number) => Array.from(new Float32Array(memory.buffer, p, floats));
  return { exports, alloc, read };
}

/** cut [0, total) at the given fractions (rounded down to a multiple of `align`), keeping the empty parts out */
export const cuts = (total: number, fractions: number[], align = 1): [number, number][] => {
  const at = [0, ...fractions.map((f) => Math.floor((total * f) / align) * align), total];
  return at
    .slice(1)
    .map((hi, i) => [at[i], hi] as [number, number])
    .filter(([lo, hi]) => hi > lo);
};

export function expectBits(actual: number[], expected: number[], what: string): void {
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  if (first >= 0) expect.fail(`${what}: first difference at [${first}]: ${actual[first]} ≠ ${expected[first]}`);
}
