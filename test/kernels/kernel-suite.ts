import { describe } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { activationCases } from './cases/activations.js';
import { backendShapeCases } from './cases/backend-shape.js';
import { convCases } from './cases/conv.js';
import { dropoutCases } from './cases/dropout.js';
import { elementwiseCases } from './cases/elementwise.js';
import { gradientCases } from './cases/gradients.js';
import { linearAlgebraCases } from './cases/linear-algebra.js';
import { lossCases } from './cases/losses.js';
import { metricCases } from './cases/metrics.js';
import { nonFiniteCases } from './cases/non-finite.js';
import { optimizerCases } from './cases/optimizers.js';
import { poolCases } from './cases/pool.js';
import { randomCases } from './cases/random.js';
import { zeroSkippingCases } from './cases/zero-skipping.js';
import { makeContext, type KernelSuiteOptions } from './suite-context.js';

export type { KernelSuiteOptions };

/**
 * The kernel conformance suite, written once and run for every backend from a one-line test file (as Hono runs
 * its router cases). Every kernel is compared with the float64 formulas of reference.ts.
 */
export function runKernelSuite(label: string, makeBackend: () => Backend, options: KernelSuiteOptions = {}): void {
  const ctx = makeContext(makeBackend, options);
  describe(`kernels: ${label}`, () => {
    backendShapeCases(ctx);
    linearAlgebraCases(ctx);
    zeroSkippingCases(ctx);
    convCases(ctx);
    poolCases(ctx);
    elementwiseCases(ctx);
    activationCases(ctx);
    lossCases(ctx);
    metricCases(ctx);
    dropoutCases(ctx);
    randomCases(ctx);
    optimizerCases(ctx);
    nonFiniteCases(ctx);
    gradientCases(ctx);
  });
}
