import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { runKernelSuite } from './kernel-suite.js';

// The relaxed-SIMD build (opt-in; src/backends/wasm/relaxed.ts) must pass the same conformance suite. Node 20 has
// relaxed SIMD behind a flag, switched on here for this test process (Node ≥ 22 has it on); it only lets the engine
// validate the relaxed module: nothing chooses that build unless asked.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const { createRelaxedWasmBackend, relaxedSimdSupported } = await import('../../src/backends/wasm/relaxed.js');
const supported = relaxedSimdSupported();

describe('relaxed-SIMD build', () => {
  it('validates on this engine (Node 20 with --experimental-wasm-relaxed-simd, Node ≥ 22)', () => {
    expect(supported).toBe(true);
    expect(createRelaxedWasmBackend()?.name).toBe('wasm');
  });
});

if (supported) runKernelSuite('wasm (relaxed SIMD)', () => createRelaxedWasmBackend()!);
