// Training fuses a relu's gradient into the max pooling above it (src/models/engine.ts): maxPoolBackward applies it
// while routing its own, and the conv below skips reluBackward. Forward, a Conv2D does the max pooling above it in
// its own kernel where the windows tile the image (conv2d's pooled output). The weights and the predictions must be
// those of the unfused network (Conv2D linear, an Activation('relu') layer, then the pooling), bit for bit, on both
// backends.
import { describe, expect, it } from 'vitest';
import {
  Activation,
  Conv2D,
  Dense,
  Flatten,
  MaxPooling2D,
  Sequential,
  optimizers,
  type Backend,
  type KernelLayer,
} from '../../src/index.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';

/** a backend whose kernel calls are counted by name (wrapped when first asked for: the wasm kernels load lazily) */
function counted(inner: Backend): { backend: Backend; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  let kernels: Backend['kernels'] | undefined;
  const count = () =>
    Object.fromEntries(
      Object.entries(inner.kernels).map(([name, f]) => [
        name,
        (...a: number[]) => {
          calls[name] = (calls[name] ?? 0) + 1;
          return (f as (...a: number[]) => unknown)(...a);
        },
      ]),
    ) as unknown as Backend['kernels'];
  const backend = Object.create(inner, { kernels: { get: () => (kernels ??= count()) } }) as Backend;
  return { backend, calls };
}

// 'valid' 2×2 pooling takes the kernel's tiled path, and in the fused network the conv below does it (11×11: the last
// row and column belong to no window); the 3×3 pool at stride 2 ('same') overlaps, the general path, never fused
const layers = (fused: boolean): KernelLayer[] => {
  const conv = (filters: number, options: ConstructorParameters<typeof Conv2D>[2]) =>
    fused
      ? [new Conv2D(filters, 3, { ...options, activation: 'relu' })]
      : [new Conv2D(filters, 3, options), new Activation('relu')];
  return [
    ...conv(6, { inputShape: [13, 13, 2] }),
    new MaxPooling2D(2),
    ...conv(8, { padding: 'same' }),
    new MaxPooling2D(3, { strides: 2, padding: 'same' }),
    new Flatten(),
    new Dense(3, { activation: 'softmax' }),
  ];
};

describe.each([
  ['wasm', createWasmBackend],
  ['js', createJsBackend],
] as const)('a relu under a max pooling (%s backend)', (_name, create) => {
  it('trains and predicts with the bits of the unfused network, without a reluBackward call', async () => {
    const n = 24;
    const x = {
      data: Float32Array.from({ length: n * 13 * 13 * 2 }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.3)),
      shape: [n, 13, 13, 2],
    };
    const y = Array.from({ length: n }, (_, i) => i % 3);
    const weights: Float32Array[][] = [];
    const predictions: Float32Array[] = [];
    const reluBackwardCalls: number[] = [];
    for (const fused of [true, false]) {
      const { backend, calls } = counted(create());
      const model = new Sequential(layers(fused), { seed: 9, backend });
      model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparse_categorical_crossentropy' });
      await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
      expect(calls.maxPoolBackward).toBe(2 * 3 * 3);
      // 3 epochs of 3 steps: the fused network's first pooling runs inside its conv
      expect(calls.maxPool, 'maxPool calls').toBe(fused ? 3 * 3 : 2 * 3 * 3);
      weights.push(model.getWeights().map((w) => Float32Array.from(w)));
      predictions.push(Float32Array.from(model.predict(x).data));
      reluBackwardCalls.push(calls.reluBackward ?? 0);
      model.dispose();
    }
    expect(reluBackwardCalls).toEqual([0, 2 * 3 * 3]);
    const [fused, plain] = weights;
    expect(fused.length).toBe(plain.length);
    fused.forEach((w, i) =>
      expect(new Uint32Array(w.buffer, w.byteOffset, w.length)).toEqual(
        new Uint32Array(plain[i].buffer, plain[i].byteOffset, plain[i].length),
      ),
    );
    expect(new Uint32Array(predictions[0].buffer)).toEqual(new Uint32Array(predictions[1].buffer));
  });

  it('a subclass of MaxPooling2D or Conv2D runs its own forward pass, not the fused one', async () => {
    const seen = { pool: 0, conv: 0 };
    class CountedPool extends MaxPooling2D {
      override forward(x: number, rows: number, mode: Parameters<MaxPooling2D['forward']>[2]): number {
        seen.pool++;
        return super.forward(x, rows, mode);
      }
    }
    class CountedConv extends Conv2D {
      override forward(x: number, rows: number, mode: Parameters<Conv2D['forward']>[2]): number {
        seen.conv++;
        return super.forward(x, rows, mode);
      }
    }
    const x = { data: Float32Array.from({ length: 8 * 8 * 8 }, (_, i) => Math.sin(i)), shape: [8, 8, 8, 1] };
    for (const [conv, pool] of [
      [new Conv2D(4, 3, { inputShape: [8, 8, 1], activation: 'relu' }), new CountedPool(2)],
      [new CountedConv(4, 3, { inputShape: [8, 8, 1], activation: 'relu' }), new MaxPooling2D(2)],
    ] as const) {
      const model = new Sequential([conv, pool, new Flatten(), new Dense(2, { activation: 'softmax' })], {
        seed: 1,
        backend: create(),
      });
      model.predict(x);
      model.dispose();
    }
    expect(seen).toEqual({ pool: 1, conv: 1 });
  });
});
