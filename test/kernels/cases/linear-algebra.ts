import { describe, expect, it } from 'vitest';
import { expectClose, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { MATMUL_SHAPES, MATRICES, roundAll, type SuiteContext } from '../suite-context.js';

export function linearAlgebraCases(ctx: SuiteContext): void {
  describe('linear algebra', () => {
    it.each(MATMUL_SHAPES)('matmul, matmulTransB, matmulTransA on m=%i k=%i n=%i', (m, k, n) => {
      const mem = ctx.mem(),
        rand = seededRandom(m * 10007 + k * 101 + n);
      const x = uniform(rand, m * k),
        w = uniform(rand, k * n),
        dy = uniform(rand, m * n);
      const px = mem.put(x),
        pw = mem.put(w),
        pdy = mem.put(dy);
      const y = mem.out(m * n),
        dx = mem.out(m * k),
        dw = mem.out(k * n);
      mem.k.matmul(px, pw, y, m, k, n);
      mem.k.matmulTransB(pdy, pw, dx, m, n, k);
      mem.k.matmulTransA(px, pdy, dw, m, k, n);
      expectClose(mem.get(y, m * n), ref.matmul(x, w, m, k, n), ctx.tol.reduction, 'matmul');
      expectClose(mem.get(dx, m * k), ref.matmulTransB(dy, w, m, n, k), ctx.tol.reduction, 'matmulTransB');
      expectClose(mem.get(dw, k * n), ref.matmulTransA(x, dy, m, k, n), ctx.tol.reduction, 'matmulTransA');
      mem.expectUntouchedAfter(y, m * n, 'matmul');
      mem.expectUntouchedAfter(dx, m * k, 'matmulTransB');
      mem.expectUntouchedAfter(dw, k * n, 'matmulTransA');
    });

    it('matmul overwrites its output rather than adding to it', () => {
      const mem = ctx.mem();
      const y = mem.put([7, 7, 7, 7]);
      mem.k.matmul(mem.put([1, 2, 3, 4]), mem.put([1, 0, 0, 1]), y, 2, 2, 2);
      expect(mem.get(y, 4)).toEqual([1, 2, 3, 4]);
      const dw = mem.put([7, 7, 7, 7]);
      mem.k.matmulTransA(mem.put([1, 2, 3, 4]), mem.put([1, 0, 0, 1]), dw, 2, 2, 2);
      expect(mem.get(dw, 4)).toEqual([1, 3, 2, 4]);
    });

    it.each(MATRICES)('addRowVector and sumRows on %i×%i', (rows, cols) => {
      const mem = ctx.mem(),
        rand = seededRandom(rows * 1000 + cols);
      const y0 = uniform(rand, rows * cols, -3, 3),
        b = uniform(rand, cols, -3, 3);
      const y = mem.out(rows * cols);
      mem.set(y, y0);
      mem.k.addRowVector(y, mem.put(b), rows, cols);
      expectClose(mem.get(y, rows * cols), roundAll(ctx, ref.addRowVector(y0, b, cols)), ctx.tol.exact, 'addRowVector');
      mem.expectUntouchedAfter(y, rows * cols, 'addRowVector');

      const db = mem.out(cols);
      mem.k.sumRows(mem.put(y0), db, rows, cols);
      expectClose(mem.get(db, cols), ref.sumRows(y0, rows, cols), ctx.tol.reduction, 'sumRows');
      mem.expectUntouchedAfter(db, cols, 'sumRows');
    });
  });
}
