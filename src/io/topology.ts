/**
 * Keras's model topology (the `modelTopology` of a model.json) ↔ a plan of scratchnet layers. Reading accepts what
 * TensorFlow.js and the tensorflowjs converter write for Keras 2 and 3 (a `model_config` wrapper, an `InputLayer`,
 * `batch_input_shape` or `batch_shape`, dtype policies), and functional models that are one chain of layers
 * (functional.ts), and refuses, naming it, anything scratchnet cannot run.
 */
import { declaredInputShape } from '../layers/config.js';
import { KernelLayer, type KerasLayerJson } from '../layers/kernel-layer.js';
import type { Layer } from '../layers/layer.js';
import {
  className as classNameOf,
  kerasClassOf,
  layerClassForFile,
  loadableClassNames,
  builtinLayerNames,
} from '../layers/registry.js';
import type { Shape } from '../layers/shape.js';
import { fail } from '../util/errors.js';
import { describe } from './bytes.js';
import { chainOfLayers } from './functional.js';
import { isObject, own, short, type JsonObject } from './validate.js';

export interface TopologyPlan {
  name: string;
  /** the shape of one input sample, when the topology declares it */
  inputShape: Shape | undefined;
  /** the model's layers, made from their configs through the layer registry: checked, unbuilt, holding no memory */
  layers: KernelLayer[];
}

const loadable = () => `${loadableClassNames().join(', ')} and InputLayer`;

/** Read a Keras Sequential topology into a plan, checking everything; allocates nothing. */
export function readTopology(modelTopology: unknown): TopologyPlan {
  if (modelTopology instanceof ArrayBuffer || ArrayBuffer.isView(modelTopology)) {
    fail('modelTopology is binary (a TensorFlow graph model); scratchnet loads layers models, whose topology is JSON');
  }
  if (!isObject(modelTopology))
    fail(`modelTopology must be an object (Keras's model config), got ${describe(modelTopology)}`);
  const topo = isObject(own(modelTopology, 'model_config'))
    ? (own(modelTopology, 'model_config') as JsonObject)
    : modelTopology;
  if (own(topo, 'node') !== undefined)
    fail(
      "modelTopology is a TensorFlow graph (format 'graph-model'); scratchnet loads layers models (format 'layers-model')",
    );
  const className = own(topo, 'class_name');
  const functional = className === 'Functional' || className === 'Model';
  if (className !== 'Sequential' && !functional) {
    const what =
      typeof className === 'string' ? `a '${className}' model` : `a model without a class_name (${short(className)})`;
    fail(
      `modelTopology describes ${what}; scratchnet loads Keras Sequential models (a plain stack of ${loadable()} layers) and functional models that are one chain of them`,
    );
  }
  const config = own(topo, 'config');
  if (functional && !isObject(config)) fail(`the functional model's config must be an object, got ${describe(config)}`);
  // Keras before 2.2.3 wrote a Sequential's config as the bare list of layers.
  const list = functional
    ? chainOfLayers(config as JsonObject)
    : Array.isArray(config)
      ? config
      : isObject(config)
        ? own(config, 'layers')
        : undefined;
  if (!Array.isArray(list)) fail(`the Sequential config must hold a list of layers, got ${describe(list)}`);
  const modelName =
    isObject(config) && typeof own(config, 'name') === 'string' ? (own(config, 'name') as string) : 'sequential';

  const layers: KernelLayer[] = [];
  let inputShape: number[] | undefined;
  const names = new Set<string>();

  list.forEach((raw, i) => {
    if (!isObject(raw)) fail(`layer ${i} must be an object with class_name and config, got ${describe(raw)}`);
    const cls = own(raw, 'class_name');
    const cfg = own(raw, 'config') ?? {};
    if (typeof cls !== 'string') fail(`layer ${i} has no class_name (got ${short(cls)})`);
    if (!isObject(cfg)) fail(`layer ${i} (${cls}) has a config that is not an object: ${short(cfg)}`);
    const rawName = own(cfg, 'name');
    if (rawName !== undefined && typeof rawName !== 'string')
      fail(`layer ${i} (${cls}) has a name that is not a string: ${short(rawName)}`);
    const name = rawName || `${cls.toLowerCase()}_${i}`;
    const where = `layer ${i} '${name}' (${cls})`;
    checkDtype(cfg, where);
    checkNoPenalties(cfg, where);

    // The model's input shape is the first one declared before any layer; later layers' shapes follow from it.
    const declared = declaredInputShape(cfg, where);
    if (declared && cls === 'InputLayer' && (layers.length > 0 || inputShape))
      fail(`${where}: an InputLayer must come first`);
    if (declared && layers.length === 0 && !inputShape) inputShape = declared;
    if (cls === 'InputLayer') {
      if (!declared) fail(`${where} declares no input shape (batch_input_shape or batch_shape)`);
      return;
    }
    const layerClass = layerClassForFile(cls);
    if (!layerClass) fail(`${where} is a layer scratchnet cannot load; it loads ${loadable()}`);
    // The shape is the model's (kept above), not a constraint on this layer: leave it out of what the layer declares.
    const { batch_input_shape: _a, batch_shape: _b, input_shape: _c, input_dim: _d, ...config } = cfg;
    const layer = layerClass.fromConfig({ ...config, name }, where, cls);
    if (layers.length > 0 && layers[layers.length - 1].absorb(layer, name)) return;
    if (names.has(name)) fail(`two layers are named '${name}'; layer names must be unique`);
    names.add(name);
    layers.push(layer);
  });
  if (layers.length === 0) fail('the model has no layers');
  if (inputShape) chainShapes(layers, inputShape); // refuses layers that do not chain, naming both shapes
  return { name: modelName, inputShape, layers };
}

/** Every layer's input shape, then the model's output shape, from the model's input shape (fails where they do not chain). */
export function chainShapes(layers: readonly KernelLayer[], inputShape: Shape): Shape[] {
  const shapes: Shape[] = [inputShape];
  for (const layer of layers) shapes.push(layer.computeOutputShape(shapes[shapes.length - 1]));
  return shapes;
}

/** the Keras layer options that change training, not the layer's outputs, which scratchnet does not have */
const PENALTIES = [
  'kernel_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'kernel_constraint',
  'bias_constraint',
] as const;

/**
 * No regularizer or constraint: scratchnet would load the layer and train it without them, so that training after a
 * load, and a save after that, would silently differ from Keras's. Refused by name, as other features it lacks.
 */
function checkNoPenalties(cfg: JsonObject, where: string): void {
  for (const key of PENALTIES) {
    const value = own(cfg, key);
    if (value === undefined || value === null) continue;
    const what = key.endsWith('constraint') ? 'constraints' : 'regularizers';
    fail(
      `${where} has ${key} ${short(value)}; scratchnet has no ${what}, so it would train this layer without it. ` +
        `Set ${key} to null in the model's file to load it as it predicts`,
    );
  }
}

/** Only float32 layers: a string dtype or a Keras 3 DTypePolicy naming float32. */
function checkDtype(cfg: JsonObject, where: string): void {
  const dtype = own(cfg, 'dtype');
  if (dtype === undefined || dtype === null) return;
  const name =
    typeof dtype === 'string'
      ? dtype
      : isObject(dtype) && isObject(own(dtype, 'config'))
        ? own(own(dtype, 'config') as JsonObject, 'name')
        : dtype;
  if (name !== 'float32') fail(`${where} computes in ${short(name)}; scratchnet computes in float32 only`);
}

/**
 * The Keras topology of a stack of built-in layers: each layer as its registered Keras class (a tutorial layer as the
 * Keras layer it is a form of) with its config; the first layer carries the model's input shape.
 */
export function writeTopology(modelName: string, layers: readonly Layer[], inputShape: Shape): JsonObject {
  const out: KerasLayerJson[] = [];
  const names = new Set<string>();
  layers.forEach((layer, i) => {
    const cls = layer instanceof KernelLayer ? kerasClassOf(layer) : undefined;
    if (!cls) {
      fail(
        `layer '${layer.name || i}' is a custom ${classNameOf(layer)}, which cannot be saved in the Keras format; only the built-in layers can ` +
          `(${builtinLayerNames().join(', ')} and their tutorial forms; use getWeights() for custom layers)`,
      );
    }
    for (const written of (layer as KernelLayer).toKeras(cls.className)) {
      const { batch_input_shape: _, name, ...config } = written.config;
      if (typeof name !== 'string' || names.has(name))
        fail(`two layers are named '${name}'; give them unique names before saving`);
      names.add(name);
      const first = out.length === 0 ? { batch_input_shape: [null, ...inputShape] } : {};
      out.push({
        class_name: written.class_name,
        config: { name, trainable: true, dtype: 'float32', ...first, ...config },
      });
    }
  });
  return {
    class_name: 'Sequential',
    config: { name: modelName, layers: out },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}
