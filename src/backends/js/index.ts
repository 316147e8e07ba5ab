import type { Backend } from '../backend.js';
import type { Kernels } from '../kernels.js';
import {
  relu,
  reluBackward,
  leakyRelu,
  leakyReluBackward,
  sigmoid,
  sigmoidBackward,
  tanh,
  tanhBackward,
  softmax,
  softmaxBackward,
} from './activations.js';
import { JsArena, type JsHeap } from './arena.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardFilter, conv2dBackward } from './conv.js';
import { dropout } from './dropout.js';
import { randomUniform, truncatedNormal } from './random.js';
import { addRowVector, sumRows, fill, copy, scale, mul, gatherRows, allFinite } from './elementwise.js';
import {
  mse,
  mae,
  binaryCrossentropy,
  binaryCrossentropyFromLogits,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  softmaxCrossentropy,
  sparseSoftmaxCrossentropy,
} from './losses.js';
import { matmul, matmulTransB, matmulTransA } from './matmul.js';
import { matmulSkipZeros, matmulTransASkipZeros, sgdOuterStep } from './sparse.js';
import { denseBackward } from './dense.js';
import {
  sparseAccuracyCount,
  categoricalAccuracyCount,
  binaryAccuracyCount,
  sparseTopKCount,
  categoricalTopKCount,
} from './metrics.js';
import { sgdStep, momentumStep, adamStep, rmspropStep } from './optimizers.js';
import { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './pool.js';

/** A kernel of the contract taking the heap as its first argument. */
type OnHeap<F> = F extends (...args: infer A) => infer R ? (h: JsHeap, ...args: A) => R : never;

/** Every kernel of the contract, typed against it: a missing, extra or mistyped kernel does not compile. */
const heapKernels: { [K in keyof Kernels]: OnHeap<Kernels[K]> } = {
  matmul,
  matmulTransB,
  matmulTransA,
  matmulSkipZeros,
  matmulTransASkipZeros,
  denseBackward,
  addRowVector,
  sumRows,
  fill,
  copy,
  scale,
  mul,
  gatherRows,
  allFinite,
  relu,
  reluBackward,
  leakyRelu,
  leakyReluBackward,
  sigmoid,
  sigmoidBackward,
  tanh,
  tanhBackward,
  softmax,
  softmaxBackward,
  mse,
  mae,
  binaryCrossentropy,
  binaryCrossentropyFromLogits,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  softmaxCrossentropy,
  sparseSoftmaxCrossentropy,
  sparseAccuracyCount,
  categoricalAccuracyCount,
  binaryAccuracyCount,
  sparseTopKCount,
  categoricalTopKCount,
  dropout,
  randomUniform,
  truncatedNormal,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardFilter,
  conv2dBackward,
  maxPool,
  maxPoolBackward,
  avgPool,
  avgPoolBackward,
  sgdStep,
  sgdOuterStep,
  momentumStep,
  adamStep,
  rmspropStep,
};

export interface JsBackendOptions {
  /** 'float64' keeps every number in double precision: for gradient checks, not for training. */
  precision?: 'float32' | 'float64';
}

/** The plain-loop backend: the readable spec of every kernel, over an ArrayBuffer arena laid out like wasm memory. */
export function createJsBackend(options: JsBackendOptions = {}): Backend {
  const arena = new JsArena(options.precision ?? 'float32');
  // Read arena.heap at each call, never once here: growth replaces the heap.
  return { name: 'js', kernels: kernelsOn(() => arena.heap), arena };
}

/** Every kernel over the heap that `heap()` returns at the moment of each call. */
export function kernelsOn(heap: () => JsHeap): Kernels {
  const kernels: Record<string, (...args: number[]) => number | void> = {};
  for (const name of Object.keys(heapKernels) as (keyof Kernels)[]) {
    const kernel = heapKernels[name] as (h: JsHeap, ...args: number[]) => number | void;
    kernels[name] = (...args) => kernel(heap(), ...args);
  }
  return kernels as unknown as Kernels;
}
