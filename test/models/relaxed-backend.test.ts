import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { Dense, Sequential } from '../../src/index.js';

// Node 20 validates relaxed SIMD only behind this flag (Node ≥ 22 and Chrome ≥ 114 have it on by default).
setFlagsFromString('--experimental-wasm-relaxed-simd');
const { createRelaxedWasmBackend } = await import('../../src/relaxed.js');
const relaxed = createRelaxedWasmBackend();

describe('the opt-in relaxed-SIMD backend (scratchnet/relaxed)', () => {
  it.skipIf(relaxed === null)('trains a Sequential given as a backend object, close to the default build', async () => {
    const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 7) / 7]);
    const y = x.map(([a, b]) => (a * b > 0 ? 1 : 0));
    const outputs: number[][] = [];
    for (const backend of [relaxed!, 'wasm' as const]) {
      const model = new Sequential(
        [new Dense(32, { inputShape: [3], activation: 'relu' }), new Dense(2, { activation: 'softmax' })],
        { seed: 3, backend },
      );
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0 });
      expect(model.backend).toBe(backend === 'wasm' ? 'wasm' : 'wasm-relaxed');
      outputs.push(model.predict(x).flat());
      model.dispose();
    }
    outputs[0].forEach((v, i) => expect(Math.abs(v - outputs[1][i])).toBeLessThan(1e-3));
  });
});
