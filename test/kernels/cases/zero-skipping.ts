import { describe, expect, it } from 'vitest';
import { expectClose, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { MATMUL_SHAPES, type SuiteContext } from '../suite-context.js';

/** uniforms in [−1, 1) of which about `zeros` are exact zeros (−0 among them), like MNIST pixels or relu outputs */
function mostlyZeros(rand: () => number, n: number, zeros = 0.8): number[] {
  return uniform(rand, n).map((v) => (rand() < zeros ? (rand() < 0.1 ? -0 : 0) : v));
}

/** the contract's formula with the zero terms of x left out, in float64 */
function refSkipZeros(x: number[], w: number[], m: number, k: number, n: number): number[] {
  const y = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const a = x[i * k + p];
      if (a !== 0) for (let j = 0; j < n; j++) y[i * n + j] += a * w[p * n + j];
    }
  }
  return y;
}

/** Same numbers, bit for bit: toEqual treats +0 and −0 as different, and NaN as equal to NaN. */
function expectBits(actual: number[], expected: number[], what: string): void {
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  if (first >= 0) expect.fail(`${what}: first difference at [${first}]: ${actual[first]} ≠ ${expected[first]}`);
}

/** Shapes that reach every path of the wasm kernels: one row (the per-sample path), a few rows, 4-row blocks, and
 *  the packed panels with edges in every direction (m % 4, n % 8, k % 4), where the order of the sums must hold. */
const SHAPES: [number, number, number][] = [
  ...MATMUL_SHAPES,
  [1, 784, 100],
  [2, 50, 10],
  [40, 70, 520],
  [64, 784, 128],
  [9, 33, 37],
];

/** matmulSkipZeros, matmulTransASkipZeros and sgdOuterStep: a dense layer on inputs that are mostly zeros. */
export function zeroSkippingCases(ctx: SuiteContext): void {
  describe('zero-skipping kernels', () => {
    // x[m,k] mostly zeros against a dense operand: the skipping kernel, its dense twin, and the float64 formula
    const pairs = [
      {
        skip: 'matmulSkipZeros',
        dense: 'matmul',
        other: (m: number, k: number, n: number) => k * n,
        out: (m: number, k: number, n: number) => m * n,
        formula: (x: number[], o: number[], m: number, k: number, n: number) => ref.matmul(x, o, m, k, n),
      },
      {
        skip: 'matmulTransASkipZeros',
        dense: 'matmulTransA',
        other: (m: number, k: number, n: number) => m * n,
        out: (m: number, k: number, n: number) => k * n,
        formula: (x: number[], o: number[], m: number, k: number, n: number) => ref.matmulTransA(x, o, m, k, n),
      },
    ] as const;
    describe.each(pairs)('$skip', ({ skip, dense, other, out, formula }) => {
      it.each(SHAPES)(`on m=%i k=%i n=%i: the formula, and bit-identical to ${dense}`, (m, k, n) => {
        const mem = ctx.mem(),
          rand = seededRandom(m * 7919 + k * 31 + n + skip.length);
        const x = mostlyZeros(rand, m * k),
          o = uniform(rand, other(m, k, n)),
          len = out(m, k, n);
        const px = mem.put(x),
          po = mem.put(o),
          got = mem.out(len),
          want = mem.zeros(len);
        mem.k[skip](px, po, got, m, k, n);
        mem.k[dense](px, po, want, m, k, n);
        expectClose(mem.get(got, len), formula(x, o, m, k, n), ctx.tol.reduction, skip);
        expectBits(mem.get(got, len), mem.get(want, len), `${skip} against ${dense}`);
        mem.expectUntouchedAfter(got, len, skip);
      });
    });

    // denseBackward: a dense layer's two gradients in one call (the worker pool runs them side by side), the bits of
    // matmulTransASkipZeros and matmulTransB, on x that skips zeros and on x too dense to; nothing written past them
    it.each(SHAPES)(
      'denseBackward on m=%i k=%i n=%i: the bits of matmulTransASkipZeros and matmulTransB',
      (m, k, n) => {
        const rand = seededRandom(m * 131 + k * 17 + n);
        for (const zeros of [0.8, 0.2]) {
          const mem = ctx.mem();
          const px = mem.put(mostlyZeros(rand, m * k, zeros)),
            pdz = mem.put(uniform(rand, m * n)),
            pw = mem.put(uniform(rand, k * n));
          const dw = mem.out(k * n),
            dx = mem.out(m * k),
            dwAlone = mem.out(k * n),
            dxAlone = mem.out(m * k);
          mem.k.denseBackward(px, pdz, pw, dw, dx, m, k, n);
          mem.k.matmulTransASkipZeros(px, pdz, dwAlone, m, k, n);
          mem.k.matmulTransB(pdz, pw, dxAlone, m, n, k);
          expectBits(mem.get(dw, k * n), mem.get(dwAlone, k * n), `dw, ${zeros * 100}% zeros`);
          expectBits(mem.get(dx, m * k), mem.get(dxAlone, m * k), `dx, ${zeros * 100}% zeros`);
          mem.expectUntouchedAfter(dw, k * n, 'dw');
          mem.expectUntouchedAfter(dx, m * k, 'dx');
        }
      },
    );

    it('matmulSkipZeros leaves out NaN and ±Inf in w where x is zero, and keeps them elsewhere (one row at a time)', () => {
      const mem = ctx.mem();
      const [k, n] = [5, 6];
      const x = [0, 1, -0, 2, 0, 0.5, 0, 0, 1, -1];
      const w = uniform(seededRandom(11), k * n);
      w[0] = NaN;
      w[6 + 1] = Infinity;
      w[12 + 2] = -Infinity;
      w[18 + 3] = NaN; // rows 0..3 of w, one special each
      const pw = mem.put(w);
      for (const i of [0, 1]) {
        const y = mem.zeros(n),
          row = x.slice(i * k, i * k + k);
        mem.k.matmulSkipZeros(mem.put(row), pw, y, 1, k, n);
        expectClose(mem.get(y, n), refSkipZeros(row, w, 1, k, n), ctx.tol.reduction, `matmulSkipZeros, row ${i}`);
      }
    });

    it('on a batch, the skipping kernels skip only where it pays (≤ 30% non-zero, ≥ 32 outputs), and are matmul elsewhere', () => {
      const mem = ctx.mem(),
        rand = seededRandom(14);
      const [m, k] = [8, 10];
      const w = (n: number) => {
        const v = uniform(rand, k * n);
        v[0] = NaN; // row 0 of w, column 0: faces x[i, 0] == 0 in every row
        return v;
      };
      const run = (x: number[], n: number) => {
        const y = mem.zeros(m * n),
          dw = mem.zeros(k * n),
          px = mem.put(x),
          dy = uniform(rand, m * n);
        dy[0] = NaN; // dy[0, 0] faces x[0, 0] == 0 in the weight gradient
        mem.k.matmulSkipZeros(px, mem.put(w(n)), y, m, k, n);
        mem.k.matmulTransASkipZeros(px, mem.put(dy), dw, m, k, n);
        return { y0: mem.get(y, 1)[0], dw00: mem.get(dw, 1)[0] };
      };
      // x: column 0 all zeros; rows 30% (skips) or 40% (does not) non-zero
      const rows = (share: number) =>
        Array.from({ length: m }, () =>
          Array.from({ length: k }, (_, p) => (p > 0 && p <= share * k ? 1 + rand() : 0)),
        ).flat();
      const skipped = run(rows(0.3), 32);
      expect(skipped.y0, 'sparse, 32 outputs: the NaN facing zeros is left out').not.toBeNaN();
      expect(skipped.dw00, 'sparse, 32 outputs: dw row 0 faces only zeros').toBe(0);
      expect(run(rows(0.4), 32).y0, '40% non-zero: matmul').toBeNaN();
      expect(run(rows(0.3), 31).y0, '31 outputs: matmul').toBeNaN();
      expect(run(rows(0.4), 32).dw00, '40% non-zero: matmulTransA').toBeNaN();
    });

    it('matmulSkipZeros on a row longer than its index list (k = 140 001)', () => {
      const mem = ctx.mem(),
        rand = seededRandom(12),
        k = 140_001;
      const x = mostlyZeros(rand, k, 0.5),
        w = uniform(rand, k);
      const px = mem.put(x),
        pw = mem.put(w),
        y = mem.zeros(1),
        dense = mem.zeros(1);
      mem.k.matmulSkipZeros(px, pw, y, 1, k, 1);
      mem.k.matmul(px, pw, dense, 1, k, 1);
      expectBits(mem.get(y, 1), mem.get(dense, 1), 'matmulSkipZeros against matmul');
      expectClose(mem.get(y, 1), ref.matmul(x, w, 1, k, 1), { atol: 1e-3, rtol: 1e-3 }, 'matmulSkipZeros');
    });

    it.each(SHAPES)(
      'sgdOuterStep on m=%i k=%i n=%i: the formula, and bit-identical to matmulTransA + sgdStep',
      (m, k, n) => {
        const mem = ctx.mem(),
          rand = seededRandom(m * 131 + k * 17 + n);
        const lr = 0.125;
        const x = mostlyZeros(rand, m * k, m === 1 ? 0.8 : 0.3),
          dy = uniform(rand, m * n),
          w0 = uniform(rand, k * n);
        const px = mem.put(x),
          pdy = mem.put(dy),
          w = mem.out(k * n),
          wRef = mem.put(w0),
          dw = mem.zeros(k * n);
        mem.set(w, w0);
        mem.k.sgdOuterStep(px, pdy, w, m, k, n, lr);
        mem.k.matmulTransA(px, pdy, dw, m, k, n);
        mem.k.sgdStep(wRef, dw, k * n, lr);
        const grad = ref.matmulTransA(x, dy, m, k, n);
        expectClose(
          mem.get(w, k * n),
          w0.map((v, i) => v - lr * grad[i]),
          ctx.tol.reduction,
          'sgdOuterStep',
        );
        expectBits(mem.get(w, k * n), mem.get(wRef, k * n), 'sgdOuterStep against matmulTransA + sgdStep');
        mem.expectUntouchedAfter(w, k * n, 'sgdOuterStep');
      },
    );

    it('sgdOuterStep leaves rows of w that face only zeros alone, even where dy is NaN', () => {
      const mem = ctx.mem();
      const [m, k, n] = [2, 4, 5];
      const x = [0, 1, 0, -0, 0, 2, 0, 0.5]; // columns 0 and 2 of x are zero in both rows
      const dy = [NaN, 1, 2, 3, 4, 1, -1, 1, -1, 1];
      const w0 = uniform(seededRandom(13), k * n);
      const w = mem.put(w0);
      mem.k.sgdOuterStep(mem.put(x), mem.put(dy), w, m, k, n, 0.5);
      const got = mem.get(w, k * n);
      for (const p of [0, 2])
        expect(got.slice(p * n, p * n + n), `row ${p}`).toEqual(w0.slice(p * n, p * n + n).map(ctx.round));
      // row 1 faces x = 1 and 2: the NaN of dy[0, 0] reaches it
      expect(got[n], 'row 1, column 0').toBeNaN();
      expectClose(
        got.slice(n + 1, 2 * n),
        w0.slice(n + 1, 2 * n).map((v, j) => v - 0.5 * (dy[j + 1] + 2 * dy[n + j + 1])),
        ctx.tol.compound,
        'row 1',
      );
      // row 3 faces x = −0 (left out, and with it the NaN of dy's row 0) and 0.5
      expectClose(
        got.slice(3 * n, 4 * n),
        w0.slice(3 * n, 4 * n).map((v, j) => v - 0.5 * (0.5 * dy[n + j])),
        ctx.tol.compound,
        'row 3',
      );
    });
  });
}
