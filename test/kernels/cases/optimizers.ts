import { describe, it } from 'vitest';
import type { Kernels, Ptr } from '../../../src/backends/kernels.js';
import { expectClose, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { SIZES, roundAll, type SuiteContext } from '../suite-context.js';

export interface Optimizer {
  name: string;
  /** state arrays of n floats each (velocity; m and v; ms), zero at the start */
  slots: number;
  step(k: Kernels, param: Ptr, grad: Ptr, slots: Ptr[], n: number, t: number): void;
  ref(param: number[], grad: number[], slots: number[][], t: number): { param: number[]; slots: number[][] };
}

const lrT = (lr: number, t: number) => (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);

export const OPTIMIZERS: Optimizer[] = [
  {
    name: 'sgdStep',
    slots: 0,
    step: (k, p, g, _s, n) => k.sgdStep(p, g, n, 0.05),
    ref: (p, g) => ({ param: ref.sgdStep(p, g, 0.05).param, slots: [] }),
  },
  ...[0, 1].map((nesterov): Optimizer => ({
    name: nesterov ? 'momentumStep (Nesterov)' : 'momentumStep',
    slots: 1,
    step: (k, p, g, [vel], n) => k.momentumStep(p, g, vel, n, 0.05, 0.9, nesterov),
    ref: (p, g, [vel]) => {
      const r = ref.momentumStep(p, g, vel, 0.05, 0.9, nesterov === 1);
      return { param: r.param, slots: [r.velocity] };
    },
  })),
  {
    name: 'adamStep',
    slots: 2,
    step: (k, p, g, [m, v], n, t) => k.adamStep(p, g, m, v, n, lrT(0.01, t), 0.9, 0.999, 1e-7),
    ref: (p, g, [m, v], t) => {
      const r = ref.adamStep(p, g, m, v, lrT(0.01, t), 0.9, 0.999, 1e-7);
      return { param: r.param, slots: [r.m, r.v] };
    },
  },
  {
    name: 'rmspropStep',
    slots: 1,
    step: (k, p, g, [ms], n) => k.rmspropStep(p, g, ms, n, 0.01, 0.9, 1e-7),
    ref: (p, g, [ms]) => {
      const r = ref.rmspropStep(p, g, ms, 0.01, 0.9, 1e-7);
      return { param: r.param, slots: [r.ms] };
    },
  },
];

export function optimizerCases(ctx: SuiteContext): void {
  describe('optimizers', () => {
    it('sgdStep by hand', () => {
      const mem = ctx.mem(),
        param = mem.put([1, 2]);
      mem.k.sgdStep(param, mem.put([0.5, -1]), 2, 0.1);
      expectClose(mem.get(param, 2), [0.95, 2.1], ctx.tol.hand, 'param');
    });

    it('momentumStep by hand, two steps, plain and Nesterov', () => {
      for (const [nesterov, after1, after2] of [
        // v₁ = −0.1·g, v₂ = 0.9·v₁ − 0.1·g = −0.19·g; param += v, or += 0.9·v − 0.1·g with Nesterov
        [0, [0.9, 1.2], [0.71, 1.58]],
        [1, [0.81, 1.38], [0.539, 1.922]],
      ] as const) {
        const mem = ctx.mem(),
          param = mem.put([1, 1]),
          grad = mem.put([1, -2]),
          velocity = mem.zeros(2);
        mem.k.momentumStep(param, grad, velocity, 2, 0.1, 0.9, nesterov);
        expectClose(mem.get(param, 2), after1, ctx.tol.hand, `nesterov=${nesterov} step 1`);
        expectClose(mem.get(velocity, 2), [-0.1, 0.2], ctx.tol.hand, `nesterov=${nesterov} velocity 1`);
        mem.k.momentumStep(param, grad, velocity, 2, 0.1, 0.9, nesterov);
        expectClose(mem.get(param, 2), after2, ctx.tol.hand, `nesterov=${nesterov} step 2`);
        expectClose(mem.get(velocity, 2), [-0.19, 0.38], ctx.tol.hand, `nesterov=${nesterov} velocity 2`);
      }
    });

    it('adamStep by hand: one step from zero state moves each weight by about lr', () => {
      const mem = ctx.mem();
      const param = mem.put([1, 1, 1]),
        m = mem.zeros(3),
        v = mem.zeros(3);
      // t = 1: lrT = 0.001·√(1 − 0.999)/(1 − 0.9) = 3.16227766e-4; m = 0.1·g; v = 0.001·g²
      mem.k.adamStep(param, mem.put([0.5, -2, 0]), m, v, 3, 3.16227766e-4, 0.9, 0.999, 1e-7);
      expectClose(mem.get(m, 3), [0.05, -0.2, 0], ctx.tol.hand, 'm');
      expectClose(mem.get(v, 3), [0.00025, 0.004, 0], ctx.tol.hand, 'v');
      // 1 − lrT·0.05/(√0.00025 + 1e-7); 1 + lrT·0.2/(√0.004 + 1e-7); a zero gradient leaves the weight alone
      expectClose(mem.get(param, 3), [0.9990000063, 1.000999998, 1], ctx.tol.hand, 'param');
    });

    it('rmspropStep by hand', () => {
      const mem = ctx.mem(),
        param = mem.put([1, 1]),
        ms = mem.zeros(2);
      // ms = 0.1·g² = [0.4, 0.025]; param −= 0.01·g/√(ms + 1e-7) ≈ ∓0.01/√0.1
      mem.k.rmspropStep(param, mem.put([2, -0.5]), ms, 2, 0.01, 0.9, 1e-7);
      expectClose(mem.get(ms, 2), [0.4, 0.025], ctx.tol.hand, 'ms');
      expectClose(mem.get(param, 2), [0.9683772274, 1.031622713], ctx.tol.hand, 'param');
    });

    for (const opt of OPTIMIZERS) {
      it.each(SIZES)(`${opt.name} on n=%i against the reference, three steps`, (n) => {
        const mem = ctx.mem(),
          rand = seededRandom(n * 3 + opt.name.length);
        const param = mem.out(n),
          grad = mem.zeros(n);
        const slots = Array.from({ length: opt.slots }, () => mem.zeros(n));
        mem.set(param, uniform(rand, n, -2, 2));
        for (let t = 1; t <= 3; t++) {
          const g = uniform(rand, n);
          mem.set(grad, g);
          // each step is checked from the state the backend holds, so that rounding does not compound
          const before = { param: mem.get(param, n), slots: slots.map((s) => mem.get(s, n)) };
          opt.step(mem.k, param, grad, slots, n, t);
          const want = opt.ref(before.param, g, before.slots, t);
          expectClose(mem.get(param, n), roundAll(ctx, want.param), ctx.tol.compound, `${opt.name} step ${t} param`);
          want.slots.forEach((s, i) =>
            expectClose(mem.get(slots[i], n), roundAll(ctx, s), ctx.tol.compound, `${opt.name} step ${t} slot ${i}`),
          );
        }
        mem.expectUntouchedAfter(param, n, opt.name);
      });
    }
  });
}
