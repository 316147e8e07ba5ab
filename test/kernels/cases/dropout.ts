import { describe, expect, it } from 'vitest';
import { uniformHash } from '../../../src/backends/kernels.js';
import { expectClose, seededRandom, uniform } from '../helpers.js';
import { SIZES, type SuiteContext } from '../suite-context.js';

export function dropoutCases(ctx: SuiteContext): void {
  describe('dropout', () => {
    const dropout = (n: number, rate: number, seed: number, x = uniform(seededRandom(n), n, -2, 2)) => {
      const mem = ctx.mem(),
        y = mem.out(n),
        mask = mem.out(n);
      mem.k.dropout(mem.put(x), y, mask, n, rate, seed);
      mem.expectUntouchedAfter(y, n, 'dropout y');
      mem.expectUntouchedAfter(mask, n, 'dropout mask');
      return { x, y: mem.get(y, n), mask: mem.get(mask, n) };
    };

    // seeds above 2³¹ catch a signed/unsigned mix-up
    it.each(
      SIZES.flatMap((n) => [
        [n, 0x9e3779b9],
        [n, 7],
      ]),
    )('the mask is uniformHash exactly on n=%i, seed %i', (n, seed) => {
      const rate = 0.3;
      const { x, y, mask } = dropout(n, rate, seed);
      const keep = ctx.round(1 / (1 - rate));
      const expected = Array.from({ length: n }, (_, i) => (uniformHash(seed, i) >= rate ? keep : 0));
      expectClose(mask, expected, { atol: 0, rtol: 2e-7 }, 'mask (1 ulp)');
      expectClose(
        y,
        x.map((v, i) => ctx.round(v * mask[i])),
        ctx.tol.exact,
        'y = x · mask',
      );
    });

    it('keeps an element whose u equals the rate exactly (u >= rate, not u > rate)', () => {
      const seed = 0xdeadbeef,
        n = 33;
      for (const at of [0, 5, 30]) {
        const rate = uniformHash(seed, at); // a multiple of 2⁻²⁴, exact in float32 and float64
        const { mask } = dropout(n, rate, seed);
        expect(mask[at], `u_${at} = rate = ${rate}`).toBeGreaterThan(0);
      }
    });

    it('keeps 1 − rate of 100k elements and their mean within 1%', () => {
      const n = 100_000;
      for (const rate of [0.1, 0.5, 0.9]) {
        const { mask } = dropout(n, rate, 12345, new Array(n).fill(1));
        const kept = mask.filter((m) => m !== 0).length / n;
        const mean = mask.reduce((a, b) => a + b, 0) / n;
        expect(Math.abs(kept - (1 - rate)), `kept ${kept} at rate ${rate}`).toBeLessThan(0.01);
        // the standard error of the mean is √(rate/(1−rate)/n): 0.0095 at rate 0.9
        expect(Math.abs(mean - 1), `mean ${mean} at rate ${rate}`).toBeLessThan(rate === 0.9 ? 0.04 : 0.01);
      }
    });

    it('rate 0 keeps everything; another seed gives another mask', () => {
      const { x, y } = dropout(33, 0, 1);
      expect(y).toEqual(x);
      const a = dropout(1000, 0.5, 1).mask,
        b = dropout(1000, 0.5, 2).mask;
      expect(a.filter((m, i) => m !== b[i]).length).toBeGreaterThan(300);
    });
  });
}
