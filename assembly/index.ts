// The wasm interface: every kernel of src/backends/kernels.ts (KERNEL_NAMES), with the same names and parameter
// order. Pointers are usize byte offsets, sizes i32, scalars f32; losses return f64, counts i32. Exceptions: the
// dropout rate is f64 (for masks bit-identical to JS), its seed u32, the scalars of randomUniform and
// truncatedNormal f64 and their seeds u32 (for weights bit-identical to JS), and momentumStep's nesterov flag i32 (0 or 1).

import { scratchEnd } from './scratch';

export { matmul, matmulTransB, matmulTransA, matmulSkipZeros, matmulTransASkipZeros, sgdOuterStep } from './matmul';
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
export { randomUniform, truncatedNormal } from './random';
export { sgdStep, momentumStep, adamStep, rmspropStep } from './optimizers';

/** the first byte after the module's static data and the matmul scratch (scratch.ts): the arena starts here */
export function heapBase(): usize {
  return scratchEnd();
}
