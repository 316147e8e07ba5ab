/**
 * The weights manifest against the weight bytes and the model's layers. Every size is checked before anything is
 * decoded or allocated (the lesson of TF.js #805/#1642/#3071): each entry's dtype and shape (overflow-checked), where
 * its bytes lie, that the bytes end exactly where the last weight ends, and that every weight the layers need is
 * there with the right shape — errors name the weight, the expected and the actual byte counts.
 */
import { fail } from '../util/errors.js';
import { describe, type WeightBytes } from './bytes.js';
import { className } from '../layers/registry.js';
import { formatShape, sameShape, shapeSize as valuesIn, type Shape } from '../layers/shape.js';
import { chainShapes, type TopologyPlan } from './topology.js';
import type { WeightsManifestEntry } from './types.js';
import { isObject, own, shapeSize, short } from './validate.js';

/** A manifest entry with its place in the weight bytes. */
export interface LocatedWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  group: 'model' | 'optimizer';
  size: number;
  offset: number;
}

/** Check every entry and lay them out one after another (checkWeightBytes then checks them against the bytes). */
export function locateWeights(specs: unknown): LocatedWeight[] {
  if (!Array.isArray(specs)) fail(`weightSpecs must be a list of { name, shape, dtype }, got ${describe(specs)}`);
  const out: LocatedWeight[] = [];
  let offset = 0;
  specs.forEach((raw: WeightsManifestEntry | unknown, i) => {
    if (!isObject(raw)) fail(`weight spec ${i} must be an object { name, shape, dtype }, got ${describe(raw)}`);
    const name = own(raw, 'name');
    if (typeof name !== 'string' || name === '') fail(`weight spec ${i} has no name (got ${short(name)})`);
    const what = `weight '${name}'`;
    const quantization = own(raw, 'quantization');
    if (quantization !== undefined && quantization !== null) {
      const qd = isObject(quantization) ? own(quantization, 'dtype') : quantization;
      fail(
        `${what} is quantised (${short(qd)}); scratchnet loads float32 weights only: convert the model without --quantize_* flags`,
      );
    }
    const group = own(raw, 'group') ?? 'model';
    if (group !== 'model' && group !== 'optimizer')
      fail(`${what} is in group ${short(group)}; expected 'model' or 'optimizer'`);
    const dtype = own(raw, 'dtype');
    const intIter = group === 'optimizer' && dtype === 'int32';
    if (dtype !== 'float32' && !intIter) {
      fail(`${what} has dtype ${short(dtype)}; scratchnet loads float32 weights only`);
    }
    const size = shapeSize(own(raw, 'shape'), what);
    out.push({ name, shape: own(raw, 'shape') as number[], dtype: dtype as 'float32' | 'int32', group, size, offset });
    offset += size * 4;
  });
  return out;
}

/**
 * Every located weight lies inside the bytes, and the bytes end exactly where the last one ends. Checked after the
 * shapes are matched with the layers (readModelWeights), so that a manifest whose shape differs from its layer's is
 * told so, rather than blaming a later weight for the bytes the wrong shape took.
 */
function checkWeightBytes(located: LocatedWeight[], bytes: WeightBytes): void {
  for (const w of located) {
    const byteCount = w.size * 4;
    if (w.offset + byteCount > bytes.byteLength) {
      fail(
        `weight '${w.name}' (shape ${short(w.shape)}, ${w.dtype}) needs ${byteCount} bytes at byte ${w.offset}, but the weight data has ` +
          `only ${Math.max(0, bytes.byteLength - w.offset)} bytes left (${bytes.byteLength} in all): the weights file is truncated or belongs to another model`,
        'corrupt_file',
      );
    }
  }
  const last = located.at(-1);
  const offset = last ? last.offset + last.size * 4 : 0;
  if (offset !== bytes.byteLength) {
    fail(
      `the weight data has ${bytes.byteLength} bytes but the manifest's weights take ${offset}: ` +
        `${bytes.byteLength - offset} bytes are left over, so the weights file belongs to another model or is corrupted`,
      'corrupt_file',
    );
  }
}

/** 'sequential/dense_1/kernel:0' → { scope: ['sequential', 'dense_1'], param: 'kernel' }: Keras 2/3 and TF.js names. */
export function splitWeightName(name: string): string[] {
  return name.replace(/:\d+$/, '').split('/');
}

/**
 * The model's weights in Keras order (each layer's arrays as its paramShapes lists them: a Dense's kernel
 * [in, units], then its bias), matched by name (`<layer>/<kernel|bias>`, with any scope before it and any `:0` after
 * it ignored), their shapes checked against the layers', then every weight's bytes (checkWeightBytes), then decoded. Returns them with the model's input shape (when the topology declares none: what
 * the first layer with weights implies, e.g. [inputs] from a Dense kernel).
 */
export function readModelWeights(
  plan: TopologyPlan,
  located: LocatedWeight[],
  bytes: WeightBytes,
): { inputShape: Shape; weights: Float32Array[] } {
  const byKey = new Map<string, LocatedWeight>();
  for (const w of located) {
    if (w.group !== 'model') continue;
    const parts = splitWeightName(w.name);
    const key = parts.slice(-2).join('/');
    if (parts.length < 2) fail(`weight '${w.name}' is not named <layer>/<kernel|bias>, so no layer can claim it`);
    const clash = byKey.get(key);
    if (clash) fail(`weights '${clash.name}' and '${w.name}' both name ${key}`);
    byKey.set(key, w);
  }

  const inputShape = plan.inputShape ?? inferInputShape(plan, byKey);
  const shapes = chainShapes(plan.layers, inputShape);
  const matched: { w: LocatedWeight; shape: readonly number[] }[] = [];
  const used = new Set<LocatedWeight>();
  plan.layers.forEach((layer, i) => {
    for (const { name: param, shape } of layer.paramShapes(shapes[i])) {
      const key = `${layer.name}/${param}`;
      const w = byKey.get(key);
      if (!w)
        fail(
          `weight '${key}' is missing: layer '${layer.name}' (${className(layer)}, input shape ${formatShape(shapes[i])}) needs a ${param} of shape ${formatShape(shape)}`,
          'corrupt_file',
        );
      if (!sameShape(w.shape, shape)) {
        fail(
          `weight '${w.name}' has shape ${formatShape(w.shape)} (${w.size * 4} bytes), but layer '${layer.name}' needs ${formatShape(shape)} (${valuesIn(shape) * 4} bytes)`,
          'corrupt_file',
        );
      }
      matched.push({ w, shape });
      used.add(w);
    }
  });
  for (const w of byKey.values()) {
    if (!used.has(w))
      fail(
        `weight '${w.name}' matches no weight of the model's layers (${plan.layers.map((l) => l.name).join(', ')})`,
        'corrupt_file',
      );
  }
  checkWeightBytes(located, bytes);
  const weights = matched.map(({ w, shape }) => {
    const values = bytes.float32(w.offset, w.size);
    checkFinite(values, w.name, shape);
    return values;
  });
  return { inputShape, weights };
}

/** The input shape implied by the first layer with weights, through the shape-keeping layers before it. */
function inferInputShape(plan: TopologyPlan, byKey: Map<string, LocatedWeight>): Shape {
  for (const layer of plan.layers) {
    const prefix = `${layer.name}/`;
    const mine = new Map(
      [...byKey].filter(([k]) => k.startsWith(prefix)).map(([k, w]) => [k.slice(prefix.length), w.shape]),
    );
    if (mine.size === 0) continue;
    const shape = layer.inferInputShape(mine);
    if (!shape) break;
    // only layers that keep the shape may come before it (Dropout, Activation); a Flatten or Reshape would hide the input's
    const before = plan.layers.slice(0, plan.layers.indexOf(layer));
    if (before.every((l) => sameShape(l.computeOutputShape(shape), shape))) return shape;
    break;
  }
  fail('the topology declares no input shape and there is no first kernel to read it from');
}

export function checkFinite(values: ArrayLike<number>, name: string, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const at = shape.length === 2 ? `row ${Math.floor(i / shape[1])}, column ${i % shape[1]}` : `index ${i}`;
      fail(`weight '${name}' has ${values[i]} at ${at}; weights must be finite`, 'corrupt_file');
    }
  }
}
