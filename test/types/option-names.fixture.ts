// Compiled by option-names.test.ts under --strict: every line marked @ts-expect-error must fail to compile (an
// unused marker is itself an error), and every other line must compile.
import {
  activations,
  callbacks,
  type MonitorName,
  Dense,
  losses,
  Network,
  optimizers,
  Sequential,
  ActivationLayer,
  trainInWorker,
  type Initializer,
  type ModelSpec,
} from '../../src/index.js';

const model = new Sequential([
  new Dense(4, { inputShape: [3], activation: 'relu' }),
  new Dense(2, { activation: 'softmax' }),
]);

// built-in names, snake_case and camelCase
model.compile({
  optimizer: 'adam',
  loss: 'sparse_categorical_crossentropy',
  metrics: ['acc', 'mae', 'top_k_categorical_accuracy'],
});
model.compile({
  optimizer: 'rmsprop',
  loss: 'sparseCategoricalCrossentropy',
  metrics: 'sparseTopKCategoricalAccuracy',
});
new Dense(3, { activation: 'leakyRelu', kernelInitializer: 'he_normal', biasInitializer: 'glorotUniform' });
new ActivationLayer('leaky_relu');
new Network().use('meanSquaredError');

// custom objects still pass
const fill: Initializer = (out) => out.fill(0.5);
model.compile({
  optimizer: optimizers.sgd({ momentum: 0.9 }),
  loss: losses.create('binary_crossentropy', { fromLogits: true }),
});
new Dense(3, { activation: activations.leakyRelu(0.1), kernelInitializer: fill });
new Network().use(
  losses.custom(
    (t, p) => p[0] - t[0],
    (t, p) => p.map((v, i) => v - t[i]),
  ),
);

// the logs callbacks watch: the loss and the metrics, on training or validation data; a log of your own with a cast
callbacks.earlyStopping({ monitor: 'val_acc' });
callbacks.reduceLROnPlateau({ monitor: 'val_sparse_top_k_categorical_accuracy' });
callbacks.modelCheckpoint({ path: 'file://ckpt', monitor: 'meanAbsoluteError' });
callbacks.earlyStopping({ monitor: 'my_log' as MonitorName });

// a worker's model spec: every layer type with its options
const spec: ModelSpec = {
  layers: [
    { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] },
    { type: 'max_pooling2d', poolSize: [2, 2] },
    { type: 'average_pooling2d', strides: 2 },
    { type: 'global_average_pooling2d', keepdims: false },
    { type: 'flatten' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10, activation: 'softmax' },
  ],
  compile: { loss: 'sparse_categorical_crossentropy', optimizer: { name: 'adam', learningRate: 0.01 } },
};
void spec;

// misspelled names fail to compile
// prettier-ignore
// @ts-expect-error three s
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crosssentropy' });
// prettier-ignore
// @ts-expect-error not a scratchnet optimizer
model.compile({ optimizer: 'adamw', loss: 'mse' });
// prettier-ignore
// @ts-expect-error not a scratchnet activation
new Dense(3, { activation: 'gelu' });
// prettier-ignore
// @ts-expect-error not a scratchnet metric
model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mape'] });
// prettier-ignore
// @ts-expect-error misspelled initializer
new Dense(3, { kernelInitializer: 'glorot_unifrom' });
// prettier-ignore
// @ts-expect-error misspelled activation
new ActivationLayer('sigmod');
// prettier-ignore
// @ts-expect-error misspelled loss
new Network().use('msee');
// prettier-ignore
// @ts-expect-error a worker spec's names are checked too
void trainInWorker(undefined as never, { model: { layers: [], compile: { loss: 'mse', optimizer: 'adamm' } }, x: [], y: [] });
// prettier-ignore
// @ts-expect-error a misspelled log to watch
callbacks.earlyStopping({ monitor: 'val_los' });
// prettier-ignore
// @ts-expect-error not a log fit reports
callbacks.reduceLROnPlateau({ monitor: 'validation_loss' });
// prettier-ignore
// @ts-expect-error a misspelled option in a spec (units)
const unit: ModelSpec = { layers: [{ type: 'dense', unit: 10 }], compile: { loss: 'mse' } };
// prettier-ignore
// @ts-expect-error a layer type that is not one (conv2d)
const conv: ModelSpec = { layers: [{ type: 'conv_2d', filters: 8, kernelSize: 3 }], compile: { loss: 'mse' } };
// prettier-ignore
// @ts-expect-error a misspelled conv option (filters)
const filtres: ModelSpec = { layers: [{ type: 'conv2d', filtres: 8, kernelSize: 3 }], compile: { loss: 'mse' } };
// prettier-ignore
void [unit, conv, filtres];
