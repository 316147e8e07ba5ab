/**
 * `checkGradients(model, x, y)`: compare the analytic gradients of the loss (what backpropagation computes) with
 * central differences (f(w + ε) − f(w − ε)) / 2ε, and report the worst relative error per layer — for the weights and
 * for each layer's input — so that a custom layer or loss can be verified before training with it.
 *
 * A model of built-in layers (any Sequential; a Network of FCLayer/ActivationLayer/Dropout) is rebuilt on the JS
 * backend in float64 with its weights copied, where the check is precise (ε 1e-6; errors of 1e-8 are typical).
 * A Network with custom Layer subclasses is checked as it is, in float32, through the tutorial's
 * forwardPropagation/backwardPropagation (ε 1e-3; see check-gradients-layers.ts).
 */
import { createJsBackend } from '../backends/js/index.js';
import type { Ptr } from '../backends/kernels.js';
import { toMatrix, type DataInput } from '../data/inputs.js';
import type { Matrix } from '../data/matrix.js';
import { toLabels, toTargetRows, type LabelInput } from '../data/targets.js';
import { KernelLayer } from '../layers/kernel-layer.js';
import { className, kerasClassOf } from '../layers/registry.js';
import { computeLoss, type Loss } from '../losses/index.js';
import { fusedActivation } from '../losses/output-activation.js';
import { Engine, innerMode } from '../models/engine.js';
import { Network } from '../models/network.js';
import { Sequential } from '../models/sequential.js';
import type { Targets } from '../models/staging.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import { Random } from '../util/random.js';
import { checkLayerByLayer } from './layers.js';
import {
  chooseIndices,
  compare,
  finish,
  layerReport,
  type GradientCheckReport,
  type GradientComparison,
  type LayerGradientReport,
} from './report.js';

export type { GradientCheckReport, GradientComparison, LayerGradientReport } from './report.js';

/** Options of `checkGradients(model, x, y, options)`. */
export interface GradientCheckOptions {
  /** how many rows of x (and y) to use, from the start (default 8) */
  samples?: number;
  /** how many entries of each weight array and layer input to check, picked by a seeded generator (default 40; Infinity: all) */
  maxChecks?: number;
  /** the finite-difference step (default 1e-6 in float64, 1e-3 in float32) */
  epsilon?: number;
  /** the largest acceptable relative error (default 1e-6 in float64, 1e-2 in float32) */
  tolerance?: number;
  /** seed for picking the entries (default 1) */
  seed?: number;
}

/** Compare analytic and numerical gradients of `model`'s loss on (x, y). Changes nothing in the model. */
export function checkGradients(
  model: Sequential | Network,
  x: DataInput,
  y: LabelInput | DataInput,
  options: GradientCheckOptions = {},
): GradientCheckReport {
  if (!(model instanceof Sequential) && !(model instanceof Network))
    fail('checkGradients takes a Sequential or a Network');
  checkOptions(options, 'checkGradients(model, x, y, options): options', [
    'samples',
    'maxChecks',
    'epsilon',
    'tolerance',
    'seed',
  ]);
  const samples = options.samples ?? 8;
  if (!Number.isInteger(samples) || samples < 1)
    fail(`checkGradients: samples must be a positive integer, got ${samples}`);
  const maxChecks = options.maxChecks ?? 40;
  if (!(maxChecks >= 1)) fail(`checkGradients: maxChecks must be at least 1, got ${maxChecks}`);
  const seed = options.seed ?? 1;

  const { matrix: xAll, sampleShape } = toMatrix(x, 'x');
  const xs = takeRows(xAll, samples);
  const xsShaped = { data: xs.data, shape: [xs.shape[0], ...sampleShape] }; // building from it keeps the sample shape
  if (model instanceof Network) {
    const { loss } = model.internals;
    if (!loss) fail("checkGradients needs the network's loss: call use('mse') (or another loss) first");
    const yAll = toMatrix(y, 'y').matrix;
    if (yAll.shape[0] !== xAll.shape[0])
      fail(`x has ${xAll.shape[0]} samples but y has ${yAll.shape[0]}; they must match`);
    const ys = takeRows(yAll, samples);
    if (!model.layers.every((l) => l instanceof KernelLayer)) {
      return checkLayerByLayer(model, loss, xs, ys, {
        epsilon: options.epsilon ?? 1e-3,
        tolerance: options.tolerance ?? 1e-2,
        maxChecks,
        seed,
      });
    }
    model.predict(xsShaped); // builds it (and checks the shapes)
    const { engine } = model.internals;
    if (engine.outputSize !== ys.shape[1])
      fail(`y has ${ys.shape[1]} values per sample but the network outputs ${engine.outputSize}`);
    return checkFloat64(engine, loss, xs, { data: ys.data, cols: ys.shape[1] }, options, maxChecks, seed);
  }
  const { loss } = model.internals;
  if (!loss) fail('checkGradients needs the loss: compile the model first');
  model.predict(xsShaped); // builds it (and checks the shape)
  const { engine } = model.internals;
  const targets = loss.sparse
    ? toLabels(y, engine.outputSize, 'y')
    : toTargetRows(y, engine.outputSize, loss.name, 'y');
  const yRows = targets.data.length / targets.cols;
  if (yRows !== xAll.shape[0]) fail(`x has ${xAll.shape[0]} samples but y has ${yRows}; they must match`);
  const rows = xs.shape[0];
  return checkFloat64(
    engine,
    loss,
    xs,
    { data: targets.data.subarray(0, rows * targets.cols), cols: targets.cols },
    options,
    maxChecks,
    seed,
  );
}

function takeRows(m: Matrix, n: number): Matrix {
  const rows = Math.min(n, m.shape[0]);
  return { data: m.data.subarray(0, rows * m.shape[1]), shape: [rows, m.shape[1]] };
}

/** A generator whose uint32 draws are constant: dropout keeps one mask across the perturbed passes. */
class FrozenRandom extends Random {
  override nextUint32(): number {
    return 0x2545f491;
  }
}

/** A copy of a built-in layer, unbuilt, with the same settings: its registered class made from its config. */
function cloneLayer(layer: KernelLayer): KernelLayer {
  const cls = kerasClassOf(layer);
  if (!cls)
    fail(
      `checkGradients cannot copy layer '${layer.name}' (${className(layer)}) to float64: it is not a registered layer`,
    );
  const copy = cls.fromConfig(layer.getConfig());
  copy.initializeWeights = false; // the weights are copied in
  return copy;
}

function checkFloat64(
  source: Engine,
  loss: Loss,
  xs: Matrix,
  t: Targets,
  options: GradientCheckOptions,
  maxChecks: number,
  seed: number,
): GradientCheckReport {
  const epsilon = options.epsilon ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-6;
  const backend = createJsBackend({ precision: 'float64' });
  const engine = new Engine(backend, new FrozenRandom(1));
  for (const layer of source.layers) engine.add(cloneLayer(layer));
  engine.build(source.inputShape);
  engine.setWeights(source.getWeights());

  const [rows, cols] = xs.shape;
  const out = engine.outputSize;
  const a = backend.arena;
  engine.reserve(rows);
  const x = a.alloc(rows * cols);
  a.write(x, xs.data);
  const tp = a.alloc(rows * t.cols);
  a.write(tp, t.data);
  const dOut = a.alloc(rows * out);
  const probs = a.alloc(rows * out);
  const logits = fusedActivation(loss, engine.outputActivation()) !== undefined;
  const mode = { training: true, logits };
  const layers = engine.layers;
  // as Engine runs them: only the output layer leaves its softmax to the loss
  const modeOf = (i: number) => (i === layers.length - 1 ? mode : innerMode(mode));

  /** run layers from `from` on `input`, then the loss */
  const lossFrom = (from: number, input: Ptr): number => {
    let p = input;
    for (let i = from; i < layers.length; i++) p = layers[i].forward(p, rows, modeOf(i));
    return computeLoss(backend.kernels, a, loss, p, tp, dOut, rows, out, logits, probs);
  };

  // Analytic: one forward keeping each layer's input, then a backward that asks every layer for dE/dX.
  const inputs: Ptr[] = [x];
  let p = x;
  layers.forEach((layer, i) => inputs.push((p = layer.forward(p, rows, modeOf(i)))));
  computeLoss(backend.kernels, a, loss, p, tp, dOut, rows, out, logits, probs);
  const inputGrads: Float64Array[] = [];
  let g = dOut;
  for (let i = layers.length - 1; i >= 0; i--) {
    const size = rows * layers[i].inputSize;
    g = layers[i].backward(g, rows, true, modeOf(i));
    inputGrads[i] = Float64Array.from(a.f32(g, size));
  }
  const paramGrads = layers.map((l) => l.params().map((q) => Float64Array.from(a.f32(q.grad, q.size))));

  const pick = new Random(seed);
  const report: LayerGradientReport[] = layers.map((layer, i) => {
    const arrays: GradientComparison[] = [];
    layer.params().forEach((q, j) => {
      arrays.push(
        compare(q.name, paramGrads[i][j], chooseIndices(q.size, maxChecks, pick), (k) => {
          const view = () => a.f32(q.value, q.size);
          const keep = view()[k];
          view()[k] = keep + epsilon;
          const up = lossFrom(0, x);
          view()[k] = keep - epsilon;
          const down = lossFrom(0, x);
          view()[k] = keep;
          return (up - down) / (2 * epsilon);
        }),
      );
    });
    const size = rows * layer.inputSize;
    arrays.push(
      compare('input', inputGrads[i], chooseIndices(size, maxChecks, pick), (k) => {
        const view = () => a.f32(inputs[i], size);
        const keep = view()[k];
        view()[k] = keep + epsilon;
        const up = lossFrom(i, inputs[i]);
        view()[k] = keep - epsilon;
        const down = lossFrom(i, inputs[i]);
        view()[k] = keep;
        return (up - down) / (2 * epsilon);
      }),
    );
    return layerReport(layer.name, layer.kind, arrays);
  });
  return finish(report, 'float64', epsilon, tolerance);
}
