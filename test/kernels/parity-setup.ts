// Shared by parity.test.ts and parity.property.test.ts: the wasm backend (or why it could not load), and the float32
// row of the one tolerance table (tolerances.ts) for comparing it with the JS backend.
import type { Backend } from '../../src/backends/backend.js';
import type { Loss } from './cases/losses.js';
import { seededRandom, type Mem, type Tolerance } from './helpers.js';
import { FLOAT32_TOL } from './tolerances.js';

export let createWasm: (() => Backend) | undefined;
export let skipReason = '';
try {
  const wasm = await import('../../src/backends/wasm/index.js');
  wasm.createWasmBackend();
  createWasm = wasm.createWasmBackend;
} catch (e) {
  skipReason = ` (SKIPPED: the wasm backend failed to load: ${(e as Error).message})`;
}

/** wasm and JS both store float32: the conformance suite's float32 tolerances apply between them too */
export const TOL = FLOAT32_TOL;

/** What a parity scenario returns: every named output with the tolerance it is compared with. */
export type Outputs = Record<string, { values: number[]; tol: Tolerance }>;

/**
 * One loss kernel on seeded inputs: its value, its gradient and (fused losses) the probabilities it writes; with
 * `weighted`, seeded sample weights in [0, 3) for the rows.
 */
export function lossOutputs(mem: Mem, loss: Loss, seed: number, m: number, n: number, weighted = false): Outputs {
  const rand = seededRandom(seed);
  const { p, t } = loss.inputs(rand, m, n);
  const dy = mem.zeros(m * n),
    probs = mem.zeros(m * n);
  const w = weighted ? mem.put(Array.from({ length: m }, () => Math.fround(3 * rand()))) : 0;
  const value = loss.run(mem.k, mem.put(p), mem.put(t), dy, probs, m, n, w);
  return {
    loss: { values: [value], tol: TOL.reduction },
    dy: { values: mem.get(dy, m * n), tol: TOL.compound },
    probs: { values: mem.get(probs, m * n), tol: TOL.transcendental },
  };
}
