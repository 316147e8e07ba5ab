// Shared by parity.test.ts and parity.property.test.ts: the wasm backend (or why it could not load) and the
// tolerances of TESTING.md for comparing it with the JS backend.
import type { Backend } from '../../src/backends/backend.js';
import type { Tolerance } from './helpers.js';

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
