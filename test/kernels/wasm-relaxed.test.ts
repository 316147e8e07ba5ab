import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { runKernelSuite } from './kernel-suite.js';

// The relaxed-SIMD build (opt-in; src/backends/wasm/relaxed.ts) must pass the same conformance suite. Node 20 has
// relaxed SIMD behind a flag, switched on here for this test process (Node ≥ 22 has it on); it only lets the engine
// validate the relaxed module: nothing chooses that build unless asked.
setFlagsFromString('--experimental-wasm-relaxed-simd');
const { createRelaxedWasmBackend, relaxedSimdSupported } = await import('../../src/backends/wasm/relaxed.js');
const supported = relaxedSimdSupported();
const nodeMajor = Number(process.versions.node.split('.')[0]);

describe('relaxed-SIMD build', () => {
  // Older engines implemented drafts of the proposal with other opcodes; from Node 20 (V8 11.3) on it is the final one.
  it.skipIf(nodeMajor < 20)(
    `validates on Node ≥ 20 (here ${process.versions.node}), and gives a backend named 'wasm-relaxed'`,
    () => {
      expect(supported).toBe(true);
      expect(createRelaxedWasmBackend()?.name).toBe('wasm-relaxed');
    },
  );
  it.skipIf(supported)(
    'is refused where the engine does not validate it: createRelaxedWasmBackend() gives null',
    () => {
      expect(createRelaxedWasmBackend()).toBeNull();
    },
  );
});

if (supported) runKernelSuite('wasm (relaxed SIMD)', () => createRelaxedWasmBackend()!);
