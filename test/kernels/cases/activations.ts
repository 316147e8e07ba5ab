import { describe, expect, it } from 'vitest';
import type { Kernels, Ptr } from '../../../src/backends/kernels.js';
import { expectClose, seededRandom, uniform, type Tolerance } from '../helpers.js';
import * as ref from '../reference.js';
import { MATRICES, SIZES, roundAll, type SuiteContext } from '../suite-context.js';

/** float32-representable, so that alpha·x rounds the same way everywhere */
export const ALPHA = Math.fround(0.01);

export interface Activation {
  name: string;
  forward(k: Kernels, x: Ptr, y: Ptr, n: number): void;
  backward(k: Kernels, y: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  refForward(x: number[]): number[];
  refBackward(y: number[], dy: number[]): number[];
  /** which tolerance each direction is held to */
  tol: { forward: keyof SuiteContext['tol']; backward: keyof SuiteContext['tol'] };
}

export const ACTIVATIONS: Activation[] = [
  {
    name: 'relu',
    forward: (k, x, y, n) => k.relu(x, y, n),
    backward: (k, y, dy, dx, n) => k.reluBackward(y, dy, dx, n),
    refForward: ref.relu,
    refBackward: ref.reluBackward,
    tol: { forward: 'exact', backward: 'exact' },
  },
  {
    name: 'leakyRelu',
    forward: (k, x, y, n) => k.leakyRelu(x, y, n, ALPHA),
    backward: (k, y, dy, dx, n) => k.leakyReluBackward(y, dy, dx, n, ALPHA),
    refForward: (x) => ref.leakyRelu(x, ALPHA),
    refBackward: (y, dy) => ref.leakyReluBackward(y, dy, ALPHA),
    tol: { forward: 'exact', backward: 'exact' },
  },
  {
    name: 'sigmoid',
    forward: (k, x, y, n) => k.sigmoid(x, y, n),
    backward: (k, y, dy, dx, n) => k.sigmoidBackward(y, dy, dx, n),
    refForward: ref.sigmoid,
    refBackward: ref.sigmoidBackward,
    tol: { forward: 'transcendental', backward: 'compound' },
  },
  {
    name: 'tanh',
    forward: (k, x, y, n) => k.tanh(x, y, n),
    backward: (k, y, dy, dx, n) => k.tanhBackward(y, dy, dx, n),
    refForward: ref.tanh,
    refBackward: ref.tanhBackward,
    tol: { forward: 'transcendental', backward: 'compound' },
  },
];

/** Runs an activation forward and backward on given inputs and compares both with the reference. */
export function checkActivation(
  ctx: SuiteContext,
  act: Activation,
  x: number[],
  dy: number[],
  tolOverride?: Tolerance,
) {
  const mem = ctx.mem(),
    n = x.length;
  const y = mem.out(n),
    dx = mem.out(n);
  act.forward(mem.k, mem.put(x), y, n);
  expectClose(mem.get(y, n), roundAll(ctx, act.refForward(x)), tolOverride ?? ctx.tol[act.tol.forward], `${act.name}`);
  mem.expectUntouchedAfter(y, n, act.name);
  // The backward pass reads the forward output as stored, so the reference starts from the same numbers.
  const yStored = mem.get(y, n);
  act.backward(mem.k, y, mem.put(dy), dx, n);
  const expected = roundAll(ctx, act.refBackward(yStored, dy));
  expectClose(mem.get(dx, n), expected, tolOverride ?? ctx.tol[act.tol.backward], `${act.name}Backward`);
  mem.expectUntouchedAfter(dx, n, `${act.name}Backward`);
}

export function activationCases(ctx: SuiteContext): void {
  describe('activations', () => {
    for (const act of ACTIVATIONS) {
      it.each(SIZES)(`${act.name} and ${act.name}Backward on n=%i`, (n) => {
        const rand = seededRandom(n * 31 + act.name.length);
        const x = uniform(rand, n, -4, 4);
        if (n > 2) x[1] = 0; // the kink: relu' (0) is 0 by contract
        checkActivation(ctx, act, x, uniform(rand, n));
      });
    }

    it.each(MATRICES)('softmax and softmaxBackward on %i×%i', (rows, cols) => {
      const mem = ctx.mem(),
        rand = seededRandom(rows * 7 + cols);
      const x = uniform(rand, rows * cols, -5, 5),
        dy = uniform(rand, rows * cols);
      const y = mem.out(rows * cols),
        dx = mem.out(rows * cols);
      mem.k.softmax(mem.put(x), y, rows, cols);
      const probs = mem.get(y, rows * cols);
      expectClose(probs, roundAll(ctx, ref.softmax(x, cols)), ctx.tol.transcendental, 'softmax');
      expectRowsSumToOne(probs, cols);
      mem.k.softmaxBackward(y, mem.put(dy), dx, rows, cols);
      expectClose(mem.get(dx, rows * cols), ref.softmaxBackward(probs, dy, cols), ctx.tol.compound, 'softmaxBackward');
      mem.expectUntouchedAfter(y, rows * cols, 'softmax');
      mem.expectUntouchedAfter(dx, rows * cols, 'softmaxBackward');
    });

    it('sigmoid, tanh and softmax keep their relative accuracy deep into the tails', () => {
      const x = uniform(seededRandom(85), 1001, -85, 85);
      for (const act of ACTIVATIONS.filter((a) => a.tol.forward === 'transcendental')) {
        const mem = ctx.mem(),
          y = mem.zeros(x.length);
        act.forward(mem.k, mem.put(x), y, x.length);
        expectClose(mem.get(y, x.length), roundAll(ctx, act.refForward(x)), ctx.tol.transcendental, act.name);
      }
      // Multiples of 1/8 make x − max exact in float32, whose rounding would otherwise cost |x − max|·2⁻²⁴ relative;
      // what remains is e^x itself, down to e^−87 (the smallest normal float).
      const mem = ctx.mem(),
        cols = 7,
        rows = 143,
        y = mem.zeros(rows * cols);
      const z = uniform(seededRandom(86), rows * cols, -100, 10).map((v) => Math.round(v * 8) / 8);
      mem.k.softmax(mem.put(z), y, rows, cols);
      expectClose(mem.get(y, rows * cols), roundAll(ctx, ref.softmax(z, cols)), ctx.tol.transcendental, 'softmax');
    });

    it('saturates at ±100 without NaN: sigmoid, tanh, softmax', () => {
      const mem = ctx.mem();
      const x = mem.put([-1000, -100, 100, 1000]);
      const y = mem.zeros(4);
      mem.k.sigmoid(x, y, 4);
      const s = mem.get(y, 4);
      expect(s[2]).toBe(1);
      expect(s[3]).toBe(1);
      for (const v of s.slice(0, 2)) expect(v >= 0 && v < 1e-30, `sigmoid(-100) = ${v}`).toBe(true);
      mem.k.tanh(x, y, 4);
      expect(mem.get(y, 4)).toEqual([-1, -1, 1, 1]);
    });

    it('softmax of rows with huge values stays finite and sums to 1', () => {
      const mem = ctx.mem();
      const rows = [
        [100, -100, 0],
        [-100, -100, -100],
        [3e38, -3e38, 1e38, 3e38], // x − max overflows to −Inf in float32: e^−Inf = 0
        [1e4, 1e4 - 1, -1e4, 0],
        [88, 89, 90, 91, 92], // e^x alone would overflow float32
      ];
      for (const row of rows) {
        const cols = row.length,
          y = mem.zeros(cols);
        mem.k.softmax(mem.put(row), y, 1, cols);
        const probs = mem.get(y, cols);
        expectClose(probs, ref.softmax(row, cols), { atol: 1e-6, rtol: 1e-5 }, `softmax of [${row}]`);
        expectRowsSumToOne(probs, cols);
      }
    });
  });
}

export function expectRowsSumToOne(probs: number[], cols: number): void {
  for (let i = 0; i < probs.length; i += cols) {
    const sum = probs.slice(i, i + cols).reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1), `row ${i / cols} sums to ${sum}`).toBeLessThanOrEqual(1e-6);
  }
}
