// Truncated, corrupted and mismatched model files are refused before anything is allocated, with an error that
// names the weight and the expected and actual sizes — and a refused load leaves the arena exactly as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, Sequential, memory } from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts, WeightsManifestEntry } from '../../src/io/types.js';

let good: ModelArtifacts;
beforeAll(async () => {
  const model = new Sequential(
    [new Dense(4, { inputShape: [3], activation: 'relu' }), new Dense(2, { activation: 'softmax' })],
    { seed: 2, backend: 'wasm' },
  );
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
  const h = memoryHandler();
  await model.save(h);
  model.dispose();
  good = h.artifacts!;
});

type Topology = { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
const topology = (a: ModelArtifacts) => structuredClone(a.modelTopology) as Topology;
const specs = (a: ModelArtifacts) => structuredClone(a.weightSpecs!) as WeightsManifestEntry[];
const bytes = (a: ModelArtifacts) => new Uint8Array(a.weightData as ArrayBuffer).slice();
// dense/kernel 12 values (48 bytes), dense/bias 4 (16), dense_1/kernel 8 (32), dense_1/bias 2 (8): 104 bytes.

/** Loading must fail with `message`, and the arena must hold exactly what it held before. */
async function refuses(artifacts: unknown, message: RegExp): Promise<void> {
  const before = memory('wasm');
  const error = await loadModel(artifacts as ModelArtifacts, { backend: 'wasm' }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error, 'the load should have failed').toBeInstanceOf(Error);
  expect(error!.message).toMatch(/^scratchnet: /);
  expect(error!.message).toMatch(message);
  expect(memory('wasm')).toEqual(before);
}

describe('weight bytes that do not match the manifest', () => {
  it('a truncated weights file names the weight that does not fit, its byte count and what is left', async () => {
    await refuses(
      { ...good, weightData: bytes(good).slice(0, 100).buffer },
      /weight 'dense_1\/bias' \(shape \[2\], float32\) needs 8 bytes at byte 96, but the weight data has only 4 bytes left \(100 in all\)/,
    );
  });

  it('bytes left over after the last weight are refused', async () => {
    const longer = new Uint8Array(108);
    longer.set(bytes(good));
    await refuses(
      { ...good, weightData: longer.buffer },
      /the weight data has 108 bytes but the manifest's weights take 104: 4 bytes are left over/,
    );
  });

  it('an empty weights file', async () => {
    await refuses(
      { ...good, weightData: new ArrayBuffer(0) },
      /weight 'dense\/kernel' .* needs 48 bytes at byte 0, but the weight data has only 0 bytes left/,
    );
  });

  it('no weight data at all', async () => {
    await refuses({ ...good, weightData: undefined }, /no weightData/);
    await refuses({ ...good, weightData: 'abc' }, /weightData must be an ArrayBuffer .* got string/);
  });
});

describe('a manifest that does not match the layers', () => {
  it('a missing weight is named with the shape its layer needs', async () => {
    const s = specs(good).slice(0, 3);
    await refuses(
      { ...good, weightSpecs: s, weightData: bytes(good).slice(0, 96).buffer },
      /weight 'dense_1\/bias' is missing: layer 'dense_1' \(Dense, input shape \[4\]\) needs a bias of shape \[2\]/,
    );
  });

  it('a kernel of the wrong shape names both shapes and byte counts', async () => {
    const s = specs(good);
    s[2].shape = [2, 4]; // same byte count, wrong shape
    await refuses(
      { ...good, weightSpecs: s },
      /weight 'dense_1\/kernel' has shape \[2, 4\] \(32 bytes\), but layer 'dense_1' needs \[4, 2\] \(32 bytes\)/,
    );
  });

  it('a manifest shape that takes more bytes than its layer needs names that weight, not the one its bytes push out', async () => {
    const s = specs(good);
    s[0].shape = [3, 5]; // 60 bytes where the file holds 48: dense_1's weights no longer fit
    await refuses(
      { ...good, weightSpecs: s },
      /^scratchnet: weight 'dense\/kernel' has shape \[3, 5\] \(60 bytes\), but layer 'dense' needs \[3, 4\] \(48 bytes\)$/,
    );
  });

  it('a layer of a different width than its weights', async () => {
    const t = topology(good);
    t.config.layers[1].config.units = 3;
    await refuses(
      { ...good, modelTopology: t },
      /weight 'dense_1\/kernel' has shape \[4, 2\] \(32 bytes\), but layer 'dense_1' needs \[4, 3\] \(48 bytes\)/,
    );
  });

  it('a weight no layer claims', async () => {
    const s = specs(good);
    s.push({ name: 'dense_7/kernel', shape: [1], dtype: 'float32' });
    const longer = new Uint8Array(108);
    longer.set(bytes(good));
    await refuses(
      { ...good, weightSpecs: s, weightData: longer.buffer },
      /weight 'dense_7\/kernel' matches no weight of the model's layers \(dense, dense_1\)/,
    );
  });

  it('two weights with the same name', async () => {
    const s = specs(good);
    s[3].name = 'dense_1/kernel:0';
    await refuses(
      { ...good, weightSpecs: s },
      /weights 'dense_1\/kernel' and 'dense_1\/kernel:0' both name dense_1\/kernel/,
    );
  });

  it.each([
    [[2 ** 31, 2 ** 31], /shape \[2147483648,2147483648\] has more than 1073741824 values/],
    [[2 ** 53, 2], /must hold non-negative integers, got 9007199254740992|has more than/],
    [[-1, 4], /must hold non-negative integers, got -1/],
    [[1.5, 4], /must hold non-negative integers, got 1.5/],
    [['3', 4], /must hold non-negative integers, got "3"/],
    ['12', /shape must be a list of sizes, got string/],
    [Array(20).fill(1), /has 20 dimensions/],
  ])('shape %j is refused before any arithmetic can overflow', async (shape, message) => {
    const s = specs(good);
    (s[0] as { shape: unknown }).shape = shape;
    await refuses({ ...good, weightSpecs: s }, message);
  });
});

describe('values and types scratchnet does not load', () => {
  it('NaN and Infinity weights are named with their position', async () => {
    const b = bytes(good);
    new Float32Array(b.buffer)[5] = NaN; // dense/kernel [3, 4]: row 1, column 1
    await refuses(
      { ...good, weightData: b.buffer },
      /weight 'dense\/kernel' has NaN at row 1, column 1; weights must be finite/,
    );
    const c = bytes(good);
    new Float32Array(c.buffer)[13] = -Infinity; // dense/bias index 1
    await refuses({ ...good, weightData: c.buffer }, /weight 'dense\/bias' has -Infinity at index 1/);
  });

  it('quantised weights', async () => {
    const s = specs(good);
    s[0].quantization = { dtype: 'uint8', min: -1, scale: 0.01 };
    await refuses(
      { ...good, weightSpecs: s },
      /weight 'dense\/kernel' is quantised \("uint8"\); scratchnet loads float32 weights only/,
    );
  });

  it.each(['float16', 'int32', 'bool', 'string', undefined])('dtype %s', async (dtype) => {
    const s = specs(good);
    (s[1] as { dtype: unknown }).dtype = dtype;
    await refuses(
      { ...good, weightSpecs: s },
      new RegExp(
        `weight 'dense/bias' has dtype ${dtype === undefined ? 'undefined' : `"${dtype}"`}; scratchnet loads float32 weights only`,
      ),
    );
  });

  it('a layer computing in another dtype', async () => {
    const t = topology(good);
    t.config.layers[0].config.dtype = 'float16';
    await refuses(
      { ...good, modelTopology: t },
      /layer 0 'dense' \(Dense\) computes in "float16"; scratchnet computes in float32 only/,
    );
  });

  it("an activity regularizer (which TF.js saves but cannot run) is refused by name, as Keras's other penalties are", async () => {
    const t = topology(good);
    t.config.layers[1].config.activity_regularizer = { class_name: 'L2', config: { l2: 0.01 } };
    await refuses(
      { ...good, modelTopology: t },
      /layer 1 'dense_1' \(Dense\) has activity_regularizer \{"class_name":"L2".*; scratchnet has no regularizers, so it would train this layer without it\. Set activity_regularizer to null/,
    );
  });

  it('an unsupported layer is named, with what can be loaded', async () => {
    const t = topology(good);
    t.config.layers[1].class_name = 'LSTM';
    await refuses(
      { ...good, modelTopology: t },
      /layer 1 'dense_1' \(LSTM\) is a layer scratchnet cannot load; it loads Dense, Dropout, Activation/,
    );
  });

  it('an unsupported activation is named', async () => {
    const t = topology(good);
    t.config.layers[0].config.activation = 'swish';
    await refuses(
      { ...good, modelTopology: t },
      /layer 0 'dense' \(Dense\): activation 'swish' is not one scratchnet has/,
    );
  });

  it('functional models that are not one chain, and graph models', async () => {
    await refuses(
      { ...good, modelTopology: { class_name: 'Functional', config: {} } },
      /the functional model's config must hold a list of layers/,
    );
    await refuses(
      { ...good, modelTopology: { class_name: 'Subclassed', config: {} } },
      /describes a 'Subclassed' model; scratchnet loads Keras Sequential models .* and functional models that are one chain/,
    );
    // in → a → {b, c} → add(b, c): a branch, and a merge
    const layer = (name: string, cls: string, inbound: string[][], config: Record<string, unknown> = { units: 2 }) => ({
      name,
      class_name: cls,
      config: { name, ...config },
      inbound_nodes: inbound.map((node) => node.map((from) => [from, 0, 0, {}])),
    });
    const graph = (layers: unknown[], inputs = [['in', 0, 0]], outputs = [['add', 0, 0]]) => ({
      ...good,
      modelTopology: {
        class_name: 'Functional',
        config: { name: 'g', layers, input_layers: inputs, output_layers: outputs },
      },
    });
    const input = layer('in', 'InputLayer', [], { batch_input_shape: [null, 3] });
    const WHY =
      /scratchnet loads a functional model only when its layers form a single chain from one input to one output/;
    await refuses(
      graph([
        input,
        layer('a', 'Dense', [['in']]),
        layer('b', 'Dense', [['a']]),
        layer('c', 'Dense', [['a']]),
        layer('add', 'Add', [['b', 'c']], {}),
      ]),
      /layer 'add' takes 2 inputs \(b, c\); scratchnet loads a functional model only when/,
    );
    await refuses(
      graph([input, layer('a', 'Dense', [['in']]), layer('b', 'Dense', [['a']]), layer('add', 'Dense', [['a']])]),
      /the output of layer 'a' feeds 2 layers \(b, add\)/,
    );
    await refuses(
      graph([input, layer('a', 'Dense', [['in'], ['in']]), layer('add', 'Dense', [['a']])]),
      /layer 'a' is called 2 times in the graph/,
    );
    await refuses(
      graph(
        [input, layer('add', 'Dense', [['in']])],
        [
          ['in', 0, 0],
          ['in', 0, 0],
        ],
      ),
      /the model has 2 inputs and 1 outputs/,
    );
    await refuses(
      graph([input, layer('a', 'Dense', [['in']]), layer('add', 'Dense', [['a']])], [['in', 0, 0]], [['a', 0, 0]]),
      WHY,
    );
    await refuses(
      { ...good, format: 'graph-model' },
      /format is "graph-model"; scratchnet loads TensorFlow.js layers models/,
    );
    await refuses({ ...good, modelTopology: { node: [] } }, /TensorFlow graph/);
  });

  it('broken topologies', async () => {
    await refuses({ ...good, modelTopology: null }, /modelTopology must be an object/);
    await refuses(
      { ...good, modelTopology: { class_name: 'Sequential', config: { layers: 'x' } } },
      /must hold a list of layers, got string/,
    );
    await refuses(
      { ...good, modelTopology: { class_name: 'Sequential', config: { layers: [] } } },
      /the model has no layers/,
    );
    const t = topology(good);
    t.config.layers[1].config.name = 'dense';
    await refuses({ ...good, modelTopology: t }, /two layers are named 'dense'/);
    const u = topology(good);
    u.config.layers[0].config.units = -4;
    await refuses({ ...good, modelTopology: u }, /units must be a positive integer, got -4/);
    const v = topology(good);
    v.config.layers[0].config.batch_input_shape = [null, 28, 28];
    await refuses(
      { ...good, modelTopology: v },
      /layer 'dense' \(Dense\) takes flat samples \[features\] but receives shape \[28, 28\]; put a Flatten\(\) before it/,
    );
    await refuses({ ...good, modelTopology: '{}' }, /modelTopology must be an object/);
  });

  it('what is not artifacts at all', async () => {
    await refuses(42, /loadModel takes a URL string, an IOHandler or model artifacts/);
    await refuses({ load: async () => 'nope' }, /the load handler returned string instead of model artifacts/);
    await refuses({ ...good, weightSpecs: undefined }, /weightSpecs must be a list/);
  });
});

it('after all those refusals, the good artifacts load and nothing was leaked', async () => {
  const before = memory('wasm').bytesInUse;
  const model = await loadModel(good, { backend: 'wasm' });
  expect(model.predict([[1, 2, 3]])[0]).toHaveLength(2);
  model.dispose();
  expect(memory('wasm').bytesInUse).toBe(before);
});

describe('optimizer state that cannot be', () => {
  it("a negative mean of squared gradients (Adam's v) is refused at load, not left to make the first step NaN", async () => {
    const model = new Sequential([new Dense(2, { inputShape: [3] })], { seed: 2, backend: 'wasm' });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit([[1, 2, 3]], [[0, 1]], { verbose: 0 });
    const h = memoryHandler();
    await model.save(h, { includeOptimizer: true });
    model.dispose();
    const a = h.artifacts!;
    const located = a.weightSpecs!;
    let offset = 0;
    const data = new Float32Array((a.weightData as ArrayBuffer).slice(0));
    for (const spec of located) {
      const size = spec.shape.reduce((p, d) => p * d, 1);
      if (spec.name === 'dense/kernel/v') data[offset / 4 + 1] = -1;
      offset += size * 4;
    }
    await refuses(
      { ...a, weightData: data.buffer },
      /optimizer weight 'dense\/kernel\/v' holds -1 at index 1, but it is a mean of squared gradients and cannot be negative/,
    );
    // without its optimizer state the model still loads
    const plain = await loadModel({ ...a, weightData: data.buffer }, { backend: 'wasm', compile: false });
    plain.dispose();
  });
});
