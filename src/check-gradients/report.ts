/** The report of checkGradients, and the comparison helpers both of its paths share. */
import type { Random } from '../util/random.js';

/** The comparison for one array: its worst entry, relative to the largest gradient magnitude in the array. */
export interface GradientComparison {
  /** 'kernel', 'bias', or 'input' (dE/dX of the layer) */
  name: string;
  checked: number;
  /** max |analytic − numeric| / max(|analytic|, |numeric|) over the array — 0 when both are all zero */
  maxRelativeError: number;
  /** the worst entry: its flat index (for 'input': into [samples, inputs]) and both values */
  worst: { index: number; analytic: number; numeric: number };
}

/** One layer's worst relative error between its analytic gradients and central finite differences. */
export interface LayerGradientReport {
  layer: string;
  kind: string;
  arrays: GradientComparison[];
  maxRelativeError: number;
}

/** What `checkGradients` returns: whether every layer's gradients match finite differences, and the worst errors. */
export interface GradientCheckReport {
  ok: boolean;
  precision: 'float64' | 'float32';
  epsilon: number;
  tolerance: number;
  maxRelativeError: number;
  layers: LayerGradientReport[];
}

/** Up to `max` distinct indices in [0, n), from the seeded generator (all of them when n ≤ max). */
export function chooseIndices(n: number, max: number, rng: Random): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < max) chosen.add(rng.int(n));
  return [...chosen].sort((p, q) => p - q);
}

/** Compare the analytic gradient with `numeric(k)` at `indices`; the scale is the largest magnitude seen. */
export function compare(
  name: string,
  analytic: ArrayLike<number>,
  indices: number[],
  numeric: (k: number) => number,
): GradientComparison {
  let scale = 0;
  for (let i = 0; i < analytic.length; i++) scale = Math.max(scale, Math.abs(analytic[i]));
  let worst = { index: -1, analytic: 0, numeric: 0 };
  let worstDiff = -1;
  for (const k of indices) {
    const n = numeric(k);
    scale = Math.max(scale, Math.abs(n));
    const diff = Number.isFinite(n) && Number.isFinite(analytic[k]) ? Math.abs(analytic[k] - n) : Infinity;
    if (diff > worstDiff) {
      worstDiff = diff;
      worst = { index: k, analytic: analytic[k], numeric: n };
    }
  }
  const maxRelativeError = worstDiff <= 0 ? 0 : worstDiff === Infinity ? Infinity : worstDiff / scale;
  return { name, checked: indices.length, maxRelativeError, worst };
}

export function layerReport(layer: string, kind: string, arrays: GradientComparison[]): LayerGradientReport {
  return { layer, kind, arrays, maxRelativeError: arrays.reduce((m, c) => Math.max(m, c.maxRelativeError), 0) };
}

export function finish(
  layers: LayerGradientReport[],
  precision: 'float64' | 'float32',
  epsilon: number,
  tolerance: number,
): GradientCheckReport {
  const maxRelativeError = layers.reduce((m, l) => Math.max(m, l.maxRelativeError), 0);
  return { ok: maxRelativeError <= tolerance, precision, epsilon, tolerance, maxRelativeError, layers };
}
