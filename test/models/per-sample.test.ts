import { describe, expect, it } from 'vitest';
import { resolveBackend } from '../../src/backends/index.js';
import { ActivationLayer, Dense, FCLayer, Network, Random, Sequential, optimizers } from '../../src/index.js';
import { Engine } from '../../src/models/engine.js';
import { SGD } from '../../src/optimizers/index.js';
import { BACKENDS } from './backends.js';

// The tutorial's per-sample path (batch 1, plain SGD) skips the zeros of x in the forward pass (matmulSkipZeros)
// and folds the update into the backward pass (sgdOuterStep, no weight gradient). Both must give the very same bits
// as the general path: matmul forward, gradients, then optimizer.step().

/** rows of `cols` uniforms in [0, 1) of which about 70% are exact zeros, like MNIST pixels */
function sparseRows(n: number, cols: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return new Float32Array(n * cols).map(() => (rng.next() < 0.7 ? 0 : rng.next()));
}

function targets(n: number, cols: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return new Float32Array(n * cols).map(() => (rng.next() < 0.5 ? 0 : 1));
}

describe.each(BACKENDS)('one sample at a time on the %s backend', (backend) => {
  it('an engine step with the SGD update fused into backward equals backward then optimizer.step(), bit for bit', () => {
    const b = resolveBackend(backend);
    const build = () => {
      const engine = new Engine(b, new Random(3));
      engine.add(new Dense(12, { inputDim: 30, activation: 'relu' }));
      engine.add(new Dense(7, { activation: 'tanh' }));
      engine.add(new Dense(5, { activation: 'sigmoid' }));
      engine.build(30);
      engine.reserve(1);
      return engine;
    };
    const fused = build(),
      plain = build();
    const optimizer = new SGD({ learningRate: 0.25 });
    optimizer.build(b, plain.params());
    const x = sparseRows(20, 30, 1),
      t = targets(20, 5, 2);
    const px = b.arena.alloc(30),
      pt = b.arena.alloc(5),
      dOut = b.arena.alloc(5);
    const mode = { training: true, logits: false };
    for (let s = 0; s < 20; s++) {
      b.arena.write(px, x.subarray(s * 30, s * 30 + 30));
      b.arena.write(pt, t.subarray(s * 5, s * 5 + 5));
      for (const [engine, rate] of [
        [fused, 0.25],
        [plain, undefined],
      ] as const) {
        b.kernels.mse(engine.forward(px, 1, mode), pt, dOut, 1, 5, 0);
        engine.backward(dOut, 1, mode, rate);
      }
      optimizer.step();
    }
    expect(fused.getWeights()).toEqual(plain.getWeights());
    expect(fused.getWeights()[0]).not.toEqual(build().getWeights()[0]); // it did train
    for (const p of [px, pt, dOut]) b.arena.free(p);
    optimizer.dispose();
    for (const e of [fused, plain]) e.dispose();
  });

  it("Network.fit (the tutorial's per-sample SGD) gives the same weights as Sequential.fit with batch size 1", async () => {
    const x = { data: sparseRows(40, 50, 4), shape: [40, 50] as [number, number] };
    const y = { data: targets(40, 4, 5), shape: [40, 4] as [number, number] };
    const net = new Network({ seed: 7, backend });
    net.add(new FCLayer(50, 16)).add(new ActivationLayer('relu'));
    net.add(new FCLayer(16, 8)).add(new ActivationLayer('tanh'));
    net.add(new FCLayer(8, 4)).add(new ActivationLayer('sigmoid'));
    net.use('mse');
    const seq = new Sequential(
      [
        new Dense(16, { inputShape: [50], activation: 'relu' }),
        new Dense(8, { activation: 'tanh' }),
        new Dense(4, { activation: 'sigmoid' }),
      ],
      { seed: 8, backend },
    );
    seq.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    net.predict([Array.from(x.data.subarray(0, 50))]); // builds
    seq.predict([Array.from(x.data.subarray(0, 50))]);
    seq.setWeights(net.getWeights());
    await net.fit(x, y, { epochs: 3, learningRate: 0.1, verbose: false });
    await seq.fit(x, y, { epochs: 3, batchSize: 1, shuffle: false, verbose: 0 });
    expect(net.getWeights()).toEqual(seq.getWeights());
    net.dispose();
    seq.dispose();
  });
});
