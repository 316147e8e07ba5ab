// A linear model's data and starting weights for comparing our optimizers' steps with TensorFlow.js's: 8 samples of
// 3 features → 2 outputs, mse. Small targets and inputs of mixed scale give gradients from ~1e-4 to ~1, so where an
// optimizer's epsilon sits (inside or outside the square root) shows in the result.
export const X = [
  [0.5, -1, 2],
  [1, 0.25, -0.5],
  [-2, 1, 0.1],
  [0.3, 0.3, 0.3],
  [1e-2, -3e-2, 2e-2],
  [1, -1, 1],
  [-0.7, 0.2, 0.9],
  [2, 2, -1],
];
export const Y = X.map(([a, b, c]) => [0.1 * a - 0.2 * b + 1e-3, 0.05 * c]);
/** the Dense(2) layer's starting kernel [3, 2] and bias */
export const KERNEL = [
  [0.2, -0.1],
  [0.05, 0.3],
  [-0.25, 0.1],
];
export const BIAS = [0.01, -0.02];
