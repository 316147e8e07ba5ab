/**
 * Keras's model topology (the `modelTopology` of a model.json) ↔ a plan of scratchnet layers. Reading accepts what
 * TensorFlow.js and the tensorflowjs converter write for Keras 2 and 3 (a `model_config` wrapper, an `InputLayer`,
 * `batch_input_shape` or `batch_shape`, dtype policies), and functional models that are one chain of layers
 * (functional.ts), and refuses, naming it, anything scratchnet cannot run.
 */
import type { BuiltinActivationName } from '../activations/index.js';
import { Activation } from '../layers/activation.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import type { Layer } from '../layers/layer.js';
import { fail } from '../util/errors.js';
import { describe } from './bytes.js';
import { chainOfLayers } from './functional.js';
import { isObject, own, short, MAX_WEIGHT_VALUES, type JsonObject } from './validate.js';

export interface ActivationPlan {
  name: BuiltinActivationName;
  /** leaky_relu's slope below zero */
  alpha?: number;
}

export type LayerPlan =
  | { type: 'dense'; name: string; units: number; activation: ActivationPlan; useBias: boolean }
  | { type: 'activation'; name: string; activation: ActivationPlan }
  | { type: 'dropout'; name: string; rate: number };

export interface TopologyPlan {
  name: string;
  /** the number of input features, when the topology declares it */
  inputSize: number | undefined;
  layers: LayerPlan[];
}

const LOADABLE = 'Dense, Dropout, Activation, LeakyReLU, ReLU, Softmax, Flatten and InputLayer';
const ACTIVATIONS: Record<string, BuiltinActivationName> = {
  linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', leaky_relu: 'leaky_relu',
};
/** The largest layer width accepted from a file; anything wider could not fit the arena anyway. */
const MAX_UNITS = MAX_WEIGHT_VALUES;

/** Read a Keras Sequential topology into a plan, checking everything; allocates nothing. */
export function readTopology(modelTopology: unknown): TopologyPlan {
  if (modelTopology instanceof ArrayBuffer || ArrayBuffer.isView(modelTopology)) {
    fail('modelTopology is binary (a TensorFlow graph model); scratchnet loads layers models, whose topology is JSON');
  }
  if (!isObject(modelTopology)) fail(`modelTopology must be an object (Keras's model config), got ${describe(modelTopology)}`);
  const topo = isObject(own(modelTopology, 'model_config')) ? own(modelTopology, 'model_config') as JsonObject : modelTopology;
  if (own(topo, 'node') !== undefined) fail("modelTopology is a TensorFlow graph (format 'graph-model'); scratchnet loads layers models (format 'layers-model')");
  const className = own(topo, 'class_name');
  const functional = className === 'Functional' || className === 'Model';
  if (className !== 'Sequential' && !functional) {
    const what = typeof className === 'string' ? `a '${className}' model` : `a model without a class_name (${short(className)})`;
    fail(`modelTopology describes ${what}; scratchnet loads Keras Sequential models (a plain stack of ${LOADABLE} layers) and functional models that are one chain of them`);
  }
  const config = own(topo, 'config');
  if (functional && !isObject(config)) fail(`the functional model's config must be an object, got ${describe(config)}`);
  // Keras before 2.2.3 wrote a Sequential's config as the bare list of layers.
  const list = functional ? chainOfLayers(config as JsonObject)
    : Array.isArray(config) ? config : isObject(config) ? own(config, 'layers') : undefined;
  if (!Array.isArray(list)) fail(`the Sequential config must hold a list of layers, got ${describe(list)}`);
  const modelName = isObject(config) && typeof own(config, 'name') === 'string' ? own(config, 'name') as string : 'sequential';

  const layers: LayerPlan[] = [];
  /** the feature dimensions flowing into the next layer, once known */
  let dims: number[] | undefined;
  let inputSize: number | undefined;
  const names = new Set<string>();

  list.forEach((raw, i) => {
    if (!isObject(raw)) fail(`layer ${i} must be an object with class_name and config, got ${describe(raw)}`);
    const cls = own(raw, 'class_name');
    const cfg = own(raw, 'config') ?? {};
    if (typeof cls !== 'string') fail(`layer ${i} has no class_name (got ${short(cls)})`);
    if (!isObject(cfg)) fail(`layer ${i} (${cls}) has a config that is not an object: ${short(cfg)}`);
    const rawName = own(cfg, 'name');
    if (rawName !== undefined && typeof rawName !== 'string') fail(`layer ${i} (${cls}) has a name that is not a string: ${short(rawName)}`);
    const name = rawName || `${cls.toLowerCase()}_${i}`;
    const where = `layer ${i} '${name}' (${cls})`;
    checkDtype(cfg, where);

    const declared = declaredShape(cfg, where);
    if (declared) {
      if (layers.length > 0 || dims !== undefined) {
        if (cls === 'InputLayer') fail(`${where}: an InputLayer must come first`);
      } else {
        dims = declared;
      }
    }
    if (cls === 'InputLayer') {
      if (!declared) fail(`${where} declares no input shape (batch_input_shape or batch_shape)`);
      return;
    }
    if (cls === 'Flatten') {
      if (dims) dims = [product(dims, where)];
      return;
    }
    if (names.has(name)) fail(`two layers are named '${name}'; layer names must be unique`);
    names.add(name);

    switch (cls) {
      case 'Dense': {
        const units = own(cfg, 'units');
        if (typeof units !== 'number' || !Number.isInteger(units) || units < 1 || units > MAX_UNITS) fail(`${where}: units must be a positive integer, got ${short(units)}`);
        if (dims && dims.length !== 1) {
          fail(`${where} receives inputs of shape [${dims.join(', ')}]; scratchnet's Dense takes flat rows (add a Flatten before it in Keras)`);
        }
        const useBias = own(cfg, 'use_bias') ?? true;
        if (typeof useBias !== 'boolean') fail(`${where}: use_bias must be true or false, got ${short(useBias)}`);
        noteFirst();
        layers.push({ type: 'dense', name, units, activation: readActivation(own(cfg, 'activation'), where), useBias });
        dims = [units];
        return;
      }
      case 'Dropout': {
        const rate = own(cfg, 'rate');
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) fail(`${where}: rate must be a number in [0, 1), got ${short(rate)}`);
        const noise = own(cfg, 'noise_shape');
        if (noise !== undefined && noise !== null) fail(`${where}: a noise_shape (${short(noise)}) is not supported; scratchnet drops values independently`);
        noteFirst();
        layers.push({ type: 'dropout', name, rate });
        return;
      }
      case 'Activation':
      case 'LeakyReLU':
      case 'ReLU':
      case 'Softmax': {
        const activation = cls === 'Activation' ? readActivation(own(cfg, 'activation'), where) : layerActivation(cls, cfg, where);
        if (activation.name === 'softmax' && dims && dims.length !== 1) {
          fail(`${where}: softmax over inputs of shape [${dims.join(', ')}] works on the last axis in Keras; scratchnet's works on flat rows`);
        }
        // A linear Dense followed by '<dense>_leaky_re_lu' is how scratchnet saves a Dense with leaky_relu: fold it back.
        const prev = layers[layers.length - 1];
        if (cls === 'LeakyReLU' && prev?.type === 'dense' && prev.activation.name === 'linear' && name === `${prev.name}_leaky_re_lu`) {
          prev.activation = activation;
          return;
        }
        noteFirst();
        layers.push({ type: 'activation', name, activation });
        return;
      }
    }
    fail(`${where} is a layer scratchnet cannot load; it loads ${LOADABLE}`);
  });
  if (layers.length === 0) fail('the model has no layers');
  return { name: modelName, inputSize, layers };

  /** Before the first layer is added: the input size is the (flattened) declared shape, when there is one. */
  function noteFirst(): void {
    if (layers.length === 0 && dims) inputSize = product(dims, 'the input shape');
  }
}

function product(dims: number[], where: string): number {
  let p = 1;
  for (const d of dims) {
    p *= d;
    if (p > MAX_UNITS) fail(`${where}: the input shape [${dims.join(', ')}] has more than ${MAX_UNITS} values per sample`);
  }
  return p;
}

/** The feature dimensions a layer declares (batch_input_shape, batch_shape, input_shape or input_dim), if any. */
function declaredShape(cfg: JsonObject, where: string): number[] | undefined {
  const batch = own(cfg, 'batch_input_shape') ?? own(cfg, 'batch_shape');
  let dims: unknown[] | undefined;
  if (batch !== undefined && batch !== null) {
    if (!Array.isArray(batch) || batch.length < 2) fail(`${where}: the batch input shape must be [batch, features...], got ${short(batch)}`);
    dims = batch.slice(1);
  } else if (Array.isArray(own(cfg, 'input_shape'))) {
    dims = own(cfg, 'input_shape') as unknown[];
  } else if (own(cfg, 'input_dim') !== undefined && own(cfg, 'input_dim') !== null) {
    dims = [own(cfg, 'input_dim')];
  }
  if (!dims) return undefined;
  if (dims.length === 0) fail(`${where}: the input shape has no feature dimension`);
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_UNITS) {
      fail(`${where}: input shape ${short(dims)} must hold positive integers (scratchnet needs every feature dimension known), got ${short(d)}`);
    }
  }
  return dims as number[];
}

/** Only float32 layers: a string dtype or a Keras 3 DTypePolicy naming float32. */
function checkDtype(cfg: JsonObject, where: string): void {
  const dtype = own(cfg, 'dtype');
  if (dtype === undefined || dtype === null) return;
  const name = typeof dtype === 'string' ? dtype : isObject(dtype) && isObject(own(dtype, 'config')) ? own(own(dtype, 'config') as JsonObject, 'name') : dtype;
  if (name !== 'float32') fail(`${where} computes in ${short(name)}; scratchnet computes in float32 only`);
}

function readActivation(v: unknown, where: string): ActivationPlan {
  if (v === undefined || v === null) return { name: 'linear' };
  // Keras 3 may serialise a function as { class_name: 'function', config: 'relu' }.
  const name = isObject(v) && typeof own(v, 'config') === 'string' ? own(v, 'config') : v;
  if (typeof name !== 'string') fail(`${where}: activation must be a name, got ${short(v)}`);
  const builtin = ACTIVATIONS[name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()];
  if (!builtin) fail(`${where}: activation '${name}' is not one scratchnet has (${Object.keys(ACTIVATIONS).join(', ')})`);
  // Keras 3's 'leaky_relu' activation has slope 0.2.
  return builtin === 'leaky_relu' ? { name: builtin, alpha: 0.2 } : { name: builtin };
}

function layerActivation(cls: string, cfg: JsonObject, where: string): ActivationPlan {
  const num = (key: string, fallback: number): number => {
    const v = own(cfg, key) ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where}: ${key} must be a finite number, got ${short(v)}`);
    return v;
  };
  if (cls === 'LeakyReLU') {
    // TensorFlow.js and Keras 2 call the slope alpha (default 0.3); Keras 3 calls it negative_slope.
    const alpha = own(cfg, 'negative_slope') !== undefined ? num('negative_slope', 0.3) : num('alpha', 0.3);
    if (alpha < 0) fail(`${where}: a negative slope below zero (${alpha}) is not supported`);
    return { name: 'leaky_relu', alpha };
  }
  if (cls === 'ReLU') {
    const maxValue = own(cfg, 'max_value');
    if (maxValue !== undefined && maxValue !== null) fail(`${where}: max_value ${short(maxValue)} is not supported (scratchnet's relu is unbounded)`);
    if (num('threshold', 0) !== 0) fail(`${where}: a threshold other than 0 is not supported`);
    const slope = num('negative_slope', 0);
    return slope === 0 ? { name: 'relu' } : { name: 'leaky_relu', alpha: slope };
  }
  const axis = own(cfg, 'axis') ?? -1;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) fail(`${where}: softmax over axis ${short(axis)} is not supported (only the last axis)`);
  return { name: 'softmax' };
}

/**
 * The Keras topology of a stack of built-in layers. A Dense with leaky_relu becomes Dense then a LeakyReLU layer
 * (Keras has no 'leaky_relu' activation string in TensorFlow.js); its weights keep the Dense's name.
 */
export function writeTopology(modelName: string, layers: readonly Layer[], inputSize: number): JsonObject {
  const out: JsonObject[] = [];
  const names = new Set<string>();
  const claim = (name: string) => {
    if (names.has(name)) fail(`two layers are named '${name}'; give them unique names before saving`);
    names.add(name);
    return name;
  };
  layers.forEach((layer, i) => {
    const first = i === 0 ? { batch_input_shape: [null, inputSize] } : {};
    if (layer instanceof Dense) {
      const leaky = layer.activation.name === 'leaky_relu';
      out.push({ class_name: 'Dense', config: {
        name: claim(layer.name), trainable: true, dtype: 'float32', ...first,
        units: layer.units, activation: leaky ? 'linear' : layer.activation.name, use_bias: layer.useBias,
      } });
      if (leaky) out.push({ class_name: 'LeakyReLU', config: { name: claim(`${layer.name}_leaky_re_lu`), trainable: true, dtype: 'float32', alpha: layer.activation.alpha ?? 0.2 } });
    } else if (layer instanceof Activation) {
      const a = layer.activation;
      if (!a.builtin) fail(`layer '${layer.name}' uses the custom activation '${a.name}', which cannot be saved; only built-in activations can`);
      out.push(a.name === 'leaky_relu'
        ? { class_name: 'LeakyReLU', config: { name: claim(layer.name), trainable: true, dtype: 'float32', ...first, alpha: a.alpha ?? 0.2 } }
        : { class_name: 'Activation', config: { name: claim(layer.name), trainable: true, dtype: 'float32', ...first, activation: a.name } });
    } else if (layer instanceof Dropout) {
      out.push({ class_name: 'Dropout', config: { name: claim(layer.name), trainable: true, dtype: 'float32', ...first, rate: layer.rate, noise_shape: null, seed: null } });
    } else {
      const cls = (layer as object).constructor?.name ?? 'Layer';
      fail(`layer '${layer.name || i}' is a custom ${cls}, which cannot be saved in the Keras format; only Dense/FCLayer, Activation/ActivationLayer and Dropout can (use getWeights() for custom layers)`);
    }
  });
  return { class_name: 'Sequential', config: { name: modelName, layers: out }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' };
}
