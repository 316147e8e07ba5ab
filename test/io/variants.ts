// The forms a Keras model takes after `tensorflowjs_converter --input_format keras`, made from TensorFlow.js's own
// artifacts so that the weights (and so the expected predictions) stay the same. Modelled on real converter output
// (Keras 2.12 / converter 4.6, and Keras 3.13 / converter 4.22: an InputLayer, a model_config wrapper, a
// training_config inside the topology, Keras names).
import type { ModelArtifacts } from '../../src/io/types.js';

type LayerJson = { class_name: string; config: Record<string, unknown> };

function layersOf(a: ModelArtifacts): LayerJson[] {
  const topology = a.modelTopology as { config: { layers: LayerJson[] } };
  return structuredClone(topology.config.layers);
}

/** Keras-style names for TF.js's (dense_Dense1 → dense, dense_Dense2 → dense_1, …). */
function kerasNames(layers: LayerJson[]): Map<string, string> {
  const counts = new Map<string, number>();
  const names = new Map<string, string>();
  for (const l of layers) {
    const base = l.class_name === 'LeakyReLU' ? 'leaky_re_lu' : l.class_name.toLowerCase();
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    names.set(l.config.name as string, n === 0 ? base : `${base}_${n}`);
  }
  return names;
}

function renameWeights(
  a: ModelArtifacts,
  names: Map<string, string>,
  format: (layer: string, param: string) => string,
) {
  return a.weightSpecs!.map((s) => {
    const [layer, param] = s.name.split('/');
    return { ...s, name: format(names.get(layer)!, param) };
  });
}

export function asKeras2Converter(a: ModelArtifacts): ModelArtifacts {
  const layers = layersOf(a);
  const names = kerasNames(layers);
  const inputShape = layers[0].config.batch_input_shape;
  for (const l of layers) l.config.name = names.get(l.config.name as string);
  layers.unshift({
    class_name: 'InputLayer',
    config: { batch_input_shape: inputShape, dtype: 'float32', sparse: false, ragged: false, name: 'dense_input' },
  });
  return {
    format: 'layers-model',
    generatedBy: 'keras v2.12.0',
    convertedBy: 'TensorFlow.js Converter v4.6.0',
    modelTopology: {
      keras_version: '2.12.0',
      backend: 'tensorflow',
      model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } },
      training_config: {
        loss: 'categorical_crossentropy',
        metrics: [
          [
            {
              class_name: 'MeanMetricWrapper',
              config: { name: 'accuracy', dtype: 'float32', fn: 'categorical_accuracy' },
            },
          ],
        ],
        weighted_metrics: null,
        loss_weights: null,
        optimizer_config: {
          class_name: 'Custom>Adam',
          config: {
            name: 'Adam',
            weight_decay: null,
            clipnorm: null,
            is_legacy_optimizer: false,
            learning_rate: 0.009999999776482582,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            amsgrad: false,
          },
        },
      },
    },
    weightSpecs: renameWeights(a, names, (layer, param) => `${layer}/${param}:0`),
    weightData: a.weightData,
  };
}

export function asKeras3Converter(a: ModelArtifacts): ModelArtifacts {
  const layers = layersOf(a);
  const names = kerasNames(layers);
  const inputShape = layers[0].config.batch_input_shape as number[];
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const out: LayerJson[] = [
    {
      class_name: 'InputLayer',
      config: {
        batch_shape: inputShape,
        dtype: 'float32',
        sparse: false,
        ragged: false,
        name: 'input_layer',
        optional: false,
      },
    },
  ];
  for (const l of layers) {
    const config: Record<string, unknown> = { ...l.config, name: names.get(l.config.name as string), dtype: policy };
    delete config.batch_input_shape;
    if (l.class_name === 'LeakyReLU') {
      config.negative_slope = config.alpha;
      delete config.alpha;
    }
    out.push({ module: 'keras.layers', class_name: l.class_name, config, registered_name: null } as LayerJson);
  }
  return {
    format: 'layers-model',
    generatedBy: 'keras v3.13.2',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '3.13.2',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: { name: 'sequential', trainable: true, dtype: policy, layers: out, build_input_shape: inputShape },
      },
    },
    weightSpecs: renameWeights(a, names, (layer, param) => `sequential/${layer}/${param}`),
    weightData: a.weightData,
  };
}

/** The weight bytes cut at the given byte offsets (anywhere, as the converter's 4 MB shards cut them). */
export function inShards(a: ModelArtifacts, cuts: number[]): ModelArtifacts {
  const bytes = new Uint8Array(a.weightData as ArrayBuffer);
  const edges = [0, ...cuts, bytes.byteLength];
  const shards = edges.slice(1).map((end, i) => bytes.slice(edges[i], end).buffer);
  return { ...a, weightData: shards };
}

export function withoutInputShape(a: ModelArtifacts): ModelArtifacts {
  const layers = layersOf(a);
  delete layers[0].config.batch_input_shape;
  const topology = a.modelTopology as Record<string, unknown>;
  return { ...a, modelTopology: { ...topology, config: { ...(topology.config as object), layers } } };
}
