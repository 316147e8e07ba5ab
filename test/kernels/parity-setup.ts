// Shared by parity.test.ts and parity.property.test.ts: the wasm backend (or why it could not load) and the
// tolerances of TESTING.md for comparing it with the JS backend.
import type { Backend } from '../../src/backends/backend.js';
import type { Loss } from './cases/losses.js';
import { seededRandom, type Mem, type Tolerance } from './helpers.js';

export let createWasm: (() => Backend) | undefined;
export let skipReason = '';
try {
  const wasm = await import('../../src/backends/wasm/index.js');
  wasm.createWasmBackend();
  createWasm = wasm.createWasmBackend;
} catch (e) {
  skipReason = ` (SKIPPED: the wasm backend failed to load: ${(e as Error).message})`;
}

/** elementwise IEEE operations: bit-identical */
export const EXACT: Tolerance = { atol: 0, rtol: 0 };
/** exp/tanh-based: implementations differ by about 1e-6 relative */
export const TRANSCENDENTAL: Tolerance = { atol: 1e-7, rtol: 1e-6 };
export const COMPOUND: Tolerance = { atol: 1e-6, rtol: 1e-5 };
/** matmul and reductions: summation order */
export const REDUCTION: Tolerance = { atol: 1e-4, rtol: 1e-4 };

/** What a parity scenario returns: every named output with the tolerance it is compared with. */
export type Outputs = Record<string, { values: number[]; tol: Tolerance }>;

/** One loss kernel on seeded inputs: its value, its gradient and (fused losses) the probabilities it writes. */
export function lossOutputs(mem: Mem, loss: Loss, seed: number, m: number, n: number): Outputs {
  const { p, t } = loss.inputs(seededRandom(seed), m, n);
  const dy = mem.zeros(m * n), probs = mem.zeros(m * n);
  const value = loss.run(mem.k, mem.put(p), mem.put(t), dy, probs, m, n);
  return {
    loss: { values: [value], tol: REDUCTION },
    dy: { values: mem.get(dy, m * n), tol: COMPOUND },
    probs: { values: mem.get(probs, m * n), tol: TRANSCENDENTAL },
  };
}
