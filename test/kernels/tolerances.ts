// The one table of kernel tolerances (docs/TESTING.md explains each figure). The conformance suite compares every
// backend with the float64 formulas of reference.ts; the parity tests compare wasm with the JS backend. Both read
// these, so the two can never disagree about what "close enough" means.
import type { Precision, Tolerance } from './helpers.js';

/** |actual − expected| ≤ atol + rtol·|expected|, by kind of computation */
export interface Tolerances {
  /** single IEEE operations (add, mul, max, copies, masks): identical to the rounded reference, and between backends */
  exact: Tolerance;
  /** exp/tanh/log-based: the math libraries differ by about 1e-6 relative */
  transcendental: Tolerance;
  /** a few operations in a row (backward passes, loss gradients, optimizer steps), with cancellation */
  compound: Tolerance;
  /** sums, matmul, loss values: the summation order differs (SIMD keeps four partial sums) */
  reduction: Tolerance;
  /** hand-computed expectations, written with 10 significant digits */
  hand: Tolerance;
}

export const FLOAT32_TOL: Tolerances = {
  exact: { atol: 0, rtol: 0 },
  // Relative only, down to the smallest normal float32 (1.2e-38): e^x must stay accurate deep into its tails, where
  // an absolute 1e-7 would let any value below it pass (a softmax probability of 1e-9 computed as 0, say).
  transcendental: { atol: 1e-37, rtol: 1e-6 },
  compound: { atol: 1e-6, rtol: 1e-5 },
  reduction: { atol: 1e-4, rtol: 1e-4 },
  hand: { atol: 1e-6, rtol: 1e-6 },
};

/** Double precision everywhere: the same formulas as the reference, so only last-bit differences remain. */
export const FLOAT64_TOL: Tolerances = {
  exact: { atol: 0, rtol: 0 },
  transcendental: { atol: 1e-300, rtol: 1e-13 },
  compound: { atol: 1e-15, rtol: 1e-12 },
  reduction: { atol: 1e-12, rtol: 1e-12 },
  hand: { atol: 1e-9, rtol: 1e-9 },
};

export const tolerancesFor = (precision: Precision): Tolerances =>
  precision === 'float64' ? FLOAT64_TOL : FLOAT32_TOL;
