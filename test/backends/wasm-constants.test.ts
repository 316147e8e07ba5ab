// Numbers that both sides must hold: assembly/ exports them as wasm globals, and they must equal the TypeScript
// constants the JS backend reads. A comment saying "keep in sync" drifts; this test does not.
import { describe, expect, it } from 'vitest';
import { CONV_BLOCK_FLOATS, CONV_RELU } from '../../src/backends/conv-geometry.js';
import { SPARSE_MIN_N, SPARSE_SHARE } from '../../src/backends/kernels.js';
import { RELEASE_WASM_BASE64, decodeBase64 } from '../../src/backends/wasm/bytes.generated.js';
import { DEBUG_WASM_BASE64 } from '../../src/backends/wasm/debug-bytes.generated.js';
import { createMemory, instantiateKernels } from '../../src/backends/wasm/load.js';
import { MATMUL_SLAB_COLUMNS } from '../../src/backends/wasm/threads/split.js';

const builds = { release: RELEASE_WASM_BASE64, debug: DEBUG_WASM_BASE64 };

function global(exports: WebAssembly.Exports, name: string): number {
  const g = exports[name];
  if (!(g instanceof WebAssembly.Global))
    throw new Error(`the wasm module exports no global '${name}' (assembly/index.ts)`);
  return g.value as number;
}

describe('constants shared by assembly/ and src/backends/kernels.ts', () => {
  it.each(Object.entries(builds))(
    '%s build: SPARSE_SHARE and SPARSE_MIN_N equal the TypeScript ones',
    (_name, base64) => {
      const exports = instantiateKernels(decodeBase64(base64), createMemory());
      expect(global(exports, 'SPARSE_SHARE')).toBe(SPARSE_SHARE);
      expect(global(exports, 'SPARSE_MIN_N')).toBe(SPARSE_MIN_N);
    },
  );

  it.each(Object.entries(builds))(
    "%s build: the packed product's slab width equals the one the worker pool cuts wide products at",
    (_name, base64) => {
      const exports = instantiateKernels(decodeBase64(base64), createMemory());
      expect(global(exports, 'MATMUL_SLAB_COLUMNS')).toBe(MATMUL_SLAB_COLUMNS);
    },
  );

  it.each(Object.entries(builds))(
    '%s build: CONV_BLOCK_FLOATS equals the one convScratchFloats sizes the scratch by',
    (_name, base64) => {
      const exports = instantiateKernels(decodeBase64(base64), createMemory());
      expect(global(exports, 'CONV_BLOCK_FLOATS')).toBe(CONV_BLOCK_FLOATS);
    },
  );

  it.each(Object.entries(builds))(
    "%s build: CONV_RELU, conv2d's relu code, equals the TypeScript one",
    (_name, base64) => {
      const exports = instantiateKernels(decodeBase64(base64), createMemory());
      expect(global(exports, 'CONV_RELU')).toBe(CONV_RELU);
    },
  );
});
