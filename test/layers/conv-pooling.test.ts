// Conv2D, MaxPooling2D, AveragePooling2D and GlobalAveragePooling2D as layers: Keras's output shapes and summary,
// errors that name the problem, gradients checked in float64 (central differences), wasm/JS parity of a small CNN's
// training, learning on a fixed seed, and an arena that does not grow from batch to batch.
import { describe, expect, it } from 'vitest';
import {
  AveragePooling2D,
  Conv2D,
  Dense,
  Flatten,
  GlobalAveragePooling2D,
  MaxPooling2D,
  Sequential,
  checkGradients,
  memory,
  modelFromSpec,
  optimizers,
} from '../../src/index.js';
import { BACKENDS } from '../models/backends.js';

function summaryOf(model: { summary(print: (line: string) => void): void }): string {
  const lines: string[] = [];
  model.summary((line) => {
    lines.push(line);
  });
  return `${lines.join('\n')}\n`;
}

/** n images [h, w, c] of smooth, distinct values (no ties for max pooling to break) */
function images(n: number, h: number, w: number, c: number, seed = 1): { data: Float32Array; shape: number[] } {
  return {
    data: Float32Array.from(
      { length: n * h * w * c },
      (_, i) => Math.sin(i * 0.731 + seed) + 0.05 * Math.cos(i * 1.37 * seed),
    ),
    shape: [n, h, w, c],
  };
}

describe('output shapes, as Keras computes them', () => {
  it('Conv2D: valid, same (⌈size / stride⌉), strides and non-square kernels', () => {
    expect(new Conv2D(32, 3).computeOutputShape([28, 28, 1])).toEqual([26, 26, 32]);
    expect(new Conv2D(8, [3, 2], { strides: 2, padding: 'same' }).computeOutputShape([5, 6, 3])).toEqual([3, 3, 8]);
    expect(new Conv2D(4, [5, 1], { strides: [1, 3] }).computeOutputShape([7, 7, 2])).toEqual([3, 3, 4]);
    expect(new Conv2D(2, 3, { padding: 'same' }).computeOutputShape([1, 1, 5])).toEqual([1, 1, 2]);
  });

  it('pooling: strides default to the pool size; same keeps ⌈size / stride⌉; global average gives [c] (or [1, 1, c])', () => {
    expect(new MaxPooling2D(2).computeOutputShape([26, 26, 32])).toEqual([13, 13, 32]);
    expect(new MaxPooling2D(2).computeOutputShape([11, 11, 64])).toEqual([5, 5, 64]);
    expect(new MaxPooling2D(2, { padding: 'same' }).computeOutputShape([11, 11, 64])).toEqual([6, 6, 64]);
    expect(new AveragePooling2D([3, 2], { strides: 1 }).computeOutputShape([4, 4, 3])).toEqual([2, 3, 3]);
    expect(new GlobalAveragePooling2D().computeOutputShape([7, 5, 3])).toEqual([3]);
    expect(new GlobalAveragePooling2D({ keepdims: true }).computeOutputShape([7, 5, 3])).toEqual([1, 1, 3]);
  });

  it('parameter counts: kernel [kh, kw, inC, filters] and bias [filters]', () => {
    expect(new Conv2D(32, 3).countParams([28, 28, 1])).toBe(320);
    expect(new Conv2D(64, 3).countParams([13, 13, 32])).toBe(18_496);
    expect(new Conv2D(5, [3, 2], { useBias: false }).countParams([9, 9, 3])).toBe(90);
    expect(new Conv2D(5, [3, 2]).paramShapes([9, 9, 3])).toEqual([
      { name: 'kernel', shape: [3, 2, 3, 5] },
      { name: 'bias', shape: [5] },
    ]);
  });
});

describe('errors name the problem', () => {
  it('a kernel or pool larger than the image with valid padding', () => {
    expect(() => new Conv2D(4, 5, { name: 'c' }).computeOutputShape([3, 8, 1])).toThrow(
      "scratchnet: layer 'c' (Conv2D): its 5×5 kernel is larger than its input images of shape [3, 8, 1] with padding 'valid'; use a smaller kernel, larger images or padding 'same'",
    );
    expect(() => new MaxPooling2D(3).computeOutputShape([2, 2, 1])).toThrow(
      /'max_pooling2d' \(MaxPooling2D\): its 3×3 pool is larger than its input images of shape \[2, 2, 1\]/,
    );
  });

  it('inputs that are not images [h, w, c]', () => {
    expect(() => new Conv2D(4, 3).computeOutputShape([784])).toThrow(
      "layer 'conv2d' (Conv2D) takes images [height, width, channels] but receives samples of shape [784]; put a Reshape([h, w, c]) before it (MNIST: [28, 28, 1])",
    );
    expect(() => new GlobalAveragePooling2D().computeOutputShape([4, 4])).toThrow(
      /GlobalAveragePooling2D\) takes images \[height, width, channels\] but receives samples of shape \[4, 4\]/,
    );
    expect(() => new Conv2D(4, 3, { inputShape: [28, 28] })).toThrow(
      'Conv2D inputShape must be [height, width, channels], got [28,28]',
    );
  });

  it('bad arguments, saying what is expected', () => {
    expect(() => new Conv2D(0, 3)).toThrow('Conv2D filters must be a positive integer, got 0');
    expect(() => new Conv2D(4, [3, 0] as never)).toThrow(
      'Conv2D kernelSize must be a positive integer or [height, width] of positive integers, got [3,0]',
    );
    expect(() => new Conv2D(4, 3, { padding: 'full' as never })).toThrow(
      `Conv2D padding must be 'valid' or 'same', got "full"`,
    );
    expect(() => new Conv2D(4, 3, { stride: 2 } as never)).toThrow(/has no option 'stride'. Did you mean 'strides'\?/);
    expect(() => new MaxPooling2D(2, { strides: 1.5 as never })).toThrow(
      'MaxPooling2D strides must be a positive integer or [height, width] of positive integers, got 1.5',
    );
  });

  it('configs that scratchnet cannot compute are refused by name', () => {
    expect(() => Conv2D.fromConfig({ filters: 2, kernel_size: [3, 3], data_format: 'channels_first' })).toThrow(
      `Conv2D: data_format "channels_first" is not supported; scratchnet's images are channels-last ([h, w, c])`,
    );
    expect(() =>
      MaxPooling2D.fromConfig({ pool_size: [2, 2], data_format: 'channels_first' }, "layer 1 'mp' (MaxPooling2D)"),
    ).toThrow(/layer 1 'mp' \(MaxPooling2D\): data_format "channels_first" is not supported/);
    expect(() => GlobalAveragePooling2D.fromConfig({ data_format: 'channels_first' })).toThrow(/channels_first/);
    expect(() => Conv2D.fromConfig({ filters: 2, kernel_size: [3, 3], dilation_rate: [2, 2] })).toThrow(
      /dilation_rate \[2,2\] is not supported/,
    );
    expect(() => Conv2D.fromConfig({ filters: 2, kernel_size: 3, groups: 2 })).toThrow(/groups 2 is not supported/);
    expect(() => Conv2D.fromConfig({ filters: 2 })).toThrow('Conv2D: kernel_size is missing');
  });
});

describe('gradients, float64 central differences (checkGradients)', () => {
  const check = (
    layers: ConstructorParameters<typeof Sequential>[0],
    x: { data: Float32Array; shape: number[] },
    labels: number[],
  ) => {
    const model = new Sequential(layers, { backend: 'js', seed: 3 });
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const report = checkGradients(model, x, labels, { maxChecks: Infinity });
    model.dispose();
    return report;
  };

  it("Conv2D: stride 2, 'same' with uneven pads, 3 input and 5 output channels, a 3×2 kernel", () => {
    // 6×5 with a 3×2 kernel at stride 2: out 3×3, one pad row (at the bottom) and one pad column (at the right)
    const report = check(
      [
        new Conv2D(5, [3, 2], { strides: 2, padding: 'same', activation: 'tanh', inputShape: [6, 5, 3] }),
        new Flatten(),
        new Dense(3, { activation: 'softmax' }),
      ],
      images(3, 6, 5, 3),
      [0, 2, 1],
    );
    expect(report.maxRelativeError).toBeLessThan(1e-7);
    expect(report.layers.map((l) => l.layer)).toEqual(['conv2d', 'flatten', 'dense']);
  });

  it("Conv2D: 'valid', strides [1, 2], a 2×3 kernel without bias, then one with sigmoid on 'same' at stride 1 (even kernel: the extra pad bottom/right)", () => {
    const report = check(
      [
        new Conv2D(3, [2, 3], { strides: [1, 2], useBias: false, inputShape: [6, 7, 2] }),
        new Conv2D(2, [2, 2], { padding: 'same', activation: 'sigmoid' }),
        new Flatten(),
        new Dense(2, { activation: 'softmax' }),
      ],
      images(2, 6, 7, 2, 2),
      [1, 0],
    );
    expect(report.maxRelativeError).toBeLessThan(1e-7);
  });

  // (not two max poolings in a row: an overlapping first one repeats its maxima, and the second then breaks exact
  // ties, where max has no derivative and central differences split the gradient)
  it("MaxPooling2D 'same' (a 3×3 pool at stride 2: overlapping windows, an odd edge), between convolutions", () => {
    const report = check(
      [
        new Conv2D(3, 2, { activation: 'tanh', inputShape: [8, 7, 2] }),
        new MaxPooling2D(3, { strides: 2, padding: 'same' }),
        new Conv2D(2, 2, { activation: 'tanh' }),
        new Flatten(),
        new Dense(2, { activation: 'softmax' }),
      ],
      images(3, 8, 7, 2, 3),
      [1, 0, 1],
    );
    expect(report.maxRelativeError).toBeLessThan(1e-6); // max is piecewise linear: a wider bound than smooth layers' 1e-7
    expect(report.layers.map((l) => l.layer)).toEqual(['conv2d', 'max_pooling2d', 'conv2d_1', 'flatten', 'dense']);
  });

  it("MaxPooling2D 'valid' with a [2, 3] pool, the odd row and column left out", () => {
    const report = check(
      [new MaxPooling2D([2, 3], { inputShape: [5, 7, 3] }), new Flatten(), new Dense(2, { activation: 'softmax' })],
      images(2, 5, 7, 3, 6),
      [0, 1],
    );
    expect(report.maxRelativeError).toBeLessThan(1e-7);
  });

  it("AveragePooling2D 'same' with uneven pads, and GlobalAveragePooling2D", () => {
    const report = check(
      [
        new Conv2D(5, 3, { activation: 'tanh', padding: 'same', inputShape: [5, 4, 3] }),
        new AveragePooling2D([2, 3], { strides: [2, 1], padding: 'same' }),
        new GlobalAveragePooling2D(),
        new Dense(3, { activation: 'softmax' }),
      ],
      images(4, 5, 4, 3, 4),
      [2, 0, 1, 2],
    );
    expect(report.maxRelativeError).toBeLessThan(1e-7);
  });
});

describe.each(BACKENDS)('in a model (%s backend)', (backend) => {
  it('summary prints Keras’s shapes and parameter counts for the MNIST convnet', () => {
    const model = new Sequential(
      [
        new Conv2D(32, 3, { activation: 'relu', inputShape: [28, 28, 1] }),
        new MaxPooling2D(2),
        new Conv2D(64, 3, { activation: 'relu' }),
        new MaxPooling2D(2),
        new Flatten(),
        new Dense(10, { activation: 'softmax' }),
      ],
      { backend },
    );
    const text = summaryOf(model);
    // 'max_pooling2d_1 (MaxPooling2D)' is longer than Keras's 28-character column: the column widens to fit it
    expect(text).toContain(' Layer (type)                   Output Shape              Param #\n');
    expect(text).toContain(' conv2d (Conv2D)                (None, 26, 26, 32)        320\n');
    expect(text).toContain(' max_pooling2d (MaxPooling2D)   (None, 13, 13, 32)        0\n');
    expect(text).toContain(' conv2d_1 (Conv2D)              (None, 11, 11, 64)        18,496\n');
    expect(text).toContain(' max_pooling2d_1 (MaxPooling2D) (None, 5, 5, 64)          0\n');
    expect(text).toContain(' flatten (Flatten)              (None, 1600)              0\n');
    expect(text).toContain('Total params: 34,826');
    model.dispose();
  });

  it('the arena does not grow from batch to batch (the im2col scratch is reserved with the activations)', async () => {
    const model = new Sequential(
      [
        new Conv2D(6, 3, { activation: 'relu', inputShape: [12, 12, 3] }),
        new MaxPooling2D(2),
        new Conv2D(5, [3, 2], { strides: 2, padding: 'same' }),
        new AveragePooling2D(2, { padding: 'same' }),
        new GlobalAveragePooling2D(),
        new Dense(3, { activation: 'softmax' }),
      ],
      { backend, seed: 5 },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const seen: number[][] = [];
    const x = images(40, 12, 12, 3),
      y = Array.from({ length: 40 }, (_, i) => i % 3);
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 16,
      verbose: 0, // batches of 16, 16 and 8, twice
      callbacks: {
        onBatchEnd: () => {
          const m = memory(backend);
          seen.push([m.bytesInUse, m.bytesReserved]);
        },
      },
    });
    expect(seen).toHaveLength(6);
    for (const s of seen) expect(s).toEqual(seen[0]);
    model.dispose();
  });

  it('learns to tell vertical from horizontal bars on a fixed seed', async () => {
    const n = 64,
      size = 8;
    const data = new Float32Array(n * size * size);
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const vertical = i % 2,
        at = (i * 3) % size;
      for (let r = 0; r < size; r++)
        for (let c = 0; c < size; c++) {
          const on = vertical ? c === at : r === at;
          data[i * size * size + r * size + c] = (on ? 1 : 0) + 0.1 * Math.sin(i * 7 + r * 3 + c);
        }
      labels.push(vertical);
    }
    const model = new Sequential(
      [
        new Conv2D(4, 3, { activation: 'relu', inputShape: [size, size, 1] }),
        new MaxPooling2D(2),
        new Flatten(),
        new Dense(2, { activation: 'softmax' }),
      ],
      { backend, seed: 11 },
    );
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.01 }),
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
    });
    const history = await model.fit({ data, shape: [n, size, size, 1] }, labels, {
      epochs: 30,
      batchSize: 16,
      verbose: 0,
    });
    const losses = history.history.loss as number[];
    expect(losses[29]).toBeLessThan(losses[0] / 5);
    expect(model.evaluate({ data, shape: [n, size, size, 1] }, labels).accuracy).toBe(1);
    model.dispose();
  });
});

describe('wasm and JS train a small CNN alike', () => {
  it('three SGD steps and three Adam steps: the same weights within 1e-5 (relative to the largest)', async () => {
    const run = async (backend: 'wasm' | 'js', optimizer: 'sgd' | 'adam') => {
      const model = new Sequential(
        [
          new Conv2D(6, [3, 2], { activation: 'relu', padding: 'same', strides: [2, 1], inputShape: [9, 7, 3] }),
          new MaxPooling2D(2, { padding: 'same' }),
          new Conv2D(5, 2, { activation: 'tanh' }),
          new AveragePooling2D(2, { strides: 1 }),
          new Flatten(),
          new Dense(4, { activation: 'softmax' }),
        ],
        { backend, seed: 9 },
      );
      model.compile({ optimizer, loss: 'sparse_categorical_crossentropy' });
      const h = await model.fit(
        images(24, 9, 7, 3, 5),
        Array.from({ length: 24 }, (_, i) => (i * 5) % 4),
        { epochs: 3, batchSize: 24, shuffle: false, verbose: 0 },
      );
      const weights = model.getWeights();
      model.dispose();
      return { loss: h.history.loss as number[], weights };
    };
    for (const optimizer of ['sgd', 'adam'] as const) {
      const js = await run('js', optimizer),
        wasm = await run('wasm', optimizer);
      for (let e = 0; e < 3; e++) expect(Math.abs(wasm.loss[e] - js.loss[e])).toBeLessThan(1e-5);
      js.weights.forEach((w, i) => {
        const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const diff = w.reduce((m, v, j) => Math.max(m, Math.abs(v - wasm.weights[i][j])), 0);
        expect(diff / scale, `${optimizer} weight ${i}`).toBeLessThan(1e-5);
      });
    }
  });
});

describe('worker specs', () => {
  it('build the conv layers from their camelCase options', () => {
    const model = modelFromSpec({
      layers: [
        {
          type: 'conv2d',
          filters: 4,
          kernelSize: [3, 2],
          strides: 2,
          padding: 'same',
          activation: 'relu',
          inputShape: [8, 8, 1],
        },
        { type: 'max_pooling2d', poolSize: 2 },
        { type: 'average_pooling2d', poolSize: [1, 2], strides: 1 },
        { type: 'global_average_pooling2d' },
        { type: 'dense', units: 2, activation: 'softmax' },
      ],
      compile: { optimizer: 'adam', loss: 'sparse_categorical_crossentropy' },
    } as never);
    model.build();
    expect(model.layers.map((l) => l.outputShape)).toEqual([[4, 4, 4], [2, 2, 4], [2, 1, 4], [4], [2]]);
    model.dispose();
  });
});

it.each(['sparse_categorical_crossentropy', 'categorical_crossentropy', 'binary_crossentropy'] as const)(
  'a model whose outputs are images is refused with %s: the loss would span the whole image',
  (loss) => {
    const model = new Sequential([new Conv2D(3, 3, { inputShape: [5, 5, 1], activation: 'softmax' })], {
      backend: 'js',
    });
    expect(() => model.compile({ optimizer: 'adam', loss })).toThrow(
      /takes one row of outputs per sample, but the model outputs samples of shape \[3, 3, 3\]; end the model with Flatten\(\)/,
    );
    model.dispose();
  },
);
