import { describe, expect, it } from 'vitest';
import { expectClose, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { MATRICES, SIZES, roundAll, type SuiteContext } from '../suite-context.js';

export function elementwiseCases(ctx: SuiteContext): void {
  describe('elementwise', () => {
    it.each(SIZES)('fill, copy, scale and mul on n=%i', (n) => {
      const mem = ctx.mem(),
        rand = seededRandom(n);
      const a = uniform(rand, n, -3, 3),
        b = uniform(rand, n, -3, 3);
      const alpha = Math.fround(-0.37); // float32-representable, so both backends round the same product

      const filled = mem.out(n);
      mem.k.fill(filled, n, 0.1);
      expectClose(mem.get(filled, n), new Array(n).fill(ctx.round(0.1)), ctx.tol.exact, 'fill');
      mem.expectUntouchedAfter(filled, n, 'fill');

      const copied = mem.out(n);
      mem.k.copy(mem.put(a), copied, n);
      expectClose(mem.get(copied, n), a, ctx.tol.exact, 'copy');
      mem.expectUntouchedAfter(copied, n, 'copy');

      const scaled = mem.out(n);
      mem.set(scaled, a);
      mem.k.scale(scaled, n, alpha);
      expectClose(mem.get(scaled, n), roundAll(ctx, ref.scale(a, alpha)), ctx.tol.exact, 'scale');
      mem.expectUntouchedAfter(scaled, n, 'scale');

      const pa = mem.put(a),
        pb = mem.put(b),
        product = mem.out(n);
      const expected = roundAll(ctx, ref.mul(a, b));
      mem.k.mul(pa, pb, product, n);
      expectClose(mem.get(product, n), expected, ctx.tol.exact, 'mul');
      mem.expectUntouchedAfter(product, n, 'mul');
      mem.k.mul(pa, pb, pb, n); // out may be b
      expectClose(mem.get(pb, n), expected, ctx.tol.exact, 'mul into b');
      mem.k.mul(pa, pa, pa, n); // out may be a
      expectClose(mem.get(pa, n), roundAll(ctx, ref.mul(a, a)), ctx.tol.exact, 'mul into a');
    });

    it.each(MATRICES)('gatherRows with int32 indices from a %i×%i source', (rows, cols) => {
      const mem = ctx.mem(),
        rand = seededRandom(rows + cols);
      const src = uniform(rand, rows * cols);
      // repeats, the last row, and more rows out than in
      const idx = [rows - 1, 0, ...Array.from({ length: rows + 2 }, () => Math.floor(rand() * rows)), rows - 1];
      const dst = mem.out(idx.length * cols);
      mem.k.gatherRows(mem.put(src), mem.putInts(idx), dst, idx.length, cols);
      expectClose(mem.get(dst, idx.length * cols), ref.gatherRows(src, idx, cols), ctx.tol.exact, 'gatherRows');
      mem.expectUntouchedAfter(dst, idx.length * cols, 'gatherRows');
    });

    it.each(SIZES)('allFinite on n=%i finds NaN, +Inf and -Inf at every position class', (n) => {
      const mem = ctx.mem();
      const x = mem.put(uniform(seededRandom(n), n + 4));
      expect(mem.k.allFinite(x, n)).toBe(1);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of new Set([0, Math.floor(n / 2), n - 1])) {
          const values = mem.get(x, n);
          values[at] = bad;
          const p = mem.put(values);
          expect(mem.k.allFinite(p, n), `${bad} at ${at} of ${n}`).toBe(ref.allFinite(values));
        }
      }
      // a non-finite value just past the end is not part of the array
      mem.set(x + 4 * n, [NaN, Infinity, -Infinity, NaN]);
      expect(mem.k.allFinite(x, n)).toBe(1);
      expect(mem.k.allFinite(x, 0)).toBe(1);
    });
  });
}
