import { describe, expect, it } from 'vitest';
import { uniformHash } from '../../../src/backends/kernels.js';
import { expectClose } from '../helpers.js';
import { normalCdf } from '../reference.js';
import { SIZES, type SuiteContext } from '../suite-context.js';

const P_LOW = normalCdf(-2),
  P_HIGH = normalCdf(2);

export function randomCases(ctx: SuiteContext): void {
  describe('initial weights: randomUniform, truncatedNormal', () => {
    // seeds above 2³¹ catch a signed/unsigned mix-up
    it.each(
      SIZES.flatMap((n) => [
        [n, 0x9e3779b9],
        [n, 7],
      ]),
    )('randomUniform is lo + (hi − lo)·uniformHash exactly on n=%i, seed %i', (n, seed) => {
      const mem = ctx.mem(),
        y = mem.out(n);
      mem.k.randomUniform(y, n, -0.3, 0.7, seed);
      mem.expectUntouchedAfter(y, n, 'randomUniform y');
      const expected = Array.from({ length: n }, (_, i) => ctx.round(-0.3 + (0.7 - -0.3) * uniformHash(seed, i)));
      expectClose(mem.get(y, n), expected, ctx.tol.exact, 'y');
    });

    it.each(
      SIZES.flatMap((n) => [
        [n, 0x9e3779b9],
        [n, 7],
      ]),
    )('truncatedNormal is σ·Φ⁻¹(Φ(−2) + v·(Φ(2) − Φ(−2))) on n=%i, seed %i (Φ from its series)', (n, seed) => {
      const mem = ctx.mem(),
        y = mem.out(n),
        sigma = 0.25;
      mem.k.truncatedNormal(y, n, sigma, seed);
      mem.expectUntouchedAfter(y, n, 'truncatedNormal y');
      const got = mem.get(y, n);
      // Invert with an independent float64 Φ: Φ(y/σ) must give back the probability the kernel was asked for.
      const p = got.map((v) => normalCdf(v / sigma));
      const asked = Array.from({ length: n }, (_, i) => P_LOW + (uniformHash(seed, i) + 2 ** -25) * (P_HIGH - P_LOW));
      // float32 rounding of z moves Φ by at most φ(0)·|z|·2⁻²⁴ < 5e-8
      expectClose(p, asked, ctx.precision === 'float64' ? { atol: 1e-14, rtol: 0 } : { atol: 5e-8, rtol: 0 }, 'Φ(y/σ)');
    });

    it('truncatedNormal of 200k draws: inside ±2σ, symmetric, and distributed as the truncated normal (Kolmogorov–Smirnov)', () => {
      const n = 200_000,
        mem = ctx.mem(),
        y = mem.out(n);
      mem.k.truncatedNormal(y, n, 1, 12345);
      const z = Float64Array.from(mem.get(y, n)).sort();
      expect(z[0]).toBeGreaterThanOrEqual(-2);
      expect(z[n - 1]).toBeLessThanOrEqual(2);
      let d = 0;
      for (let i = 0; i < n; i++) {
        const cdf = (normalCdf(z[i]) - P_LOW) / (P_HIGH - P_LOW);
        d = Math.max(d, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
      }
      // the 1% critical value of the KS statistic is 1.63/√n = 0.0036
      expect(d, 'KS distance').toBeLessThan(1.63 / Math.sqrt(n));
    });

    it('another seed gives other numbers; n = 0 writes nothing', () => {
      const mem = ctx.mem(),
        a = mem.out(1000),
        b = mem.out(1000),
        c = mem.out(0);
      mem.k.truncatedNormal(a, 1000, 1, 1);
      mem.k.truncatedNormal(b, 1000, 1, 2);
      const x = mem.get(a, 1000),
        y = mem.get(b, 1000);
      expect(x.filter((v, i) => v !== y[i]).length).toBeGreaterThan(990);
      mem.k.randomUniform(c, 0, 0, 1, 3);
      mem.k.truncatedNormal(c, 0, 1, 3);
      mem.expectUntouchedAfter(c, 0, 'n = 0');
    });
  });
}
