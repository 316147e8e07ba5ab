// The wasm interface: every kernel of src/backends/kernels.ts (KERNEL_NAMES), with the same names and parameter
// order. Pointers are usize byte offsets, sizes i32, scalars f32; losses return f64, counts i32. Exceptions: the
// dropout rate is f64 (for masks bit-identical to JS), its seed u32, the scalars of randomUniform and
// truncatedNormal f64 and their seeds u32 (for weights bit-identical to JS), and momentumStep's nesterov flag i32 (0 or 1).

import { scratchEnd, SCRATCH_BYTES } from './lib/scratch';

export { matmul, matmulTransB, matmulTransA } from './matmul';
export { matmulSkipZeros, matmulTransASkipZeros, sgdOuterStep } from './sparse';
export { addRowVector, sumRows, fill, copy, scale, mul, gatherRows, allFinite } from './elementwise';
export {
  relu, reluBackward, leakyRelu, leakyReluBackward, sigmoid, sigmoidBackward, tanh, tanhBackward,
  softmax, softmaxBackward,
} from './activations';
export {
  mse, mae, binaryCrossentropy, binaryCrossentropyFromLogits, categoricalCrossentropy,
  sparseCategoricalCrossentropy, softmaxCrossentropy, sparseSoftmaxCrossentropy,
} from './losses';
export { sparseAccuracyCount, categoricalAccuracyCount, binaryAccuracyCount, sparseTopKCount, categoricalTopKCount } from './metrics';
export { dropout } from './dropout';
export { conv2d, conv2dBackwardInput, conv2dBackwardFilter, conv2dBackward } from './conv';
export { maxPool, maxPoolBackward, avgPool, avgPoolBackward } from './pool';
export { denseBackward } from './dense';
export { randomUniform, truncatedNormal } from './random';
export { sgdStep, momentumStep, adamStep, rmspropStep } from './optimizers';
// Not kernels: the zero-skipping rule's two numbers and the conv patch-matrix block (globals), compared with
// src/backends/kernels.ts and src/backends/conv-geometry.ts by a test.
export { SPARSE_SHARE, SPARSE_MIN_N } from './sparse';
export { CONV_BLOCK_FLOATS, CONV_RELU } from './conv';

// Not kernels: for the worker pool (src/backends/wasm/threads/), each instance's own matmul scratch, the width of the
// packed product's slabs of B (the pool cuts wide products at them, compared with threads/split.ts by a test), and
// the blocks of rows or columns of a product that the pool hands to each thread.
export { setScratch, NC as MATMUL_SLAB_COLUMNS } from './lib/scratch';
export { matmulTransARows, matmulCols, matmulTransBCols } from './matmul';
export { conv2dRows, conv2dBackwardFilterRows, conv2dBackwardFilterBlock, convWindowsInside, conv2dBackwardStage } from './conv';
export { matmulTransASkipZerosRows, matmulSkipZerosCols, matmulSkipZerosStage, skipsZeros } from './sparse';
export { denseBackwardPart } from './dense';

/** bytes of one matmul scratch region: what a worker's `setScratch` block must hold */
export function scratchBytes(): usize {
  return SCRATCH_BYTES;
}

/** the first byte after the module's static data and the matmul scratch (lib/scratch.ts): the arena starts here */
export function heapBase(): usize {
  return scratchEnd();
}
