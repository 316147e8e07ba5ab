// The layer registry: every built-in layer is its config (getConfig ↔ fromConfig), registered once, and every consumer
// — saving, loading, worker specs, summaries, checkGradients — finds it there.
import { describe, expect, it } from 'vitest';
import {
  Conv2D,
  MaxPooling2D,
  AveragePooling2D,
  GlobalAveragePooling2D,
  Activation,
  ActivationLayer,
  Dense,
  Dropout,
  FCLayer,
  Flatten,
  FlattenLayer,
  KernelLayer,
  Reshape,
  Sequential,
  activations,
  checkGradients,
  modelFromSpec,
} from '../../src/index.js';
import type { ForwardMode } from '../../src/index.js';
import type { Ptr } from '../../src/backends/kernels.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import { loadModel } from '../../src/io/load-model.js';
import {
  className,
  kerasClassOf,
  layerClassForFile,
  layerClassForSpec,
  loadableClassNames,
  specTypes,
} from '../../src/layers/registry.js';

/** The lines summary() prints, joined. */
function summaryOf(model: { summary(print: (line: string) => void): void }): string {
  const lines: string[] = [];
  model.summary((line) => {
    lines.push(line);
  });
  return `${lines.join('\n')}\n`;
}

/** One instance of every built-in class, with settings away from the defaults. */
const samples = (): KernelLayer[] => [
  new Dense(5, { inputShape: [3], activation: 'tanh', useBias: false, kernelInitializer: 'he_normal', name: 'd' }),
  new Dense(4, { activation: activations.leakyRelu(0.1) }),
  new Dropout(0.3, { inputShape: [2, 2] }),
  new Activation('softmax', undefined, { name: 'act' }),
  new Activation(activations.leakyRelu(0.05)),
  new Flatten({ inputShape: [4, 4, 3] }),
  new Reshape([2, -1], { name: 'r' }),
  new FCLayer(3, 2),
  new ActivationLayer('sigmoid'),
  new FlattenLayer(),
  new Conv2D(4, [3, 2], {
    inputShape: [9, 8, 3],
    strides: [2, 1],
    padding: 'same',
    activation: 'relu',
    useBias: false,
    kernelInitializer: 'he_uniform',
    name: 'c',
  }),
  new Conv2D(2, 5),
  new MaxPooling2D(2, { strides: 1, padding: 'same', inputShape: [4, 4, 2] }),
  new AveragePooling2D([3, 2]),
  new GlobalAveragePooling2D({ keepdims: true }),
];

describe('every built-in layer is its config', () => {
  it.each(samples().map((l) => [className(l), l] as const))(
    '%s: fromConfig(getConfig()) gives a layer with the same config',
    (_, layer) => {
      const cls = kerasClassOf(layer)!;
      expect(cls).toBeDefined();
      const copy = cls.fromConfig(layer.getConfig());
      expect(copy.getConfig()).toEqual(layer.getConfig());
      expect(copy.declaredInputShape).toEqual(layer.declaredInputShape);
    },
  );

  it('class names survive minification as statics, and kinds are Keras’s snake_case of them', () => {
    expect(samples().map(className)).toEqual([
      'Dense',
      'Dense',
      'Dropout',
      'Activation',
      'Activation',
      'Flatten',
      'Reshape',
      'FCLayer',
      'ActivationLayer',
      'FlattenLayer',
      'Conv2D',
      'Conv2D',
      'MaxPooling2D',
      'AveragePooling2D',
      'GlobalAveragePooling2D',
    ]);
    expect(samples().map((l) => l.kind)).toEqual([
      'dense',
      'dense',
      'dropout',
      'activation',
      'activation',
      'flatten',
      'reshape',
      'fc_layer',
      'activation_layer',
      'flatten_layer',
      'conv2d',
      'conv2d',
      'max_pooling2d',
      'average_pooling2d',
      'global_average_pooling2d',
    ]);
    // a tutorial class is saved as the Keras class it is a form of
    expect(
      [new FCLayer(1, 1), new ActivationLayer('relu'), new FlattenLayer()].map((l) => kerasClassOf(l)!.className),
    ).toEqual(['Dense', 'Activation', 'Flatten']);
  });

  it('a subclass of a built-in layer is not that layer: it keeps its own name and is not saved as its parent', async () => {
    class Wider extends Dense {}
    const layer = new Wider(3, { inputShape: [2] });
    expect(className(layer)).toBe('Wider');
    expect(layer.kind).toBe('wider');
    expect(kerasClassOf(layer)).toBeUndefined();
    const model = new Sequential([layer]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.save(memoryHandler())).rejects.toThrow(
      /layer 'wider' is a custom Wider, which cannot be saved in the Keras format/,
    );
    model.dispose();
  });

  it('files, specs and errors read the same list', () => {
    expect(loadableClassNames()).toEqual([
      'Dense',
      'Dropout',
      'Activation',
      'LeakyReLU',
      'ReLU',
      'Softmax',
      'Flatten',
      'Reshape',
      'Conv2D',
      'MaxPooling2D',
      'AveragePooling2D',
      'GlobalAveragePooling2D',
    ]);
    expect(specTypes()).toEqual([
      'dense',
      'dropout',
      'activation',
      'flatten',
      'reshape',
      'conv2d',
      'max_pooling2d',
      'average_pooling2d',
      'global_average_pooling2d',
    ]);
    expect(layerClassForFile('LeakyReLU')).toBe(Activation);
    expect(layerClassForSpec('reshape')).toBe(Reshape);
    expect(layerClassForFile('FCLayer')).toBeUndefined(); // a tutorial name is never written to a file
  });
});

describe('the consumers of the registry', () => {
  it('a worker spec builds every registered Keras layer from its camelCase options', () => {
    const model = modelFromSpec({
      layers: [
        { type: 'flatten', inputShape: [3, 2, 2] },
        { type: 'dense', units: 6, activation: 'relu' },
        { type: 'dropout', rate: 0.1 },
        { type: 'reshape', targetShape: [3, 2] },
        { type: 'activation', activation: 'softmax' },
      ],
      compile: { optimizer: 'sgd', loss: 'mse' },
      seed: 1,
    });
    expect(model.layers.map(className)).toEqual(['Flatten', 'Dense', 'Dropout', 'Reshape', 'Activation']);
    expect(model.internals.engine.outputShape).toEqual([3, 2]);
    expect(() =>
      modelFromSpec({
        layers: [{ type: 'reshape', targetShape: [2], tagetShape: [3] }],
        compile: { loss: 'mse' },
      } as never),
    ).toThrow("model spec layers[0] has no option 'tagetShape'. Did you mean 'targetShape'?");
    model.dispose();
  });

  it('checkGradients copies every layer through its config, in float64', () => {
    const model = new Sequential(
      [
        new Reshape([2, 3], { inputShape: [6] }),
        new Activation('softmax'),
        new Flatten(),
        new Dense(4, { activation: 'tanh' }),
        new Dropout(0.2),
        new Dense(3, { activation: activations.leakyRelu(0.1) }),
        new Dense(2, { activation: 'sigmoid' }),
      ],
      { seed: 3, backend: 'js' },
    );
    model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
    const x = Array.from({ length: 5 }, (_, i) => Array.from({ length: 6 }, (_, j) => Math.sin(i * 1.3 + j)));
    const report = checkGradients(
      model,
      x,
      x.map((r) => [r[0] > 0 ? 1 : 0, r[1] > 0 ? 1 : 0]),
      { maxChecks: Infinity },
    );
    expect(report.precision).toBe('float64');
    expect(report.maxRelativeError).toBeLessThan(1e-6);
    expect(report.layers.map((l) => l.kind)).toEqual([
      'reshape',
      'activation',
      'flatten',
      'dense',
      'dropout',
      'dense',
      'dense',
    ]);
    model.dispose();
  });

  it('a custom KernelLayer (not registered) trains in a Sequential and shows its own class name in the summary', async () => {
    /** y = 2x: shape-keeping, no weights */
    class Double extends KernelLayer {
      private y: Ptr = 0;
      private dx: Ptr = 0;
      computeOutputShape(s: readonly number[]) {
        return s;
      }
      protected buildParams() {}
      protected allocateActivations(rows: number) {
        this.y = this.allocActivation(rows * this.inputSize);
        this.dx = this.allocActivation(rows * this.inputSize);
      }
      forward(x: Ptr, rows: number, _mode: ForwardMode) {
        const k = this.backend!.kernels,
          n = rows * this.inputSize;
        k.copy(x, this.y, n);
        k.scale(this.y, n, 2);
        return this.y;
      }
      backward(dy: Ptr, rows: number, need: boolean) {
        if (!need) return 0;
        const k = this.backend!.kernels,
          n = rows * this.inputSize;
        k.copy(dy, this.dx, n);
        k.scale(this.dx, n, 2);
        return this.dx;
      }
    }
    const model = new Sequential([new Double(), new Dense(1)], { backend: 'js', seed: 1 });
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.fit(
      [
        [1, 2],
        [3, 4],
      ],
      [[1], [2]],
      { epochs: 1, verbose: 0 },
    );
    expect(summaryOf(model)).toContain('double (Double)');
    model.dispose();
  });

  it('a model of every registered layer saves and loads with the same predictions', async () => {
    const model = new Sequential(
      [
        new Flatten({ inputShape: [2, 3] }),
        new Dense(6, { activation: 'relu' }),
        new Reshape([3, 2]),
        new Activation('softmax'),
        new Dropout(0.5),
        new Flatten(),
        new Dense(2, { activation: activations.leakyRelu(0.1) }),
      ],
      { seed: 4, backend: 'wasm' },
    );
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const h = memoryHandler();
    await model.save(h);
    const classes = (h.artifacts!.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers.map(
      (l) => l.class_name,
    );
    expect(classes).toEqual(['Flatten', 'Dense', 'Reshape', 'Activation', 'Dropout', 'Flatten', 'Dense', 'LeakyReLU']);
    const back = await loadModel(h.artifacts!, { backend: 'wasm' });
    expect(back.layers.map(className)).toEqual(model.layers.map(className));
    const x = { data: Float32Array.from({ length: 18 }, (_, i) => Math.cos(i)), shape: [3, 2, 3] };
    expect(back.predict(x).data).toEqual(model.predict(x).data);
    model.dispose();
    back.dispose();
  });
});

it('a layer whose buildParams disagrees with its paramShapes is refused when built', () => {
  class Wrong extends KernelLayer {
    computeOutputShape(s: readonly number[]) {
      return s;
    }
    override paramShapes(s: readonly number[]) {
      return [{ name: 'kernel', shape: [s[0], 2] }];
    }
    protected buildParams(rng: never) {
      this.addParam('kernel', [this.inputSize, 3], (out) => out.fill(0), rng);
    }
    protected allocateActivations() {}
    forward(x: Ptr) {
      return x;
    }
    backward(dy: Ptr) {
      return dy;
    }
  }
  const model = new Sequential([new Wrong()], { backend: 'js' });
  expect(() => model.build([4])).toThrow(
    "layer 'wrong': buildParams created [kernel [4, 3]] but paramShapes lists [kernel [4, 2]]; they must agree",
  );
});
