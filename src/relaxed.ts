/**
 * `scratchnet/relaxed`: the opt-in relaxed-SIMD build of the kernels (`f32x4.relaxed_madd`, a fused multiply-add on
 * CPUs that have one; about 1.3× the matmul speed of the default build on x86). By the relaxed-SIMD specification
 * its results may differ from machine to machine, so scratchnet never picks it on its own:
 *
 *   import { createRelaxedWasmBackend } from 'scratchnet/relaxed';
 *   const backend = createRelaxedWasmBackend();          // null where the engine does not validate relaxed SIMD
 *   const model = new Sequential(layers, { backend: backend ?? 'wasm' });
 *
 * Chrome ≥ 114 and Node ≥ 22 support it; Node 20 needs `node --experimental-wasm-relaxed-simd`. Its bytes live in
 * this entry only, so the main bundle stays small.
 */
export { createRelaxedWasmBackend, relaxedSimdSupported } from './backends/wasm/relaxed.js';
export type { RelaxedWasmBackendOptions } from './backends/wasm/relaxed.js';
export type { Backend } from './backends/backend.js';
