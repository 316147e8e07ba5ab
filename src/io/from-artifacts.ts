/**
 * TensorFlow.js layers-model artifacts → a checked plan for building a model. Everything is read and checked here
 * — topology, manifest, byte sizes, shapes, finiteness, optimizer slots — before any model or arena memory exists,
 * so a bad file changes nothing.
 */
import type { Loss } from '../losses/index.js';
import type { Optimizer, OptimizerState } from '../optimizers/index.js';
import { fail } from '../util/errors.js';
import { describe, WeightBytes } from './bytes.js';
import { shapeSize, type Shape } from '../layers/shape.js';
import { chainShapes, readTopology, type TopologyPlan } from './topology.js';
import {
  fromTfjsSlot,
  MEAN_SQUARE_SLOTS,
  optimizerSlotNames,
  readLoss,
  readMetrics,
  readOptimizer,
} from './training-config.js';
import { isObject, own, type JsonObject } from './validate.js';
import { checkFinite, locateWeights, readModelWeights, splitWeightName, type LocatedWeight } from './weights.js';

export interface LoadPlan {
  topology: TopologyPlan;
  /** the shape of one input sample */
  inputShape: Shape;
  /** every layer's weight arrays (a Dense's kernel then bias), in layer order */
  weights: Float32Array[];
  /** the loss, metrics and optimizer the model was saved with (no optimizer: a tutorial Network, or a custom one) */
  training?: { loss: Loss; metrics: string[]; optimizer?: Optimizer };
  /** the optimizer's saved slots, matched to `training.optimizer` and checked */
  optimizerState?: OptimizerState;
  /** the saved random generator state, for resuming exactly */
  rngState?: number;
}

export interface ReadOptions {
  /** read the training config (loss, metrics, optimizer) and the optimizer state; default true */
  compile?: boolean;
  /** read the optimizer's saved state (when `compile`); default true */
  optimizerState?: boolean;
}

export function readArtifacts(artifacts: unknown, options: ReadOptions = {}): LoadPlan {
  if (!isObject(artifacts))
    fail(`model artifacts must be an object { modelTopology, weightSpecs, weightData }, got ${describe(artifacts)}`);
  const format = own(artifacts, 'format');
  if (format !== undefined && format !== null && format !== 'layers-model') {
    fail(
      `the model's format is ${JSON.stringify(format)}; scratchnet loads TensorFlow.js layers models (format 'layers-model')`,
    );
  }
  const topology = readTopology(own(artifacts, 'modelTopology'));
  const data = own(artifacts, 'weightData');
  if (data === undefined || data === null) fail('the artifacts have no weightData; a model needs its weights to load');
  const bytes = new WeightBytes(data as ArrayBuffer);
  const located = locateWeights(own(artifacts, 'weightSpecs'));
  const { inputShape, weights } = readModelWeights(topology, located, bytes);
  const plan: LoadPlan = { topology, inputShape, weights };

  const meta = metadata(artifacts);
  if (meta && typeof own(meta, 'rng') === 'number') {
    const rng = own(meta, 'rng') as number;
    if (Number.isInteger(rng) && rng >= 0 && rng <= 0xffffffff) plan.rngState = rng;
  }
  if (options.compile === false) return plan;

  // scratchnet's own notes say more than a TF.js training config can (a loss on logits); prefer them.
  const tc =
    own(artifacts, 'trainingConfig') ??
    (isObject(own(artifacts, 'modelTopology'))
      ? own(own(artifacts, 'modelTopology') as JsonObject, 'training_config')
      : undefined);
  const trainingConfig = isObject(tc) ? tc : undefined;
  const metaLoss = meta && isObject(own(meta, 'loss')) ? (own(meta, 'loss') as JsonObject) : undefined;
  const savedLoss = metaLoss
    ? { class_name: own(metaLoss, 'name'), config: { from_logits: own(metaLoss, 'fromLogits') === true } }
    : trainingConfig && own(trainingConfig, 'loss');
  const savedOptimizer =
    meta && own(meta, 'optimizer') !== undefined
      ? own(meta, 'optimizer')
      : trainingConfig && own(trainingConfig, 'optimizer_config');
  if (savedLoss === undefined || savedLoss === null) return plan; // saved uncompiled, or with a custom loss
  const metrics = readMetrics(
    meta && own(meta, 'metrics') !== undefined
      ? own(meta, 'metrics')
      : trainingConfig && own(trainingConfig, 'metrics'),
  );
  // As Keras's load_model(compile=True): a model that cannot be compiled as it was saved is refused, not handed
  // back uncompiled (or compiled with something else) to fail or train differently later.
  let loss: Loss, optimizer: Optimizer | undefined; // none: a tutorial Network, or a custom optimizer
  try {
    loss = readLoss(savedLoss);
    optimizer = savedOptimizer === undefined || savedOptimizer === null ? undefined : readOptimizer(savedOptimizer);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^scratchnet: /, '').replace(/\.$/, '');
    return fail(
      `the model was saved compiled, and scratchnet cannot compile it the same way: ${reason}. ` +
        'loadModel(source, { compile: false }) loads its layers and weights, to predict with or to compile anew',
      'bad_input',
      e,
    );
  }
  plan.training = { loss, metrics, optimizer };
  if (optimizer && options.optimizerState !== false) {
    const scale = meta && own(meta, 'velocityScale');
    const state = readOptimizerState(
      optimizer,
      plan,
      located,
      bytes,
      typeof scale === 'number' && scale > 0 ? scale : optimizer.learningRate,
    );
    if (state) plan.optimizerState = state;
  }
  return plan;
}

function metadata(artifacts: JsonObject): JsonObject | undefined {
  const udm = own(artifacts, 'userDefinedMetadata');
  const meta = isObject(udm) ? own(udm, 'scratchnet') : undefined;
  return isObject(meta) ? meta : undefined;
}

/**
 * The optimizer weights (group 'optimizer') for `optimizer`: 'iter' and `<layer>/<param>/<slot>` for every weight
 * array. None at all: a fresh optimizer. Some but not all: refused, since training would not resume as saved.
 */
function readOptimizerState(
  optimizer: Optimizer,
  plan: LoadPlan,
  located: LocatedWeight[],
  bytes: WeightBytes,
  /** what the momentum's velocity was divided by in the file (toTfjsSlot) */
  velocityScale: number,
): OptimizerState | undefined {
  const entries = located.filter((w) => w.group === 'optimizer');
  if (entries.length === 0) return undefined;
  const slots = optimizerSlotNames(optimizer);
  if (!slots) return undefined;
  const byName = new Map<string, LocatedWeight>();
  for (const w of entries) byName.set(splitWeightName(w.name).slice(-3).join('/'), w);
  const iter = byName.get('iter');
  if (!iter || iter.size !== 1)
    fail(`the optimizer weights have no 'iter' step count, so training cannot resume from them`);
  const iterations = iter.dtype === 'int32' ? bytes.int32(iter.offset) : bytes.float32(iter.offset, 1)[0];
  if (!Number.isInteger(iterations) || iterations < 0)
    fail(`the optimizer's step count 'iter' is ${iterations}; expected a non-negative integer`);

  const { layers } = plan.topology;
  const shapes = chainShapes(layers, plan.inputShape);
  const params = layers.flatMap((layer, i) =>
    layer.paramShapes(shapes[i]).map((p) => ({ key: `${layer.name}/${p.name}`, size: shapeSize(p.shape) })),
  );
  const state: OptimizerState = { iterations, slots: params.map(() => []) };
  slots.names.forEach((slotName, s) => {
    const ours = slots.ours[s];
    params.forEach(({ key, size: n }, p) => {
      const name = `${key}/${slotName}`;
      const w = byName.get(name);
      if (!w)
        fail(
          `the optimizer weights lack '${name}' ('${optimizer.name}' keeps ${slots.names.join(' and ')} for every weight)`,
        );
      if (w.size !== n || w.dtype !== 'float32')
        fail(
          `optimizer weight '${w.name}' has ${w.size} ${w.dtype} values (${w.size * 4} bytes), but weight '${key}' has ${n} (${n * 4} bytes)`,
        );
      if (ours < 0) return;
      const values = fromTfjsSlot(optimizer, bytes.float32(w.offset, w.size), velocityScale);
      checkFinite(values, w.name, w.shape);
      if (MEAN_SQUARE_SLOTS.includes(slotName)) {
        const at = values.findIndex((v) => v < 0);
        if (at >= 0)
          fail(
            `optimizer weight '${w.name}' holds ${values[at]} at index ${at}, but it is a mean of squared gradients ` +
              'and cannot be negative: the file is corrupted (load it with { compile: false } to keep the model without its optimizer state)',
            'corrupt_file',
          );
      }
      state.slots[p][ours] = values;
    });
  });
  return state;
}
