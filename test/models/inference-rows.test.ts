// predict and evaluate take 256 rows per call by default, fewer when the widest activation would pass 2 MiB (the
// convnet's first conv output, 26·26·32 floats per image: 24 rows); the outputs do not depend on the rows per call.
import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../../src/backends/js/index.js';
import { Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../src/index.js';
import { Engine } from '../../src/models/engine.js';
import { Random } from '../../src/util/random.js';
import { BACKENDS } from './backends.js';

function engineOf(layers: (Conv2D | Dense | Flatten | MaxPooling2D)[], inputShape?: number[]): Engine {
  const engine = new Engine(createJsBackend(), new Random(1));
  for (const l of layers) engine.add(l);
  engine.build(inputShape);
  return engine;
}

describe('rows per predict/evaluate call by default', () => {
  it('256 for an MLP, 24 for the Keras MNIST convnet, at least 8 for wider layers', () => {
    expect(engineOf([new Dense(128), new Dense(10)], [784]).inferenceRows()).toBe(256);
    const convnet = [new Conv2D(32, 3, { inputShape: [28, 28, 1] }), new MaxPooling2D(2), new Flatten(), new Dense(10)];
    expect(engineOf(convnet).inferenceRows()).toBe(24); // 2^21 / (4 · 21632)
    expect(engineOf([new Conv2D(64, 3, { inputShape: [224, 224, 3], padding: 'same' })]).inferenceRows()).toBe(8);
  });

  it.each(BACKENDS)('%s: predict gives the same bits with the default rows, 5 rows or 256', (_name, backend) => {
    const model = new Sequential(
      [new Conv2D(4, 3, { inputShape: [9, 9, 2], activation: 'relu' }), new Flatten(), new Dense(3)],
      { seed: 3, backend },
    );
    const n = 40,
      data = Float32Array.from({ length: n * 162 }, (_, i) => Math.sin(i));
    const x = { data, shape: [n, 9, 9, 2] };
    const byDefault = model.predict(x).data;
    expect(Array.from(model.predict(x, { batchSize: 5 }).data)).toEqual(Array.from(byDefault));
    expect(Array.from(model.predict(x, { batchSize: 256 }).data)).toEqual(Array.from(byDefault));
  });
});
