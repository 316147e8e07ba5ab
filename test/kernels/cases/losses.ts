import { describe, expect, it } from 'vitest';
import type { Kernels, Ptr } from '../../../src/backends/kernels.js';
import { awayFromZero, expectClose, expectCloseTo, randomLabels, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { MATRICES, roundAll, type SuiteContext } from '../suite-context.js';

/** Keras's clipping epsilon */
export const EPS = 1e-7;

export interface Loss {
  name: string;
  /** predictions (or logits) p and targets (or float labels) t for a rows×cols batch, away from every kink */
  inputs(rand: () => number, rows: number, cols: number): { p: number[]; t: number[] };
  /** calls the kernel and returns the loss; `probs` is written by the fused losses only; `w`: row weights, 0 none */
  run(k: Kernels, p: Ptr, t: Ptr, dy: Ptr, probs: Ptr, rows: number, cols: number, w: Ptr): number;
  ref(p: number[], t: number[], rows: number, cols: number): { loss: number; dy: number[]; probs?: number[] };
}

const binaryTargets = (rand: () => number, n: number) => Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1));
/** rows of non-negative targets summing to 1 */
function softTargets(rand: () => number, rows: number, cols: number): number[] {
  const t = uniform(rand, rows * cols, 0, 1);
  for (let i = 0; i < rows; i++) {
    const sum = t.slice(i * cols, (i + 1) * cols).reduce((a, b) => a + b, 0);
    for (let j = 0; j < cols; j++) t[i * cols + j] = Math.fround(t[i * cols + j] / sum);
  }
  return t;
}

export const LOSSES: Loss[] = [
  {
    name: 'mse',
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, -2, 2), t: uniform(rand, r * c, -2, 2) }),
    run: (k, p, t, dy, _probs, r, c, w) => k.mse(p, t, dy, r, c, w),
    ref: (p, t) => ref.mse(p, t),
  },
  {
    name: 'mae',
    inputs: (rand, r, c) => {
      const t = uniform(rand, r * c, -2, 2);
      return { p: awayFromZero(rand, r * c, 0.01).map((d, i) => Math.fround(t[i] + d)), t };
    },
    run: (k, p, t, dy, _probs, r, c, w) => k.mae(p, t, dy, r, c, w),
    ref: (p, t) => ref.mae(p, t),
  },
  {
    name: 'binaryCrossentropy',
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, 0.05, 0.95), t: binaryTargets(rand, r * c) }),
    run: (k, p, t, dy, _probs, r, c, w) => k.binaryCrossentropy(p, t, dy, r, c, EPS, w),
    ref: (p, t) => ref.binaryCrossentropy(p, t, EPS),
  },
  {
    name: 'binaryCrossentropyFromLogits',
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, -4, 4), t: uniform(rand, r * c, 0, 1) }),
    run: (k, z, t, dy, _probs, r, c, w) => k.binaryCrossentropyFromLogits(z, t, dy, r, c, w),
    ref: (z, t) => ref.binaryCrossentropyFromLogits(z, t),
  },
  {
    name: 'categoricalCrossentropy',
    // rows that do not sum to 1 (sigmoid-like outputs): the kernel normalises them
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, 0.05, 1), t: softTargets(rand, r, c) }),
    run: (k, p, t, dy, _probs, r, c, w) => k.categoricalCrossentropy(p, t, dy, r, c, EPS, w),
    ref: (p, t, r) => ref.categoricalCrossentropy(p, t, r, EPS),
  },
  {
    name: 'sparseCategoricalCrossentropy',
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, 0.05, 1), t: randomLabels(rand, r, c) }),
    run: (k, p, labels, dy, _probs, r, c, w) => k.sparseCategoricalCrossentropy(p, labels, dy, r, c, EPS, w),
    ref: (p, labels, _r, c) => ref.sparseCategoricalCrossentropy(p, labels, c, EPS),
  },
  {
    name: 'softmaxCrossentropy',
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, -4, 4), t: softTargets(rand, r, c) }),
    run: (k, z, t, dz, probs, r, c, w) => k.softmaxCrossentropy(z, t, probs, dz, r, c, w),
    ref: (z, t, _r, c) => ref.softmaxCrossentropy(z, t, c),
  },
  {
    name: 'sparseSoftmaxCrossentropy',
    inputs: (rand, r, c) => ({ p: uniform(rand, r * c, -4, 4), t: randomLabels(rand, r, c) }),
    run: (k, z, labels, dz, probs, r, c, w) => k.sparseSoftmaxCrossentropy(z, labels, probs, dz, r, c, w),
    ref: (z, labels, _r, c) => ref.sparseSoftmaxCrossentropy(z, labels, c),
  },
];

/** Runs a loss kernel on fresh memory: the loss, dy and (for the fused losses) probs; `weights`: one per row. */
export function runLoss(
  ctx: SuiteContext,
  loss: Loss,
  p: number[],
  t: number[],
  rows: number,
  cols: number,
  weights?: number[],
) {
  const mem = ctx.mem(),
    n = rows * cols;
  const dy = mem.out(n),
    probs = mem.out(n);
  const w = weights ? mem.put(weights) : 0;
  const value = loss.run(mem.k, mem.put(p), mem.put(t), dy, probs, rows, cols, w);
  mem.expectUntouchedAfter(dy, n, `${loss.name} dy`);
  return { loss: value, dy: mem.get(dy, n), probs: mem.get(probs, n) };
}

const lossByName = (name: string) => LOSSES.find((l) => l.name === name)!;

export function lossCases(ctx: SuiteContext): void {
  describe('losses', () => {
    for (const loss of LOSSES) {
      it.each(MATRICES)(`${loss.name} on %i×%i against the reference`, (rows, cols) => {
        const { p, t } = loss.inputs(seededRandom(rows * 131 + cols), rows, cols);
        const got = runLoss(ctx, loss, p, t, rows, cols);
        const want = loss.ref(p, t, rows, cols);
        expectCloseTo(got.loss, want.loss, ctx.tol.reduction, `${loss.name} loss`);
        expectClose(got.dy, roundAll(ctx, want.dy), ctx.tol.compound, `${loss.name} dy`);
        if (want.probs) expectClose(got.probs, roundAll(ctx, want.probs), ctx.tol.transcendental, `${loss.name} probs`);
      });
    }

    it.each(MATRICES)(
      'sample weights on %i×%i: each row counts w times, the sum still over the rows (Keras)',
      (rows, cols) => {
        const rand = seededRandom(rows * 17 + cols);
        // weights of every kind Keras allows: 0 (a row left out), fractions, above 1
        const weights = Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? 0 : Math.fround(rand() * 3)));
        for (const loss of LOSSES) {
          const { p, t } = loss.inputs(rand, rows, cols);
          const got = runLoss(ctx, loss, p, t, rows, cols, weights);
          // the reference: each row alone (rows = 1), weighted, summed and divided by the rows
          const tCols = t.length / rows;
          let want = 0;
          const dy: number[] = [];
          for (let i = 0; i < rows; i++) {
            const row = loss.ref(p.slice(i * cols, (i + 1) * cols), t.slice(i * tCols, (i + 1) * tCols), 1, cols);
            want += (weights[i] * row.loss) / rows;
            dy.push(...row.dy.map((d) => (weights[i] * d) / rows));
          }
          expectCloseTo(got.loss, want, ctx.tol.reduction, `${loss.name} weighted loss`);
          expectClose(got.dy, roundAll(ctx, dy), ctx.tol.compound, `${loss.name} weighted dy`);
        }
      },
    );

    it('weights of 1 change no bit of the loss or its gradient', () => {
      const [rows, cols] = [7, 5];
      for (const loss of LOSSES) {
        const { p, t } = loss.inputs(seededRandom(99), rows, cols);
        const plain = runLoss(ctx, loss, p, t, rows, cols);
        const ones = runLoss(ctx, loss, p, t, rows, cols, new Array(rows).fill(1));
        expect(ones.loss, loss.name).toBe(plain.loss);
        expect(ones.dy, loss.name).toEqual(plain.dy);
      }
    });

    const hand = (name: string, p: number[], t: number[], rows: number, cols: number, loss: number, dy: number[]) => {
      const got = runLoss(ctx, lossByName(name), p, t, rows, cols);
      expectCloseTo(got.loss, loss, ctx.tol.hand, `${name} loss`);
      expectClose(got.dy, dy, ctx.tol.hand, `${name} dy`);
      return got;
    };

    it('mse and mae by hand, with sign(0) = 0', () => {
      // p − t = [0, 2, −2]
      hand('mse', [1, 2, 3], [1, 0, 5], 1, 3, 8 / 3, [0, 4 / 3, -4 / 3]);
      hand('mae', [1, 2, 3], [1, 0, 5], 1, 3, 4 / 3, [0, 1 / 3, -1 / 3]);
    });

    it('binary cross-entropy by hand', () => {
      // −(ln 0.8 + ln 0.7) / 2; dy = (0.8 − 1)/(0.8·0.2)/2, (0.3 − 0)/(0.3·0.7)/2
      hand('binaryCrossentropy', [0.8, 0.3], [1, 0], 1, 2, 0.2899092476, [-0.625, 0.7142857143]);
      // [ln 2, 2 + ln(1 + e^−2), 3 + ln(1 + e^−3)] / 3; dy = (σ(z) − t)/3
      hand(
        'binaryCrossentropyFromLogits',
        [0, 2, -3],
        [1, 0, 1],
        1,
        3,
        1.956220848,
        [-0.1666666667, 0.293599026, -0.3175247089],
      );
    });

    it('categorical cross-entropies by hand', () => {
      const p = [0.7, 0.2, 0.1, 0.1, 0.1, 0.8];
      // rows summing to 1: −(ln 0.7 + ln 0.8) / 2; through the normalisation dy_k = (1 − [k = label]/p_k) / 2
      const dy = [-0.2142857143, 0.5, 0.5, 0.5, 0.5, -0.125];
      hand('categoricalCrossentropy', p, [1, 0, 0, 0, 0, 1], 2, 3, 0.2899092476, dy);
      hand('sparseCategoricalCrossentropy', p, [0, 2], 2, 3, 0.2899092476, dy);
      // sigmoid-like outputs that do not sum to 1 are normalised first (Keras, TF.js): s = 2, q = [0.45, 0.5, 0.05]
      // loss = −ln 0.45; dy = (1 − [k = 0]/q_k) / s = [(1 − 1/0.45)/2, 1/2, 1/2]
      const sig = [0.9, 1, 0.1];
      hand('categoricalCrossentropy', sig, [1, 0, 0], 1, 3, 0.7985076962, [-0.6111111111, 0.5, 0.5]);
      // sparse: clipped to [1e-7, 1 − 1e-7] first, so 1 counts as 1 − 1e-7 and p = 1 passes no gradient
      const s = 1 + Math.fround(1 - EPS); // 1 is clipped to f32(1 − 1e-7) = 0.99999988
      hand('sparseCategoricalCrossentropy', sig, [0], 1, 3, Math.log(s / 0.9), [1 / s - 1 / 0.9, 0, 1 / s]);
    });

    it('outputs that all saturate at 1 still have a loss: normalised, they are 1/cols each', () => {
      // the seed model's sigmoid outputs at 1: −ln(1/3), and no gradient through the clip
      const got = hand('sparseCategoricalCrossentropy', [1, 1, 1], [1], 1, 3, Math.log(3), [0, 0, 0]);
      expect(got.loss).toBeGreaterThan(1);
      hand('categoricalCrossentropy', [1, 1, 1], [0, 1, 0], 1, 3, Math.log(3), [1 / 3, -2 / 3, 1 / 3]);
    });

    it('the clip passes no gradient (Keras): a prediction outside [eps, 1 − eps] gets dy = 0', () => {
      // a linear output at −0.5 and at 3 with binary cross-entropy: clipped to the float32 bounds, gradient 0
      const bce = hand(
        'binaryCrossentropy',
        [-0.5, 3],
        [1, 0],
        1,
        2,
        -(Math.log(Math.fround(EPS)) + Math.log(1 - Math.fround(1 - EPS))) / 2,
        [0, 0],
      );
      expect(bce.dy).toEqual([0, 0]);
      // categorical: [2.5, −0.5] normalises to q = [1.25, −0.25], both outside [eps, 1 − eps]
      const cce = runLoss(ctx, lossByName('categoricalCrossentropy'), [2.5, -0.5], [1, 0], 1, 2);
      expect(cce.dy).toEqual([0, 0]);
    });

    it('fused softmax cross-entropies by hand', () => {
      // softmax([1, 2, 3]) = [0.0900305732, 0.2447284711, 0.6652409558]; lse = 3.407605964
      const sm = hand(
        'softmaxCrossentropy',
        [1, 2, 3],
        [0, 0, 1],
        1,
        3,
        0.4076059644,
        [0.0900305732, 0.2447284711, -0.3347590442],
      );
      expectClose(sm.probs.slice(0, 3), [0.0900305732, 0.2447284711, 0.6652409558], ctx.tol.hand, 'probs');
      // targets summing to 2: loss = 2·ln 2, dz = (0.5·2 − 1) = 0
      hand('softmaxCrossentropy', [0, 0], [1, 1], 1, 2, 1.386294361, [0, 0]);
      // rows [1, 2, 3] label 2 and [0, 0, 0] label 0: (0.4076059644 + ln 3) / 2
      hand('sparseSoftmaxCrossentropy', [1, 2, 3, 0, 0, 0], [2, 0], 2, 3, 0.7531091266, [
        0.04501528659,
        0.1223642355,
        -0.1673795221,
        -1 / 3,
        1 / 6,
        1 / 6,
      ]);
    });

    it('clips probabilities at eps: log(0) gives a finite loss and gradient', () => {
      const lnEps = -Math.log(EPS); // 16.118
      // float32 rounds 1 − 1e-7 to 1 − 1.19e-7, so the backends agree only to about 1%
      const clip = { atol: 0, rtol: 0.01 };
      for (const [name, p, t, rows, cols] of [
        ['binaryCrossentropy', [0, 1], [1, 0], 1, 2],
        ['categoricalCrossentropy', [0, 1, 0], [1, 0, 0], 1, 3],
        ['sparseCategoricalCrossentropy', [0, 1, 0], [0], 1, 3],
      ] as const) {
        const got = runLoss(ctx, lossByName(name), [...p], [...t], rows, cols);
        expectCloseTo(got.loss, lnEps, clip, `${name} of log(0)`);
        // every prediction here is 0 or 1, outside the clip range: no gradient at all, as in Keras
        expect(got.dy, `${name} dy`).toEqual(new Array(got.dy.length).fill(0));
      }
    });

    it('losses on logits saturate at ±100 and ±1000 without overflow', () => {
      const got = runLoss(ctx, lossByName('binaryCrossentropyFromLogits'), [100, -100, 100], [0, 1, 1], 1, 3);
      expectCloseTo(got.loss, 200 / 3, ctx.tol.hand, 'binaryCrossentropyFromLogits');
      expectClose(got.dy, [1 / 3, -1 / 3, 0], ctx.tol.hand, 'binaryCrossentropyFromLogits dy');
      const z = [1000, 0, -1000];
      const dense = runLoss(ctx, lossByName('softmaxCrossentropy'), z, [0, 1, 0], 1, 3);
      expectCloseTo(dense.loss, 1000, ctx.tol.hand, 'softmaxCrossentropy');
      expectClose(dense.dy, [1, -1, 0], ctx.tol.hand, 'softmaxCrossentropy dz');
      const sparse = runLoss(ctx, lossByName('sparseSoftmaxCrossentropy'), z, [1], 1, 3);
      expectCloseTo(sparse.loss, 1000, ctx.tol.hand, 'sparseSoftmaxCrossentropy');
      expectClose(sparse.probs.slice(0, 3), [1, 0, 0], ctx.tol.hand, 'sparseSoftmaxCrossentropy probs');
    });
  });
}
