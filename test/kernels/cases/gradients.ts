import { describe, expect, it } from 'vitest';
import {
  conv2dGeometry,
  convArgs,
  convScratchFloats,
  pool2dGeometry,
  poolArgs,
} from '../../../src/backends/conv-geometry.js';
import type { Ptr } from '../../../src/backends/kernels.js';
import { awayFromZero, seededRandom, uniform, type Mem } from '../helpers.js';
import { type SuiteContext } from '../suite-context.js';
import { ACTIVATIONS } from './activations.js';
import { LOSSES } from './losses.js';

/**
 * Analytic gradients against central finite differences. In float64: eps 1e-6 and a max-norm relative error below
 * 1e-7 (docs/TESTING.md). In float32: eps 1e-3 and atol 1e-3 + rtol 1e-2 per element.
 */
export function gradientCases(ctx: SuiteContext): void {
  const f64 = ctx.precision === 'float64';
  const h = f64 ? 1e-6 : 1e-3;

  /** ∂F/∂x_i by central differences, dividing by the step the heap actually stored */
  function numericGradient(F: (x: number[]) => number, x: number[]): number[] {
    return x.map((v, i) => {
      const plus = x.slice(),
        minus = x.slice();
      plus[i] = ctx.round(v + h);
      minus[i] = ctx.round(v - h);
      return (F(plus) - F(minus)) / (plus[i] - minus[i]);
    });
  }

  function expectGradient(analytic: number[], numeric: number[], what: string): void {
    if (f64) {
      const norm = (a: number[]) => Math.max(...a.map(Math.abs));
      const err = norm(analytic.map((a, i) => a - numeric[i])) / Math.max(norm(analytic), norm(numeric), 1e-12);
      expect(err, `${what}: relative error ${err}\nanalytic ${analytic}\nnumeric  ${numeric}`).toBeLessThan(1e-7);
    } else {
      const bad = analytic.findIndex((a, i) => !(Math.abs(a - numeric[i]) <= 1e-3 + 1e-2 * Math.abs(numeric[i])));
      expect(bad, `${what}: [${bad}] analytic ${analytic[bad]}, numeric ${numeric[bad]}`).toBe(-1);
    }
  }

  /** Σ r·(the kernel's output) for an input written at `at`: the scalar objective whose gradient is r·J */
  const projected = (mem: Mem, at: Ptr, out: Ptr, r: number[], run: () => void) => (x: number[]) => {
    mem.set(at, x);
    run();
    return mem.get(out, r.length).reduce((s, y, i) => s + r[i] * y, 0);
  };

  describe(`gradients by central differences (${ctx.precision}, eps ${h})`, () => {
    const rows = 3,
      cols = 5,
      n = rows * cols;

    for (const act of ACTIVATIONS) {
      it(`${act.name}Backward`, () => {
        const mem = ctx.mem(),
          rand = seededRandom(act.name.length);
        const x = awayFromZero(rand, n, 0.01, 2),
          r = uniform(rand, n);
        const px = mem.put(x),
          y = mem.zeros(n),
          pr = mem.put(r),
          dx = mem.zeros(n);
        act.forward(mem.k, px, y, n);
        act.backward(mem.k, y, pr, dx, n);
        const analytic = mem.get(dx, n);
        expectGradient(
          analytic,
          numericGradient(
            projected(mem, px, y, r, () => act.forward(mem.k, px, y, n)),
            x,
          ),
          act.name,
        );
      });
    }

    it('softmaxBackward', () => {
      const mem = ctx.mem(),
        rand = seededRandom(99);
      const x = uniform(rand, n, -2, 2),
        r = uniform(rand, n);
      const px = mem.put(x),
        y = mem.zeros(n),
        dx = mem.zeros(n);
      mem.k.softmax(px, y, rows, cols);
      mem.k.softmaxBackward(y, mem.put(r), dx, rows, cols);
      const analytic = mem.get(dx, n);
      expectGradient(
        analytic,
        numericGradient(
          projected(mem, px, y, r, () => mem.k.softmax(px, y, rows, cols)),
          x,
        ),
        'softmax',
      );
    });

    for (const loss of LOSSES) {
      // unweighted, and with sample weights (one row left out by a weight of 0)
      it.each([undefined, [0.5, 0, 2.25]])(`${loss.name} gradient, weights %o`, (weights) => {
        const mem = ctx.mem(),
          { p, t } = loss.inputs(seededRandom(loss.name.length), rows, cols);
        const pp = mem.put(p),
          pt = mem.put(t),
          dy = mem.zeros(n),
          probs = mem.zeros(n),
          w = weights ? mem.put(weights.slice(0, rows)) : 0;
        const F = (x: number[]) => {
          mem.set(pp, x);
          return loss.run(mem.k, pp, pt, dy, probs, rows, cols, w);
        };
        F(p);
        const analytic = mem.get(dy, n);
        expectGradient(analytic, numericGradient(F, p), loss.name);
      });
    }

    it('matmul through matmulTransB (dx) and matmulTransA (dw)', () => {
      const [m, k, nn] = [3, 5, 4],
        mem = ctx.mem(),
        rand = seededRandom(7);
      const x = uniform(rand, m * k),
        w = uniform(rand, k * nn),
        r = uniform(rand, m * nn);
      const px = mem.put(x),
        pw = mem.put(w),
        y = mem.zeros(m * nn),
        pr = mem.put(r);
      const dx = mem.zeros(m * k),
        dw = mem.zeros(k * nn);
      mem.k.matmulTransB(pr, pw, dx, m, nn, k);
      mem.k.matmulTransA(px, pr, dw, m, k, nn);
      const [gx, gw] = [mem.get(dx, m * k), mem.get(dw, k * nn)];
      const forward = () => mem.k.matmul(px, pw, y, m, k, nn);
      expectGradient(gx, numericGradient(projected(mem, px, y, r, forward), x), 'dx');
      mem.set(px, x);
      expectGradient(gw, numericGradient(projected(mem, pw, y, r, forward), w), 'dw');
    });

    it('addRowVector through sumRows (db)', () => {
      const mem = ctx.mem(),
        rand = seededRandom(8);
      const y0 = uniform(rand, n),
        b = uniform(rand, cols),
        r = uniform(rand, n);
      const y = mem.zeros(n),
        pb = mem.put(b),
        db = mem.zeros(cols);
      mem.k.sumRows(mem.put(r), db, rows, cols);
      const F = projected(mem, pb, y, r, () => {
        mem.set(y, y0); // in place: start from y0 every time
        mem.k.addRowVector(y, pb, rows, cols);
      });
      expectGradient(mem.get(db, cols), numericGradient(F, b), 'db');
    });

    // n=2, 5×4×3 images, a 3×2 kernel to 4 filters, stride 2×1, 'same' (pads: 1 top + 1 bottom, 0 left + 1 right)
    const cg = conv2dGeometry({
      n: 2,
      inH: 5,
      inW: 4,
      inC: 3,
      kh: 3,
      kw: 2,
      outC: 4,
      strideH: 2,
      strideW: 1,
      padding: 'same',
    });
    const cx = cg.n * cg.inH * cg.inW * cg.inC,
      cw = cg.kh * cg.kw * cg.inC * cg.outC,
      cy = cg.n * cg.outH * cg.outW * cg.outC;

    it('conv2d through conv2dBackwardInput (dx) and conv2dBackwardFilter (dw)', () => {
      const mem = ctx.mem(),
        rand = seededRandom(10);
      const x = uniform(rand, cx),
        w = uniform(rand, cw),
        r = uniform(rand, cy);
      const px = mem.put(x),
        pw = mem.put(w),
        y = mem.zeros(cy),
        pr = mem.put(r),
        scratch = mem.zeros(convScratchFloats(cg));
      const dx = mem.zeros(cx),
        dw = mem.zeros(cw);
      mem.k.conv2dBackwardInput(pr, pw, dx, scratch, ...convArgs(cg));
      mem.k.conv2dBackwardFilter(px, pr, dw, scratch, ...convArgs(cg));
      const [gx, gw] = [mem.get(dx, cx), mem.get(dw, cw)];
      const forward = () => mem.k.conv2d(px, pw, y, scratch, ...convArgs(cg));
      expectGradient(gx, numericGradient(projected(mem, px, y, r, forward), x), 'conv dx');
      mem.set(px, x);
      expectGradient(gw, numericGradient(projected(mem, pw, y, r, forward), w), 'conv dw');
    });

    // overlapping 3×2 windows with stride 2×1, 'same' with uneven pads, 5 channels
    const pg = pool2dGeometry({
      n: 2,
      inH: 5,
      inW: 4,
      c: 5,
      poolH: 3,
      poolW: 2,
      strideH: 2,
      strideW: 1,
      padding: 'same',
    });
    const poolX = pg.n * pg.inH * pg.inW * pg.c,
      poolY = pg.n * pg.outH * pg.outW * pg.c;

    it('maxPool through maxPoolBackward (distinct inputs 0.05 apart: a step of eps never changes a maximum)', () => {
      const mem = ctx.mem(),
        rand = seededRandom(12);
      const order = Array.from({ length: poolX }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        // Fisher–Yates
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const x = order.map((i) => Math.fround(0.05 * i - 2)),
        r = uniform(rand, poolY);
      const px = mem.put(x),
        y = mem.zeros(poolY),
        dx = mem.zeros(poolX);
      mem.k.maxPoolBackward(px, mem.put(r), dx, ...poolArgs(pg));
      const F = projected(mem, px, y, r, () => mem.k.maxPool(px, y, ...poolArgs(pg)));
      expectGradient(mem.get(dx, poolX), numericGradient(F, x), 'maxPool dx');
    });

    it('avgPool through avgPoolBackward', () => {
      const mem = ctx.mem(),
        rand = seededRandom(13);
      const x = uniform(rand, poolX),
        r = uniform(rand, poolY);
      const px = mem.put(x),
        y = mem.zeros(poolY),
        dx = mem.zeros(poolX);
      mem.k.avgPoolBackward(mem.put(r), dx, ...poolArgs(pg));
      const F = projected(mem, px, y, r, () => mem.k.avgPool(px, y, ...poolArgs(pg)));
      expectGradient(mem.get(dx, poolX), numericGradient(F, x), 'avgPool dx');
    });

    it('matmul 64×130×70 in one random direction (vᵀJu, the fast mode)', () => {
      const [m, k, nn] = [64, 130, 70],
        mem = ctx.mem(),
        rand = seededRandom(9);
      const x = uniform(rand, m * k),
        w = uniform(rand, k * nn),
        r = uniform(rand, m * nn),
        u = uniform(rand, m * k);
      const px = mem.put(x),
        pw = mem.put(w),
        y = mem.zeros(m * nn),
        dx = mem.zeros(m * k);
      mem.k.matmulTransB(mem.put(r), pw, dx, m, nn, k);
      const analytic = mem.get(dx, m * k).reduce((s, g, i) => s + g * u[i], 0);
      const F = projected(mem, px, y, r, () => mem.k.matmul(px, pw, y, m, k, nn));
      // a step of 1 is exact for a linear map and keeps float32 rounding out of the difference
      const step = f64 ? h : 1;
      const numeric =
        (F(x.map((v, i) => ctx.round(v + step * u[i]))) - F(x.map((v, i) => ctx.round(v - step * u[i])))) / (2 * step);
      expectGradient([analytic], [numeric], 'vᵀJu');
    });
  });
}
