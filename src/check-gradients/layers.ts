/**
 * The gradient check for a Network with custom Layer subclasses, run on the network itself in float32 through the
 * tutorial's interface, sample by sample. A layer's weight gradient is read from what `backwardPropagation` does to
 * its weights with learning rate 1 — (w_before − w_after) — and the weights are put back bit for bit afterwards, so a
 * custom layer must update its weights with plain SGD, as the tutorial's FCLayer does. Its input gradient is what
 * backwardPropagation returns.
 */
import type { Matrix } from '../data/matrix.js';
import { Dropout } from '../layers/dropout.js';
import { className } from '../layers/registry.js';
import type { Layer } from '../layers/layer.js';
import type { Loss } from '../losses/index.js';
import type { Network } from '../models/network.js';
import { fail } from '../util/errors.js';
import { Random } from '../util/random.js';
import {
  chooseIndices,
  compare,
  finish,
  layerReport,
  type GradientCheckReport,
  type GradientComparison,
} from './report.js';

interface Settings {
  epsilon: number;
  tolerance: number;
  maxChecks: number;
  seed: number;
}

export function checkLayerByLayer(net: Network, loss: Loss, xs: Matrix, ys: Matrix, s: Settings): GradientCheckReport {
  const layers = net.layers;
  const dropout = layers.find((l) => l instanceof Dropout && l.rate > 0);
  if (dropout) {
    fail(
      `checkGradients: layer '${dropout.name || 'dropout'}' draws a new dropout mask on every pass of a network with custom layers, ` +
        'so differences would be noise; check the network without its Dropout layers',
    );
  }
  const rows = xs.shape[0];
  const outCols = ys.shape[1];
  const row = (m: Matrix, r: number) => m.data.slice(r * m.shape[1], (r + 1) * m.shape[1]);
  net.predict({ data: xs.data, shape: xs.shape }); // builds the built-in layers

  const forwardFrom = (from: number, input: Float32Array): Float32Array => {
    let out = input;
    for (let i = from; i < layers.length; i++) out = Float32Array.from(layers[i].forwardPropagation(out));
    return out;
  };
  const sampleLoss = (r: number, from: number, input: Float32Array) => loss.fn(row(ys, r), forwardFrom(from, input));
  const meanLoss = () => {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += sampleLoss(r, 0, row(xs, r));
    return sum / rows;
  };

  // Analytic, per sample: forward through every layer keeping its input, then backward with learning rate 1.
  const saved = layers.map((l) => l.getWeights().map((w) => Float32Array.from(w)));
  const weightGrads = saved.map((ws) => ws.map((w) => new Float64Array(w.length)));
  const inputs: Float32Array[][] = layers.map(() => []);
  const inputGrads: Float32Array[][] = layers.map(() => []);
  for (let r = 0; r < rows; r++) {
    let out = row(xs, r);
    layers.forEach((l, i) => {
      inputs[i][r] = Float32Array.from(out);
      out = Float32Array.from(l.forwardPropagation(out));
    });
    if (out.length !== outCols) fail(`y has ${outCols} values per sample but the network outputs ${out.length}`);
    let g = Float32Array.from(loss.fnPrime(row(ys, r), out));
    for (let i = layers.length - 1; i >= 0; i--) {
      g = Float32Array.from(layers[i].backwardPropagation(g, 1));
      inputGrads[i][r] = g;
      const after = layers[i].getWeights();
      saved[i].forEach((before, j) => {
        for (let k = 0; k < before.length; k++) weightGrads[i][j][k] += (before[k] - after[j][k]) / rows;
      });
      layers[i].setWeights(saved[i].map((w) => Float32Array.from(w)));
    }
  }

  const pick = new Random(s.seed);
  const { epsilon } = s;
  const report = layers.map((layer: Layer, i) => {
    const arrays: GradientComparison[] = [];
    saved[i].forEach((w, j) => {
      const name =
        j === 0 && saved[i].length === 2 ? 'kernel' : j === 1 && saved[i].length === 2 ? 'bias' : `weight ${j}`;
      arrays.push(
        compare(name, weightGrads[i][j], chooseIndices(w.length, s.maxChecks, pick), (k) => {
          const set = (v: number) => {
            const ws = saved[i].map((a) => Float32Array.from(a));
            ws[j][k] = v;
            layer.setWeights(ws);
          };
          // float32 rounds w ± ε; divide by the step actually taken.
          const hi = Math.fround(w[k] + epsilon),
            lo = Math.fround(w[k] - epsilon);
          set(hi);
          const up = meanLoss();
          set(lo);
          const down = meanLoss();
          layer.setWeights(saved[i].map((a) => Float32Array.from(a)));
          return (up - down) / (hi - lo);
        }),
      );
    });
    const width = inputs[i][0].length;
    const flat = new Float32Array(rows * width);
    inputGrads[i].forEach((g, r) => flat.set(g.subarray(0, width), r * width));
    arrays.push(
      compare('input', flat, chooseIndices(rows * width, s.maxChecks, pick), (k) => {
        const r = Math.floor(k / width);
        const input = Float32Array.from(inputs[i][r]);
        const keep = input[k % width];
        const hi = Math.fround(keep + epsilon),
          lo = Math.fround(keep - epsilon);
        input[k % width] = hi;
        const up = sampleLoss(r, i, input);
        input[k % width] = lo;
        const down = sampleLoss(r, i, input);
        return (up - down) / (hi - lo);
      }),
    );
    return layerReport(layer.name, (layer as { kind?: string }).kind ?? className(layer), arrays);
  });
  return finish(report, 'float32', epsilon, s.tolerance);
}
