/**
 * Losses, metrics and optimizers ↔ the names TensorFlow.js and Keras write in a model's training config, and the
 * optimizer slots ↔ TensorFlow.js's optimizer weights (`includeOptimizer`): 'iter', then `<weight>/m`, `<weight>/v`
 * for Adam, `<weight>/rms` and `<weight>/momentum` for RMSProp, `<weight>/momentum` for Momentum.
 */
import { losses, type Loss } from '../losses/index.js';
import { METRICS } from '../models/metrics.js';
import { Adam, RMSprop, SGD, type Optimizer } from '../optimizers/index.js';
import { fail, toSnakeCase } from '../util/errors.js';
import type { TrainingConfig } from './types.js';
import { isObject, own, short, type JsonObject } from './validate.js';

const KERAS_LOSS_NAMES: Record<string, string> = {
  mse: 'mean_squared_error',
  mae: 'mean_absolute_error',
  binary_crossentropy: 'binary_crossentropy',
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
};

/** The training config TensorFlow.js can read back, or undefined when it cannot express the loss or optimizer. */
export function writeTrainingConfig(loss: Loss, optimizer: Optimizer, metrics: string[]): TrainingConfig | undefined {
  const optimizerConfig = writeOptimizerConfig(optimizer);
  // TF.js reads the loss as a name only, so a loss on logits stays in scratchnet's own metadata.
  if (!loss.builtin || loss.fromLogits || !optimizerConfig) return undefined;
  return { loss: KERAS_LOSS_NAMES[loss.name], metrics, optimizer_config: optimizerConfig };
}

/** TensorFlow.js's optimizer class names and config keys. */
export function writeOptimizerConfig(optimizer: Optimizer): TrainingConfig['optimizer_config'] | undefined {
  if (optimizer instanceof Adam) {
    return {
      class_name: 'Adam',
      config: {
        learningRate: optimizer.learningRate,
        beta1: optimizer.beta1,
        beta2: optimizer.beta2,
        epsilon: optimizer.epsilon,
      },
    };
  }
  if (optimizer instanceof RMSprop) {
    return {
      class_name: 'RMSProp',
      config: {
        learningRate: optimizer.learningRate,
        decay: optimizer.rho,
        momentum: 0,
        epsilon: optimizer.epsilon,
        centered: false,
      },
    };
  }
  if (optimizer instanceof SGD) {
    return optimizer.momentum > 0
      ? {
          class_name: 'Momentum',
          config: {
            learningRate: optimizer.learningRate,
            momentum: optimizer.momentum,
            useNesterov: optimizer.nesterov,
          },
        }
      : { class_name: 'SGD', config: { learningRate: optimizer.learningRate } };
  }
  return undefined;
}

/**
 * A loss from a training config (a Keras or TF.js name, or Keras's { class_name, config: { from_logits } }). One
 * scratchnet does not have, or a setting it does not follow (label smoothing), fails, saying which.
 */
export function readLoss(v: unknown): Loss {
  let name: unknown = v;
  let fromLogits = false;
  if (isObject(v)) {
    name = own(v, 'class_name');
    const cfg = own(v, 'config');
    if (isObject(cfg)) {
      fromLogits = own(cfg, 'from_logits') === true;
      const smoothing = own(cfg, 'label_smoothing');
      if (smoothing !== undefined && smoothing !== null && smoothing !== 0)
        fail(`the loss has label_smoothing ${short(smoothing)}; scratchnet's losses have no label smoothing`);
    }
  }
  if (typeof name !== 'string') fail(`the loss is ${short(v)}; expected a loss's name`);
  return losses.create(toSnakeCase(name), { fromLogits });
}

/** The metric names we know, from Keras's plain or nested forms. */
export function readMetrics(v: unknown): string[] {
  const known = new Set(Object.keys(METRICS));
  const out: string[] = [];
  const visit = (m: unknown, depth: number): void => {
    if (depth > 4) return;
    if (typeof m === 'string') {
      const s = toSnakeCase(m);
      if (known.has(s) && !out.includes(s)) out.push(s);
      return;
    }
    if (Array.isArray(m)) {
      for (const x of m) visit(x, depth + 1);
      return;
    }
    if (isObject(m) && isObject(own(m, 'config'))) {
      const cfg = own(m, 'config') as JsonObject;
      visit(own(cfg, 'fn') ?? own(cfg, 'name'), depth + 1);
    }
  };
  visit(v, 0);
  return out;
}

/** Keras's optimizer settings that change the update and that scratchnet's optimizers do not have */
const UPDATE_SETTINGS = [
  'weight_decay',
  'clipnorm',
  'clipvalue',
  'global_clipnorm',
  'use_ema',
  'gradient_accumulation_steps',
];
const LEARNING_RATE_KEYS = ['learningRate', 'learning_rate', 'lr'];

/**
 * An optimizer from a training config (TF.js or Keras names and keys). One scratchnet does not have, or a setting
 * that would change its updates (amsgrad, a centered RMSprop, weight decay, clipping, a learning-rate schedule),
 * fails, saying which: a model compiled with something else would not train as it was saved.
 */
export function readOptimizer(v: unknown): Optimizer {
  const cls = isObject(v) ? own(v, 'class_name') : undefined;
  const cfg = isObject(v) ? (own(v, 'config') ?? {}) : undefined;
  if (typeof cls !== 'string' || !isObject(cfg))
    fail(`the optimizer config is ${short(v)}; expected { class_name, config }`);
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const x = own(cfg, k);
      if (typeof x === 'number') return x;
      if (x !== undefined && x !== null)
        fail(
          `the optimizer's ${k} is ${short(x)}, not a number` +
            (LEARNING_RATE_KEYS.includes(k)
              ? ' (a schedule? compile with a number and use callbacks.learningRateScheduler)'
              : ''),
        );
    }
    return undefined;
  };
  const refuse = (what: string): never => fail(`${cls} with ${what} is not one of scratchnet's optimizers`);
  for (const key of UPDATE_SETTINGS) {
    const x = own(cfg, key);
    if (x !== undefined && x !== null && x !== 0 && x !== false) refuse(`${key} ${short(x)}`);
  }
  const lr = num(...LEARNING_RATE_KEYS);
  const kind = cls.replace(/^Custom>/, '').toLowerCase();
  // Keras 2's `decay` is a learning-rate decay (TF.js's RMSProp calls its rho `decay`, and has no rho key)
  const lrDecay = kind === 'rmsprop' && own(cfg, 'rho') === undefined ? 0 : num('decay');
  if (lrDecay) refuse(`a learning-rate decay of ${lrDecay}`);
  switch (kind) {
    case 'adam':
      if (own(cfg, 'amsgrad') === true) refuse('amsgrad');
      return new Adam({
        learningRate: lr,
        beta1: num('beta1', 'beta_1'),
        beta2: num('beta2', 'beta_2'),
        epsilon: num('epsilon'),
      });
    case 'sgd':
    case 'momentum': {
      const nesterov = own(cfg, 'nesterov') === true || own(cfg, 'useNesterov') === true;
      return new SGD({ learningRate: lr, momentum: num('momentum') ?? 0, nesterov });
    }
    case 'rmsprop':
      if ((num('momentum') ?? 0) !== 0) refuse(`momentum ${num('momentum')}`);
      if (own(cfg, 'centered') === true) refuse('centered: true');
      return new RMSprop({ learningRate: lr, rho: num('rho', 'decay'), epsilon: num('epsilon') });
  }
  return fail(
    `the optimizer '${cls}' is not one scratchnet has (it has SGD, with or without momentum, Adam and RMSprop)`,
  );
}

/** The slots that hold running means of squared gradients (Adam's v, RMSprop's rms): never negative, or the step's
 *  square root is NaN. */
export const MEAN_SQUARE_SLOTS: readonly string[] = ['v', 'rms'];

/** The slot names TensorFlow.js gives an optimizer's weights, in its order, and how our slots map onto them. */
export function optimizerSlotNames(optimizer: Optimizer): { names: string[]; ours: number[] } | undefined {
  if (optimizer instanceof Adam) return { names: ['m', 'v'], ours: [0, 1] };
  // TF.js's RMSProp keeps a momentum accumulator too; with momentum 0 it stays zero.
  if (optimizer instanceof RMSprop) return { names: ['rms', 'momentum'], ours: [0, -1] };
  if (optimizer instanceof SGD)
    return optimizer.momentum > 0 ? { names: ['momentum'], ours: [0] } : { names: [], ours: [] };
  return undefined;
}

/**
 * The rate by which our momentum slot is written in TF.js's form. Keras's momentum keeps v = μv − lr·g (param += v);
 * TF.js keeps a = μa + g (param −= lr·a), so a = −v / lr, and the file is TF.js's. With a learning rate of 0 (a
 * schedule's pause) that form cannot hold the velocity: it is written as −v, and the scale (1) goes in scratchnet's
 * metadata, so that scratchnet resumes with the velocity (TF.js, which has no such note, reads it as its a).
 */
export function velocityScale(optimizer: Optimizer): number {
  return optimizer.learningRate > 0 ? optimizer.learningRate : 1;
}

/** Our slot value → TF.js's (the momentum's velocity divided by `scale`); the other slots mean the same on both sides. */
export function toTfjsSlot(optimizer: Optimizer, values: Float32Array, scale: number): Float32Array {
  if (optimizer instanceof SGD) return values.map((x) => -x / scale);
  return values;
}

/** TF.js's slot value → ours; `scale`: what the file says the velocity was divided by, else the learning rate. */
export function fromTfjsSlot(optimizer: Optimizer, values: Float32Array, scale: number): Float32Array {
  if (optimizer instanceof SGD) return values.map((x) => -x * scale);
  return values;
}
