// A model saved compiled comes back compiled the same way, or is refused, naming what scratchnet lacks (as Keras's
// load_model(compile=True) refuses an unknown loss): never handed back uncompiled, or compiled with something else.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { loadModel } from '../../src/io/load-model.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { captureArtifacts, tfjs } from './tfjs.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

/** A TF.js model compiled with `optimizer` and `loss`, saved with its optimizer's state or without */
async function tfjsSaved(optimizer: TF.Optimizer | string, loss: string, withState = true): Promise<ModelArtifacts> {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
  m.compile({ optimizer, loss, metrics: ['accuracy'] });
  await m.fit(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 1, 0]]), { epochs: 1, verbose: 0 });
  return captureArtifacts(m, withState);
}

/** the artifacts with a training config of categorical cross-entropy and `config` for the optimizer */
function withOptimizerConfig(a: ModelArtifacts, config: unknown): ModelArtifacts {
  return {
    ...a,
    trainingConfig: { loss: 'categorical_crossentropy', metrics: ['accuracy'], optimizer_config: config as never },
  };
}

describe('loadModel and the saved training config', () => {
  it.each([
    [
      'an optimizer scratchnet lacks (TF.js Adagrad)',
      () => tfjsSaved(tf.train.adagrad(0.05), 'categoricalCrossentropy'),
      /optimizer 'Adagrad' is not one scratchnet has/,
    ],
    ['a loss scratchnet lacks (hinge)', () => tfjsSaved('adam', 'hinge'), /unknown loss 'hinge'/],
    [
      'a loss scratchnet lacks (kullbackLeiblerDivergence)',
      () => tfjsSaved('sgd', 'kullbackLeiblerDivergence'),
      /unknown loss 'kullback_leibler_divergence'/,
    ],
  ])('refuses a TF.js model saved with %s, naming it, and loads it with compile: false', async (_, save, reason) => {
    const artifacts = await save();
    const error = await loadModel(artifacts).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /^scratchnet: the model was saved compiled, and scratchnet cannot compile it the same way: /,
    );
    expect(error?.message).toMatch(reason);
    expect(error?.message).toMatch(/loadModel\(source, \{ compile: false \}\)/);
    const model = await loadModel(artifacts, { compile: false });
    expect(model.internals.loss).toBeUndefined();
    expect(model.predict([[1, 2]])[0]).toHaveLength(3);
    model.dispose();
  });

  it.each([
    [
      'Keras 3 Adam with amsgrad',
      { class_name: 'Adam', config: { learning_rate: 0.001, amsgrad: true } },
      /Adam with amsgrad/,
    ],
    [
      'Keras 3 AdamW-style weight decay',
      { class_name: 'Adam', config: { learning_rate: 0.001, weight_decay: 0.004 } },
      /weight_decay 0.004/,
    ],
    [
      'Keras 3 SGD with clipnorm',
      { class_name: 'SGD', config: { learning_rate: 0.01, clipnorm: 1 } },
      /SGD with clipnorm 1/,
    ],
    [
      'Keras 2 Adam with a learning-rate decay',
      { class_name: 'Adam', config: { learning_rate: 0.001, decay: 0.01 } },
      /learning-rate decay of 0.01/,
    ],
    [
      'a learning-rate schedule',
      { class_name: 'Adam', config: { learning_rate: { class_name: 'ExponentialDecay', config: {} } } },
      /learning_rate is .*not a number \(a schedule\?/,
    ],
    [
      'a centered RMSprop',
      { class_name: 'RMSprop', config: { learning_rate: 0.001, rho: 0.9, centered: true } },
      /RMSprop with centered: true/,
    ],
    [
      'an RMSprop with momentum',
      { class_name: 'RMSProp', config: { learningRate: 0.001, decay: 0.9, momentum: 0.5 } },
      /RMSProp with momentum 0.5/,
    ],
    ['settings out of range', { class_name: 'Adam', config: { learning_rate: -1 } }, /learningRate/],
  ])('refuses %s', async (_, config, reason) => {
    const artifacts = withOptimizerConfig(await tfjsSaved('adam', 'categoricalCrossentropy', false), config);
    const error = await loadModel(artifacts).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/cannot compile it the same way/);
    expect(error?.message).toMatch(reason);
  });

  it.each([
    [
      'TF.js RMSProp (its decay is rho)',
      {
        class_name: 'RMSProp',
        config: { learningRate: 0.002, decay: 0.8, momentum: 0, epsilon: 1e-7, centered: false },
      },
      { name: 'rmsprop', learningRate: 0.002, rho: 0.8 },
    ],
    [
      'Keras 2 RMSprop (rho, and a decay of 0)',
      { class_name: 'RMSprop', config: { learning_rate: 0.002, rho: 0.8, decay: 0, momentum: 0, centered: false } },
      { name: 'rmsprop', learningRate: 0.002, rho: 0.8 },
    ],
    [
      'Keras 3 Adam with its unset settings',
      {
        class_name: 'Adam',
        config: {
          learning_rate: 0.003,
          beta_1: 0.8,
          weight_decay: null,
          clipnorm: null,
          clipvalue: null,
          global_clipnorm: null,
          use_ema: false,
          amsgrad: false,
        },
      },
      { name: 'adam', learningRate: 0.003, beta1: 0.8 },
    ],
    [
      'Keras 3 SGD with nesterov momentum',
      { class_name: 'SGD', config: { learning_rate: 0.05, momentum: 0.9, nesterov: true } },
      { name: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
    ],
  ])('compiles %s as saved', async (_, config, expected) => {
    const artifacts = withOptimizerConfig(await tfjsSaved('adam', 'categoricalCrossentropy', false), config);
    const model = await loadModel(artifacts);
    expect(model.internals.optimizer!.getConfig()).toMatchObject(expected);
    model.dispose();
  });
});
