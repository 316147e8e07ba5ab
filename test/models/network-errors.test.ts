import { describe, expect, it, vi } from 'vitest';
import { ActivationLayer, Dense, FCLayer, Layer, Network, Sequential } from '../../src/index.js';

function net(): Network {
  const n = new Network({ seed: 1, backend: 'js' });
  n.add(new FCLayer(2, 3));
  n.add(new ActivationLayer('tanh'));
  n.add(new FCLayer(3, 1));
  n.use('mse');
  return n;
}
const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const y = [[0], [1], [1], [0]];
const quiet = { epochs: 1, learningRate: 0.1, verbose: false };

describe('Network reports bad input before any kernel runs', () => {
  it('layer sizes that do not chain name both sizes, when the layer is added (FCLayers are built then)', () => {
    const n = new Network({ backend: 'js' });
    n.add(new FCLayer(2, 3));
    expect(() => n.add(new FCLayer(4, 1))).toThrow(/'fc_layer' outputs 3 values but 'fc_layer_1' expects 4 inputs/);
    expect(n.layers).toHaveLength(1); // refused: the network is as it was
  });

  it('data whose width does not match the first layer', async () => {
    await expect(net().fit([[1, 2, 3]], [[1]], quiet)).rejects.toThrow(
      /x has 3 features per sample but the model's input size is 2/,
    );
    const n = net();
    await n.fit(x, y, quiet);
    expect(() => n.predict([[1, 2, 3]])).toThrow(/x has 3 features per sample but the model's input size is 2/);
  });

  it('targets whose width does not match the output', async () => {
    await expect(
      net().fit(
        x,
        [
          [0, 1],
          [1, 0],
          [1, 0],
          [0, 1],
        ],
        quiet,
      ),
    ).rejects.toThrow(/y has 2 values per sample but the last layer outputs 1/);
  });

  it('x and y with different sample counts', async () => {
    await expect(net().fit(x, y.slice(0, 3), quiet)).rejects.toThrow(/x has 4 samples but y has 3/);
  });

  it('empty data', async () => {
    await expect(net().fit([], [], quiet)).rejects.toThrow(/x is empty/);
    expect(() => net().predict({ data: new Float32Array(0), shape: [0, 2] })).toThrow(/x is empty/);
  });

  it('NaN or Infinity in data, with the sample', async () => {
    await expect(
      net().fit(
        [
          [0, 0],
          [0, NaN],
        ],
        [[0], [1]],
        quiet,
      ),
    ).rejects.toThrow(/x has NaN at sample 1, feature 1/);
    await expect(
      net().fit(
        [
          [0, 0],
          [0, 1],
        ],
        [[Infinity], [1]],
        quiet,
      ),
    ).rejects.toThrow(/y has Infinity at sample 0, feature 0/);
  });

  it('ragged rows and non-numbers', async () => {
    await expect(net().fit([[0, 0], [1]], [[0], [1]], quiet)).rejects.toThrow(/x\[1\] has 1 features but x\[0\] has 2/);
    await expect(net().fit([[0, '1']] as unknown as number[][], [[0]], quiet)).rejects.toThrow(
      /x\[0\]\[1\] is the string "1"/,
    );
  });

  it('values beyond float32, and rows that are not arrays of numbers', async () => {
    await expect(net().fit([[0, 1e39]], [[0]], quiet)).rejects.toThrow(/x\[0\]\[1\] is 1e\+39, beyond float32's range/);
    await expect(net().fit([new BigInt64Array(2)] as never, [[0]], quiet)).rejects.toThrow(
      /x\[0\] is a BigInt64Array \(64-bit integers are not taken/,
    );
    await expect(net().fit(['0,1'] as never, [[0]], quiet)).rejects.toThrow(
      /x\[0\] is a string \(0,1\); expected every sample to be an array of numbers/,
    );
  });

  it('rows may be typed arrays (Float32Array, Float64Array, Uint8Array), as TensorFlow.js takes them', async () => {
    const rows = [
      new Float32Array([0, 0]),
      new Float64Array([0, 1]),
      new Uint8Array([1, 0]),
      [1, 1],
    ] as unknown as Float32Array[];
    const a = net(),
      b = net();
    await a.fit(rows, y, { ...quiet, epochs: 3 });
    await b.fit(x, y, { ...quiet, epochs: 3 });
    expect(a.predict([new Float32Array([1, 0])])).toEqual(b.predict([[1, 0]]));
    a.dispose();
    b.dispose();
  });

  it('unknown activation names list the valid ones', () => {
    // @ts-expect-error a misspelled name does not compile either
    expect(() => new ActivationLayer('rellu')).toThrow(
      /unknown activation 'rellu'. Did you mean 'relu'\? Valid activations: 'linear', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'softmax'/,
    );
  });

  it('cross-entropy targets outside [0, 1] name the sample and value, on the arena and layer by layer', async () => {
    const sigmoidNet = (custom: boolean) => {
      const n = new Network({ seed: 1, backend: 'js' });
      n.add(new FCLayer(2, 1));
      n.add(new ActivationLayer('sigmoid'));
      // a user's own Layer: fit then goes layer by layer instead of on the arena
      if (custom)
        n.add(
          new (class Identity extends Layer {
            forwardPropagation(input: Float32Array) {
              return input;
            }
            backwardPropagation(error: Float32Array) {
              return error;
            }
          })(),
        );
      return n.use('binary_crossentropy');
    };
    for (const custom of [false, true]) {
      await expect(sigmoidNet(custom).fit(x, [[0], [1], [2], [0]], quiet)).rejects.toThrow(
        /^scratchnet: y\[2\] is 2, but 'binary_crossentropy' takes targets in \[0, 1\] \(probabilities\); for class indices give the network one output per class and one-hot rows, toCategorical\(labels, classes\)$/,
      );
    }
    for (const custom of [false, true]) expect((await sigmoidNet(custom).fit(x, y, quiet)).length).toBe(1);
  });

  it("an output activation that does not fit a cross-entropy warns once per use(), in the tutorial API's words", async () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const ending = (last: 'sigmoid' | 'tanh' | null) => {
        const n = new Network({ seed: 1, backend: 'js' });
        n.add(new FCLayer(2, 1));
        if (last) n.add(new ActivationLayer(last));
        return n.use('binary_crossentropy');
      };
      const linear = ending(null);
      await linear.fit(x, y, quiet);
      await linear.fit(x, y, quiet);
      expect(warned.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(
          /^scratchnet: warning: the output layer's activation is 'linear', but 'binary_crossentropy' expects probabilities .* Use ActivationLayer\('sigmoid'\) as the last layer, or leave it linear/,
        ),
      ]);
      linear.use('binary_crossentropy'); // a new loss is checked anew
      await linear.fit(x, y, quiet);
      await ending('tanh').fit(x, y, quiet);
      expect(warned).toHaveBeenCalledTimes(3);
      expect(String(warned.mock.calls[2][0])).toMatch(/activation is 'tanh'/);
      await ending('sigmoid').fit(x, y, quiet);
      const mse = ending('tanh').use('mse'); // the tutorial's own pairing
      await mse.fit(x, y, quiet);
      expect(warned).toHaveBeenCalledTimes(3);
    } finally {
      warned.mockRestore();
    }
  });

  it('shuffle must be a boolean', async () => {
    await expect(net().fit(x, y, { ...quiet, shuffle: 1 as never })).rejects.toThrow(
      /^scratchnet: shuffle must be true or false, got 1$/,
    );
  });

  it('unknown loss names list the valid ones', () => {
    // @ts-expect-error a misspelled name does not compile either
    expect(() => net().use('mser')).toThrow(/unknown loss 'mser'. Did you mean 'mse'\? Valid losses: 'mse'/);
  });

  it('predict or fit before any layer or loss is set', async () => {
    const empty = new Network({ backend: 'js' });
    expect(() => empty.predict(x)).toThrow(/predict\(\) needs layers/);
    await expect(empty.fit(x, y, quiet)).rejects.toThrow(/fit\(\) needs layers/);
    const noLoss = new Network({ backend: 'js' });
    noLoss.add(new FCLayer(2, 1));
    await expect(noLoss.fit(x, y, quiet)).rejects.toThrow(/no loss is set; call use\('mse'\)/);
  });

  it('bad fit options', async () => {
    await expect(net().fit(x, y, { epochs: 0, learningRate: 0.1 })).rejects.toThrow(
      /epochs must be a positive integer, got 0/,
    );
    await expect(net().fit(x, y, { epochs: 1, learningRate: NaN })).rejects.toThrow(
      /learningRate must be a finite number/,
    );
    // the tutorial's fit has no defaults: what is missing is named, before its value is judged
    await expect(net().fit(x, y, { epochs: 1 } as never)).rejects.toThrow(
      /^scratchnet: fit needs learningRate: the tutorial's fit has no defaults/,
    );
    await expect(net().fit(x, y, {} as never)).rejects.toThrow(/^scratchnet: fit needs epochs and learningRate:/);
    await expect((net().fit as (...a: unknown[]) => Promise<unknown>)(x, y)).rejects.toThrow(
      /^scratchnet: the tutorial's fit needs the epochs and the learning rate \(it has no defaults\): .*; got undefined after x and y/,
    );
    // with no loss set, that is what it says first
    const noLoss = new Network({ backend: 'js' });
    noLoss.add(new FCLayer(2, 1));
    await expect(noLoss.fit(x, y, { epochs: 1 } as never)).rejects.toThrow(/no loss is set/);
  });

  it('compile given anything but one options object says what it got (Sequential)', () => {
    const m = new Sequential([new Dense(1, { inputShape: [2] })], { backend: 'js' });
    expect(() => (m.compile as (...a: unknown[]) => unknown)('adam', 'mse')).toThrow(
      /^scratchnet: compile takes one options object, as compile\(\{ optimizer: 'adam', .*\}\); got "adam" and 1 more argument\(s\)$/,
    );
  });

  it('unknown backend names', () => {
    expect(() => new Network({ backend: 'gpu' as 'js' })).toThrow(/unknown backend 'gpu'; expected 'wasm' or 'js'/);
  });

  it('a divergent learning rate stops training with an error naming the epoch', async () => {
    const n = net();
    const big = x.map(([a, b]) => [a * 1e18, b * 1e18]);
    const fit = n.fit(big, y, { epochs: 50, learningRate: 1e10, verbose: false });
    await expect(fit).rejects.toThrow(/training diverged: the loss became (NaN|Infinity) at epoch \d+, batch \d+/);
    await expect(fit).rejects.toMatchObject({ code: 'diverged' });
  });
});

describe('numbers given as text, and labels given as class names, are named as such with the fix', () => {
  it("new Dense('64') says it got a string, not 64", () => {
    expect(() => new Dense('64' as never)).toThrow(
      'Dense units must be a positive integer, got the string "64" (convert text with Number() first)',
    );
  });

  it('CSV-like strings in x are named as strings', async () => {
    const model = new Sequential([new Dense(2, { inputShape: [2], activation: 'softmax' })], { backend: 'js' });
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await expect(
      model.fit(
        [
          ['1', '2'],
          ['3', '4'],
        ] as never,
        [0, 1],
        { verbose: 0 },
      ),
    ).rejects.toThrow('x[0][0] is the string "1" (convert text with Number() first); expected a number');
    model.dispose();
  });

  it.each(['sparse_categorical_crossentropy', 'categorical_crossentropy'] as const)(
    "labels ['cat', 'dog'] with %s are told to become class indices",
    async (loss) => {
      const model = new Sequential([new Dense(2, { inputShape: [2], activation: 'softmax' })], { backend: 'js' });
      model.compile({ optimizer: 'adam', loss });
      await expect(
        model.fit(
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
          ['cat', 'dog', 'cat'] as never,
          { verbose: 0 },
        ),
      ).rejects.toThrow(
        'y holds class names ("cat", "dog") where class indices are expected: map each name to a number first',
      );
      model.dispose();
    },
  );
});

describe('custom layers and options the tutorial Network checks', () => {
  class Returns extends Layer {
    constructor(
      private readonly forward: (input: Float32Array) => unknown,
      private readonly backward: (error: Float32Array) => unknown,
    ) {
      super('returns');
    }
    forwardPropagation(input: Float32Array): Float32Array {
      return this.forward(input) as Float32Array;
    }
    backwardPropagation(error: Float32Array): Float32Array {
      return this.backward(error) as Float32Array;
    }
  }
  const train = (layer: Layer) => {
    const net = new Network({ seed: 1, backend: 'js' });
    net.add(new FCLayer(2, 2));
    net.add(layer);
    net.add(new FCLayer(2, 1));
    net.use('mse');
    return net.fit([[0, 1]], [[1]], { epochs: 1, learningRate: 0.1, verbose: false });
  };

  it("a custom layer's pass that returns no numbers is named, not met as a TypeError in the next layer", async () => {
    await expect(
      train(
        new Returns(
          (x) => x,
          () => null,
        ),
      ),
    ).rejects.toThrow(
      "layer 'returns': backwardPropagation returned null; it must return a Float32Array (or an array of numbers), one value per input (dE/dX)",
    );
    await expect(
      train(
        new Returns(
          () => 'a string',
          (e) => e,
        ),
      ),
    ).rejects.toThrow("layer 'returns': forwardPropagation returned string");
    // plain arrays of numbers are taken, as before
    await expect(
      train(
        new Returns(
          (x) => Array.from(x),
          (e) => Array.from(e),
        ),
      ),
    ).resolves.toHaveLength(1);
  });

  it("verbose takes true or false (and Keras's 0, 1, 2), nothing else", async () => {
    const net = new Network({ seed: 1, backend: 'js' });
    net.add(new FCLayer(2, 1));
    net.use('mse');
    await expect(net.fit([[0, 1]], [[1]], { epochs: 1, learningRate: 0.1, verbose: 'loud' as never })).rejects.toThrow(
      'verbose must be true or false, got "loud"',
    );
    await expect(net.fit([[0, 1]], [[1]], { epochs: 1, learningRate: 0.1, verbose: 0 as never })).resolves.toHaveLength(
      1,
    );
  });

  it("a layer name must be a string without '/' (saved weights are '<layer>/<weight>'), as in Keras 3", () => {
    expect(() => new Dense(2, { name: 'a/b' })).toThrow(
      `a layer name must be a string without '/' (saved weights are named '<layer>/<weight>'), got "a/b"`,
    );
    expect(() => new Dense(2, { name: 5 as never })).toThrow('a layer name must be a string');
  });
});
