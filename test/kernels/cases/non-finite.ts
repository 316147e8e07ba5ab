import { describe, expect, it } from 'vitest';
import { expectClose } from '../helpers.js';
import * as ref from '../reference.js';
import { roundAll, type SuiteContext } from '../suite-context.js';
import { ACTIVATIONS } from './activations.js';

/** 11 elements (not a multiple of 4) so that specials land in both the SIMD body and the scalar tail */
const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1.5, -2, 3e38, -3e38, NaN, -Infinity];
/** for inputs of the backward passes: finite values stay small, so that no product overflows */
const SPECIALS_SMALL = [NaN, Infinity, -Infinity, 0, 0.25, 1.5, -2, -0.5, 0.75, NaN, -Infinity];
const PLAIN = [0.5, -1.25, 2, -0.75, 1, 0.25, -3, 0.5, 1.5, -2, 0.125];

/** NaN, +Inf and −Inf must come out exactly where the contract's formula puts them, told apart. */
export function nonFiniteCases(ctx: SuiteContext): void {
  describe('NaN and infinities, position by position', () => {
    const n = SPECIALS.length;

    for (const act of ACTIVATIONS) {
      it(`${act.name} forward and backward`, () => {
        const mem = ctx.mem(),
          y = mem.zeros(n),
          dx = mem.zeros(n);
        act.forward(mem.k, mem.put(SPECIALS), y, n);
        expectClose(mem.get(y, n), roundAll(ctx, act.refForward(SPECIALS)), ctx.tol[act.tol.forward], act.name);
        // specials in y, then in dy
        act.backward(mem.k, mem.put(SPECIALS_SMALL), mem.put(PLAIN), dx, n);
        expectClose(
          mem.get(dx, n),
          roundAll(ctx, act.refBackward(SPECIALS_SMALL, PLAIN)),
          ctx.tol.compound,
          `${act.name}Backward (y)`,
        );
        act.backward(mem.k, mem.put(PLAIN.map((v) => v / 4)), mem.put(SPECIALS_SMALL), dx, n);
        expectClose(
          mem.get(dx, n),
          roundAll(
            ctx,
            act.refBackward(
              PLAIN.map((v) => v / 4),
              SPECIALS_SMALL,
            ),
          ),
          ctx.tol.compound,
          `${act.name}Backward (dy)`,
        );
      });
    }

    it('relu of NaN is NaN', () => {
      const mem = ctx.mem(),
        y = mem.zeros(5);
      mem.k.relu(mem.put([NaN, 1, NaN, -1, NaN]), y, 5);
      expect(mem.get(y, 5)).toEqual([NaN, 1, NaN, 0, NaN]);
    });

    it('softmax rows with NaN or infinities', () => {
      const rows = [
        [NaN, 1, 2],
        [Infinity, 1, 2],
        [-Infinity, 1, 2],
        [-Infinity, -Infinity, -Infinity],
        [1, 2, 3],
      ];
      const x = rows.flat(),
        mem = ctx.mem(),
        y = mem.zeros(x.length);
      mem.k.softmax(mem.put(x), y, rows.length, 3);
      expectClose(mem.get(y, x.length), roundAll(ctx, ref.softmax(x, 3)), ctx.tol.transcendental, 'softmax');
    });

    it('matmul, addRowVector, sumRows, scale and mul', () => {
      const mem = ctx.mem();
      // x row 0 holds specials; row 1 is zeros, so 0·Inf and 0·NaN from w must still give NaN
      const x = [NaN, 1, 2, 0, 0, 0, -Infinity, 1, 0.5];
      const w = [1, 2, 0.5, 0.25, Infinity, 1, 2, 0.5, NaN, 1, 1, -1];
      const y = mem.zeros(12);
      mem.k.matmul(mem.put(x), mem.put(w), y, 3, 3, 4);
      expectClose(mem.get(y, 12), ref.matmul(x, w, 3, 3, 4), ctx.tol.reduction, 'matmul');

      const m = mem.put(SPECIALS_SMALL);
      mem.k.addRowVector(m, mem.put(PLAIN), 1, n);
      expectClose(
        mem.get(m, n),
        roundAll(ctx, ref.addRowVector(SPECIALS_SMALL, PLAIN, n)),
        ctx.tol.exact,
        'addRowVector',
      );
      const db = mem.zeros(4);
      mem.k.sumRows(mem.put([NaN, Infinity, -Infinity, 1, 1, 1, 1, 1]), db, 2, 4);
      expectClose(mem.get(db, 4), [NaN, Infinity, -Infinity, 2], ctx.tol.exact, 'sumRows');
      const s = mem.put(SPECIALS);
      mem.k.scale(s, n, -0.5);
      expectClose(mem.get(s, n), roundAll(ctx, ref.scale(SPECIALS, -0.5)), ctx.tol.exact, 'scale');
      const out = mem.zeros(n);
      mem.k.mul(mem.put(SPECIALS), mem.put(SPECIALS_SMALL), out, n);
      expectClose(mem.get(out, n), roundAll(ctx, ref.mul(SPECIALS, SPECIALS_SMALL)), ctx.tol.exact, 'mul');
    });

    it('mse, mae and binary cross-entropy: NaN loss, non-finite gradients only where the input is', () => {
      const mem = ctx.mem();
      const p = [0.5, NaN, 0.25, Infinity, 0.75],
        t = [0, 1, 1, 0, 1];
      for (const name of ['mse', 'mae'] as const) {
        const dy = mem.zeros(5);
        const loss = mem.k[name](mem.put(p), mem.put(t), dy, 1, 5, 0);
        expect(loss, name).toBeNaN();
        expectClose(mem.get(dy, 5), roundAll(ctx, ref[name](p, t).dy), ctx.tol.compound, `${name} dy`);
      }
      // −Inf clips to eps (a +Inf would clip to 1 − eps, which float32 cannot hold closely enough to compare)
      const pb = [0.5, NaN, 0.25, -Infinity, 0.75],
        tb = [0, 1, 1, 1, 1],
        dy = mem.zeros(5);
      expect(mem.k.binaryCrossentropy(mem.put(pb), mem.put(tb), dy, 1, 5, 1e-7, 0)).toBeNaN();
      expectClose(mem.get(dy, 5), roundAll(ctx, ref.binaryCrossentropy(pb, tb, 1e-7).dy), ctx.tol.compound, 'bce dy');
    });

    it('optimizer steps keep a NaN gradient in its own position', () => {
      const mem = ctx.mem(),
        g = [0.5, NaN, -1, Infinity, 0.25];
      const param = mem.put([1, 1, 1, 1, 1]),
        m = mem.zeros(5),
        v = mem.zeros(5);
      mem.k.adamStep(param, mem.put(g), m, v, 5, 1e-3, 0.9, 0.999, 1e-7);
      const p = mem.get(param, 5);
      expect(p.map(Number.isNaN)).toEqual([false, true, false, true, false]); // Inf/Inf
      const sgd = mem.put([1, 1, 1, 1, 1]);
      mem.k.sgdStep(sgd, mem.put(g), 5, 0.1);
      expectClose(mem.get(sgd, 5), roundAll(ctx, ref.sgdStep([1, 1, 1, 1, 1], g, 0.1).param), ctx.tol.compound, 'sgd');
    });
  });
}
