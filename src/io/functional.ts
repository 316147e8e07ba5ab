/**
 * A Keras functional model ('Functional' in Keras 2.4+ and 3, 'Model' in older Keras and TensorFlow.js) whose layers
 * form one chain, input → layer → … → output, computes exactly what the Sequential model of those layers computes.
 * `chainOfLayers` returns the layers in chain order, for topology.ts to read as a Sequential's list. A graph with
 * branches, merges, several inputs or outputs, or a layer called twice is refused, naming what was found.
 */
import { fail } from '../util/errors.js';
import { isObject, own, short, type JsonObject } from './validate.js';

const WHY =
  'scratchnet loads a functional model only when its layers form a single chain from one input to one output (a Sequential model by another name)';

/** The name of the layer each inbound tensor comes from, per call of the layer (its "nodes"). */
function inboundNames(layer: JsonObject, name: string): string[][] {
  const nodes = own(layer, 'inbound_nodes') ?? [];
  if (!Array.isArray(nodes)) fail(`layer '${name}': inbound_nodes must be a list, got ${short(nodes)}`);
  return nodes.map((node) => {
    // Keras 2 and TensorFlow.js: a node is a list of [layer name, node index, tensor index, kwargs]
    if (Array.isArray(node))
      return node.map((t) =>
        Array.isArray(t) && typeof t[0] === 'string'
          ? t[0]
          : fail(`layer '${name}': an inbound tensor ${short(t)} names no layer`),
      );
    // Keras 3: a node is { args: [tensors], kwargs }, a tensor { class_name: '__keras_tensor__', config: { keras_history: [name, …] } }
    if (isObject(node)) {
      const tensors: string[] = [];
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) {
          v.forEach(visit);
          return;
        }
        if (!isObject(v)) return;
        const history = isObject(own(v, 'config')) ? own(own(v, 'config') as JsonObject, 'keras_history') : undefined;
        if (own(v, 'class_name') === '__keras_tensor__' && Array.isArray(history) && typeof history[0] === 'string')
          tensors.push(history[0]);
      };
      visit(own(node, 'args'));
      return tensors;
    }
    return fail(`layer '${name}': an inbound node ${short(node)} is neither a list nor an object`);
  });
}

/** Names in input_layers / output_layers: [[name, 0, 0], …] (Keras 2, TF.js) or a single [name, 0, 0] (Keras 3). */
function endpointNames(config: JsonObject, key: string): string[] {
  const v = own(config, key);
  if (!Array.isArray(v)) fail(`the functional model's ${key} must be a list, got ${short(v)}`);
  if (typeof v[0] === 'string') return [v[0]];
  return v.map((e) =>
    Array.isArray(e) && typeof e[0] === 'string'
      ? e[0]
      : fail(`the functional model's ${key} holds ${short(e)}, not [layer name, node, tensor]`),
  );
}

export function chainOfLayers(config: JsonObject): unknown[] {
  const list = own(config, 'layers');
  if (!Array.isArray(list)) fail(`the functional model's config must hold a list of layers, got ${short(list)}`);
  const byName = new Map<string, JsonObject>();
  const parent = new Map<string, string>();
  const children = new Map<string, string[]>();
  list.forEach((raw, i) => {
    if (!isObject(raw)) fail(`layer ${i} must be an object with class_name and config, got ${short(raw)}`);
    const cfg = own(raw, 'config');
    const name = own(raw, 'name') ?? (isObject(cfg) ? own(cfg, 'name') : undefined);
    if (typeof name !== 'string') fail(`layer ${i} of the functional model has no name`);
    if (byName.has(name)) fail(`two layers are named '${name}'; layer names must be unique`);
    byName.set(name, raw);
    const nodes = inboundNames(raw, name);
    if (own(raw, 'class_name') === 'InputLayer') return;
    if (nodes.length !== 1) fail(`layer '${name}' is called ${nodes.length} times in the graph; ${WHY}`);
    if (nodes[0].length !== 1)
      fail(`layer '${name}' takes ${nodes[0].length} inputs (${nodes[0].join(', ') || 'none'}); ${WHY}`);
    parent.set(name, nodes[0][0]);
    children.set(nodes[0][0], [...(children.get(nodes[0][0]) ?? []), name]);
  });
  const inputs = endpointNames(config, 'input_layers');
  const outputs = endpointNames(config, 'output_layers');
  if (inputs.length !== 1 || outputs.length !== 1)
    fail(`the model has ${inputs.length} inputs and ${outputs.length} outputs; ${WHY}`);
  const chain: unknown[] = [];
  for (let at: string | undefined = inputs[0]; at !== undefined;) {
    const layer = byName.get(at);
    if (!layer) fail(`the functional model refers to a layer '${at}' it does not define`);
    chain.push(layer);
    const next: string[] = children.get(at) ?? [];
    if (next.length > 1) fail(`the output of layer '${at}' feeds ${next.length} layers (${next.join(', ')}); ${WHY}`);
    if (next.length === 0 && at !== outputs[0])
      fail(`the chain from '${inputs[0]}' ends at '${at}', not at the output '${outputs[0]}'; ${WHY}`);
    at = next[0];
  }
  if (chain.length !== list.length) {
    const off = [...byName.keys()].filter((n) => !chain.includes(byName.get(n)));
    fail(
      `layers ${off.map((n) => `'${n}'`).join(', ')} are not on the chain from '${inputs[0]}' to '${outputs[0]}'; ${WHY}`,
    );
  }
  return chain;
}
