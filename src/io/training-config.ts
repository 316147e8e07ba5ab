/**
 * Losses, metrics and optimizers ↔ the names TensorFlow.js and Keras write in a model's training config, and the
 * optimizer slots ↔ TensorFlow.js's optimizer weights (`includeOptimizer`): 'iter', then `<weight>/m`, `<weight>/v`
 * for Adam, `<weight>/rms` and `<weight>/momentum` for RMSProp, `<weight>/momentum` for Momentum.
 */
import { losses, type Loss } from '../losses/index.js';
import { METRICS } from '../models/metrics.js';
import { Adam, RMSprop, SGD, type Optimizer } from '../optimizers/index.js';
import { toSnakeCase } from '../util/errors.js';
import type { TrainingConfig } from './types.js';
import { isObject, own, type JsonObject } from './validate.js';

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

/** A loss from a training config (a Keras or TF.js name, or Keras's { class_name, config: { from_logits } }). */
export function readLoss(v: unknown): Loss | undefined {
  let name: unknown = v;
  let fromLogits = false;
  if (isObject(v)) {
    name = own(v, 'class_name');
    const cfg = own(v, 'config');
    fromLogits = isObject(cfg) && own(cfg, 'from_logits') === true;
  }
  if (typeof name !== 'string') return undefined;
  try {
    return losses.create(toSnakeCase(name), { fromLogits });
  } catch {
    return undefined;
  }
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

/** An optimizer from a training config (TF.js or Keras names and keys), or undefined for one we do not have. */
export function readOptimizer(v: unknown): Optimizer | undefined {
  if (!isObject(v)) return undefined;
  const cls = own(v, 'class_name');
  const cfg = own(v, 'config') ?? {};
  if (typeof cls !== 'string' || !isObject(cfg)) return undefined;
  const num = (...keys: string[]): number | undefined => {
    for (const k of keys) {
      const x = own(cfg, k);
      if (typeof x === 'number') return x;
    }
    return undefined;
  };
  const lr = num('learningRate', 'learning_rate', 'lr');
  try {
    switch (cls.replace(/^Custom>/, '').toLowerCase()) {
      case 'adam':
        if (own(cfg, 'amsgrad') === true) return undefined;
        return new Adam({
          learningRate: lr,
          beta1: num('beta1', 'beta_1'),
          beta2: num('beta2', 'beta_2'),
          epsilon: num('epsilon'),
        });
      case 'sgd': {
        const nesterov = own(cfg, 'nesterov') === true || own(cfg, 'useNesterov') === true;
        return new SGD({ learningRate: lr, momentum: num('momentum') ?? 0, nesterov });
      }
      case 'momentum':
        return new SGD({
          learningRate: lr,
          momentum: num('momentum') ?? 0,
          nesterov: own(cfg, 'useNesterov') === true,
        });
      case 'rmsprop':
        if ((num('momentum') ?? 0) !== 0 || own(cfg, 'centered') === true) return undefined;
        return new RMSprop({ learningRate: lr, rho: num('rho', 'decay'), epsilon: num('epsilon') });
    }
  } catch {
    return undefined; // settings out of range: leave the model uncompiled
  }
  return undefined;
}

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
 * Our slot value → TF.js's. Keras's momentum keeps v = μv − lr·g (param += v); TF.js keeps a = μa + g (param −= lr·a),
 * so a = −v / lr. The other slots mean the same on both sides.
 */
export function toTfjsSlot(optimizer: Optimizer, values: Float32Array): Float32Array {
  if (optimizer instanceof SGD) {
    // NOTE: with a learning rate of 0 TF.js's form cannot hold the velocity; it is saved as zeros.
    const lr = optimizer.learningRate;
    return values.map((x) => (lr > 0 ? -x / lr : 0));
  }
  return values;
}

export function fromTfjsSlot(optimizer: Optimizer, values: Float32Array): Float32Array {
  if (optimizer instanceof SGD) return values.map((x) => -x * optimizer.learningRate);
  return values;
}
