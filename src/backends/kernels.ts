/**
 * The one contract both backends implement: `assembly/` (WebAssembly SIMD) and `src/backends/js/` (plain loops).
 *
 * Every argument is a number. A `Ptr` is a byte offset into the backend's arena (the wasm linear memory, or the JS
 * backend's ArrayBuffer); every array is contiguous, row-major float32 (int32 where stated), and starts on a 64-byte
 * boundary (ALIGN in allocator.ts). Callers also pass offsets inside a block (a batch's rows in the staged data), so a
 * kernel may assume only 4-byte alignment. Sizes count elements, never bytes. Kernels trust their arguments: every check happens in TypeScript before
 * a kernel runs. Kernels never allocate (the wasm matmul kernels pack panels in a fixed scratch region that lies below
 * the arena: assembly/lib/scratch.ts).
 *
 * Summation order: within one backend, matmul and matmulTransA sum every output over the reduction index in increasing
 * order, one rounded term at a time from +0, whatever the shape; matmulSkipZeros, matmulTransASkipZeros and
 * sgdOuterStep follow the same order, which is what makes them bit-identical to matmul, matmulTransA and
 * matmulTransA + sgdStep. Between backends, and for
 * matmulTransB, only the tolerances of docs/TESTING.md hold.
 *
 * Scalars (lr, alpha, eps, thresholds) are float32 on the wasm side: pass values that float32 holds exactly where
 * bit-identical results across backends matter. The cross-entropies clip to the float32 bounds [f32(eps), f32(1 − eps)]
 * (0.99999988 for eps = 1e-7), as Keras and TF.js do in float32. Label arrays hold integers (checked in TypeScript before any kernel).
 *
 * Elementwise kernels (activations and their backward, scale, mul, dropout) and softmax/softmaxBackward may run in
 * place (y == x, dx == dy): the layers rely on it. Other outputs must not overlap their inputs.
 */
export type Ptr = number;

export interface Kernels {
  // ---- linear algebra -------------------------------------------------------------------------------------------
  /** y[m,n] = x[m,k] · w[k,n] */
  matmul(x: Ptr, w: Ptr, y: Ptr, m: number, k: number, n: number): void;
  /** dx[m,k] = dy[m,n] · w[k,n]ᵀ  (the input gradient of a dense layer) */
  matmulTransB(dy: Ptr, w: Ptr, dx: Ptr, m: number, n: number, k: number): void;
  /** dw[k,n] = x[m,k]ᵀ · dy[m,n]  (the weight gradient of a dense layer) */
  matmulTransA(x: Ptr, dy: Ptr, dw: Ptr, m: number, k: number, n: number): void;
  /** y[m,n] = x[m,k] · w[k,n], leaving out every term whose x[i,p] is exactly 0 (±0), for inputs that are mostly
   *  zeros (MNIST pixels, relu outputs). Summed in matmul's order, so for finite w the result is bit-identical to
   *  matmul's. One row (m = 1) always skips; a batch skips only where it pays (SPARSE_SHARE, SPARSE_MIN_N below) and
   *  is otherwise computed by matmul. NOTE: where it skips, a NaN or ±Inf in w[p,:] facing x[i,p] == 0 is left out
   *  too (matmul: NaN). */
  matmulSkipZeros(x: Ptr, w: Ptr, y: Ptr, m: number, k: number, n: number): void;
  /** dw[k,n] = x[m,k]ᵀ · dy[m,n] leaving out every term whose x[i,p] is exactly 0: matmulTransA for a sparse x (the
   *  first layer on MNIST). Bit-identical to matmulTransA for finite dy. It skips only where that pays (SPARSE_SHARE,
   *  SPARSE_MIN_N) and is otherwise computed by matmulTransA. */
  matmulTransASkipZeros(x: Ptr, dy: Ptr, dw: Ptr, m: number, k: number, n: number): void;
  /** both gradients of a dense layer, dw = xᵀ·dz as matmulTransASkipZeros and dx = dz·wᵀ as matmulTransB, with
   *  their bits; the worker pool can then run the two side by side (docs/threads.md) */
  denseBackward(x: Ptr, dz: Ptr, w: Ptr, dw: Ptr, dx: Ptr, m: number, k: number, n: number): void;
  /** y[i,j] += b[j] for every row i (in place) */
  addRowVector(y: Ptr, b: Ptr, rows: number, cols: number): void;
  /** db[j] = Σ_i dy[i,j] */
  sumRows(dy: Ptr, db: Ptr, rows: number, cols: number): void;

  // ---- elementwise ------------------------------------------------------------------------------------------------
  /** x[i] = value */
  fill(x: Ptr, n: number, value: number): void;
  /** dst[i] = src[i] */
  copy(src: Ptr, dst: Ptr, n: number): void;
  /** x[i] *= alpha (in place) */
  scale(x: Ptr, n: number, alpha: number): void;
  /** out[i] = a[i] * b[i]  (out may be a or b) */
  mul(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  /** dst[r,:] = src[idx[r],:] for r < rows; idx is int32; copies rows of `cols` floats */
  gatherRows(src: Ptr, idx: Ptr, dst: Ptr, rows: number, cols: number): void;
  /** 1 if every x[i] is finite, else 0 */
  allFinite(x: Ptr, n: number): number;

  // ---- activations: forward y = f(x); backward dx = dy · f'(x) written from the forward OUTPUT y ------------------
  /** y = max(x, 0) */
  relu(x: Ptr, y: Ptr, n: number): void;
  /** dx = y > 0 ? dy : 0   (NOTE: the gradient at exactly x = 0 is 0) */
  reluBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  /** y = x > 0 ? x : alpha·x   (alpha ≥ 0) */
  leakyRelu(x: Ptr, y: Ptr, n: number, alpha: number): void;
  /** dx = y > 0 ? dy : alpha·dy */
  leakyReluBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number, alpha: number): void;
  /** y = 1 / (1 + e^(−x)) */
  sigmoid(x: Ptr, y: Ptr, n: number): void;
  /** dx = dy · y · (1 − y) */
  sigmoidBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  /** y = tanh(x) */
  tanh(x: Ptr, y: Ptr, n: number): void;
  /** dx = dy · (1 − y²) */
  tanhBackward(y: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  /** per row: y[i,j] = e^(x[i,j] − max_j x[i,:]) / Σ_j e^(x[i,j] − max_j x[i,:]) */
  softmax(x: Ptr, y: Ptr, rows: number, cols: number): void;
  /** per row: dx[i,j] = y[i,j] · (dy[i,j] − Σ_l y[i,l]·dy[i,l]) */
  softmaxBackward(y: Ptr, dy: Ptr, dx: Ptr, rows: number, cols: number): void;

  // ---- losses: return the loss, and write dy = ∂loss/∂(first argument) -------------------------------------------
  // `w`: per-row weights ([rows]; 0: none, every row 1), Keras's sample weights. Row i's loss and gradient are
  // multiplied by w[i] and the sum is still divided by the rows, not by Σ w (Keras's sum over batch size); a weight of
  // 1 changes no bit. The elementwise losses average over n = rows · cols values.
  /** loss = Σ w·(p − t)² / n ; dy = 2 (p − t)·w / n */
  mse(p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, w: Ptr): number;
  /** loss = Σ w·|p − t| / n ; dy = sign(p − t)·w / n  (sign(0) = 0) */
  mae(p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, w: Ptr): number;
  /** pc = clamp(p, eps, 1 − eps); loss = −Σ w·[t·ln pc + (1 − t)·ln(1 − pc)] / n ;
   *  dy = eps ≤ p ≤ 1 − eps ? (pc − t) / (pc (1 − pc))·w / n : 0  (the clip passes no gradient, as in Keras) */
  binaryCrossentropy(p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, eps: number, w: Ptr): number;
  /** on logits z: loss = Σ w·[max(z,0) − z·t + ln(1 + e^(−|z|))] / n ; dy = (σ(z) − t)·w / n */
  binaryCrossentropyFromLogits(z: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, w: Ptr): number;
  /** probabilities p, targets t [rows,cols], per row as Keras and TF.js: s = Σ_j p_j; q = p / s;
   *  qc = clamp(q, eps, 1 − eps); loss = −Σ w·t·ln qc / rows ; g_j = eps ≤ q_j ≤ 1 − eps ? −t_j / q_j : 0 ;
   *  dy_j = (g_j − Σ_l g_l·q_l) / s·w / rows  (the gradient through the normalisation; the clip passes none) */
  categoricalCrossentropy(p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, eps: number, w: Ptr): number;
  /** labels (float32 class indices) [rows], per row as Keras: pc = clamp(p, eps, 1 − eps); S = Σ_j pc_j;
   *  loss = Σ_i w_i·(ln S − ln pc[label_i]) / rows ;
   *  dy_j = eps ≤ p_j ≤ 1 − eps ? (1 / S − [j == label] / pc_j)·w / rows : 0
   *  (Keras clips, then normalises through log-softmax; TF.js clips once more after normalising) */
  sparseCategoricalCrossentropy(p: Ptr, labels: Ptr, dy: Ptr, rows: number, cols: number, eps: number, w: Ptr): number;
  /** fused softmax + categorical cross-entropy on logits z: probs = softmax(z) (written);
   *  loss = Σ_i w_i·Σ_j t[i,j]·(lse_i − z[i,j]) / rows ; dz[i,j] = (probs[i,j]·Σ_l t[i,l] − t[i,j])·w_i / rows */
  softmaxCrossentropy(z: Ptr, t: Ptr, probs: Ptr, dz: Ptr, rows: number, cols: number, w: Ptr): number;
  /** fused softmax + sparse categorical cross-entropy on logits z with float32 labels:
   *  probs = softmax(z) (written); loss = Σ_i w_i·(lse_i − z[i,label_i]) / rows ; dz = (probs − onehot(label))·w_i / rows */
  sparseSoftmaxCrossentropy(z: Ptr, labels: Ptr, probs: Ptr, dz: Ptr, rows: number, cols: number, w: Ptr): number;

  // ---- metrics: counts of correct rows ---------------------------------------------------------------------------
  /** number of rows i with argmax_j p[i,j] == labels[i] (labels float32; ties: the first maximum wins) */
  sparseAccuracyCount(p: Ptr, labels: Ptr, rows: number, cols: number): number;
  /** number of rows i with argmax_j p[i,j] == argmax_j t[i,j] (ties: the first maximum wins) */
  categoricalAccuracyCount(p: Ptr, t: Ptr, rows: number, cols: number): number;
  /** number of elements with (p[i] > threshold) == (t[i] > 0.5) */
  binaryAccuracyCount(p: Ptr, t: Ptr, n: number, threshold: number): number;
  /** number of rows i whose class labels[i] is in the top k of p[i,:]: fewer than k classes j have p[i,j] > p[i,label]
   *  (ties count as in, as tf.math.in_top_k does; a NaN p[i,label] or a label outside [0, cols) never does) */
  sparseTopKCount(p: Ptr, labels: Ptr, rows: number, cols: number, k: number): number;
  /** number of rows i whose class argmax_j t[i,j] (ties: the first maximum) is in the top k of p[i,:], as sparseTopKCount */
  categoricalTopKCount(p: Ptr, t: Ptr, rows: number, cols: number, k: number): number;

  // ---- regularisation ---------------------------------------------------------------------------------------------
  /** inverted dropout: u_i = uniform(seed, i) (see `uniformHash`); mask[i] = u_i >= rate ? 1/(1 − rate) : 0;
   *  y[i] = x[i] · mask[i]   (0 ≤ rate < 1; seed is a uint32) */
  dropout(x: Ptr, y: Ptr, mask: Ptr, n: number, rate: number, seed: number): void;

  // ---- convolution and pooling, channels-last (NHWC) -------------------------------------------------------------
  // x and dx [n, inH, inW, inC]; y and dy [n, outH, outW, outC]; conv filters w and dw [kh, kw, inC, outC] (Keras and
  // TF.js order). The window of output (oy, ox) starts at input row oy·strideH − padTop and column ox·strideW − padLeft;
  // the caller chooses outH/outW and the pads ('valid': pads 0; Keras 'same': the extra pad at the bottom/right, which
  // needs no argument): conv-geometry.ts computes them, `convArgs`/`poolArgs` spread them in this order, and
  // `convScratchFloats` sizes the scratch. y is a matrix [n·outH·outW, outC]: conv2d can add the bias and apply relu to
  // it (optional trailing arguments, the same bits as addRowVector and relu after it), and conv2dBackwardFilter can give
  // the bias's gradient (the bits of sumRows). The wasm kernels lower convolution to im2col + the packed matmul, building
  // the patch matrix a block of rows at a time in `scratch` (at least convScratchFloats floats; the JS backend
  // ignores it). conv2d and conv2dBackwardFilter give the bits of one matmul / matmulTransA over the whole patch
  // matrix, on both backends; every result is a fixed function of the shapes and inputs. Outputs never overlap inputs.
  /** y[b,oy,ox,o] = f(Σ_{ky,kx,ci} x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ci] · w[ky,kx,ci,o] + bias[o])
   *  (x outside: 0; `bias` 0 or left out: none; `activation` CONV_RELU (conv-geometry.ts): f = relu, 0 or left out:
   *  the identity). The bias and relu cost no extra pass over y: each block of rows takes them while in cache. With
   *  `pooled` (0 or left out: none), also max pooling of y into it, windows poolH × poolW with the same strides and no
   *  padding (Keras's default MaxPooling2D; a pool no larger than the output), the bits of maxPool on y: the wasm
   *  kernel pools each band of poolH output rows while it is in cache. */
  conv2d(
    x: Ptr,
    w: Ptr,
    y: Ptr,
    scratch: Ptr,
    n: number,
    inH: number,
    inW: number,
    inC: number,
    kh: number,
    kw: number,
    outC: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    bias?: Ptr,
    activation?: number,
    pooled?: Ptr,
    poolH?: number,
    poolW?: number,
  ): void;
  /** dx[b,iy,ix,ci] = Σ over the (b,oy,ox,ky,kx) that read x[b,iy,ix,ci] of Σ_o dy[b,oy,ox,o] · w[ky,kx,ci,o] */
  conv2dBackwardInput(
    dy: Ptr,
    w: Ptr,
    dx: Ptr,
    scratch: Ptr,
    n: number,
    inH: number,
    inW: number,
    inC: number,
    kh: number,
    kw: number,
    outC: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** dw[ky,kx,ci,o] = Σ_{b,oy,ox} x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, ci] · dy[b,oy,ox,o]  (x outside: 0);
   *  with `db` (0 or left out: none), also the bias's gradient db[o] = Σ_{b,oy,ox} dy[b,oy,ox,o], the bits of sumRows
   *  on dy: the wasm kernel sums it from each block of dy it reads for dw, so dy is read once for both. */
  conv2dBackwardFilter(
    x: Ptr,
    dy: Ptr,
    dw: Ptr,
    scratch: Ptr,
    n: number,
    inH: number,
    inW: number,
    inC: number,
    kh: number,
    kw: number,
    outC: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    db?: Ptr,
  ): void;
  /** both gradients of one convolution, dx as conv2dBackwardInput and dw (and db when db ≠ 0) as
   *  conv2dBackwardFilter, with their bits; the worker pool can then run the two together (docs/threads.md) */
  conv2dBackward(
    x: Ptr,
    dy: Ptr,
    w: Ptr,
    dx: Ptr,
    dw: Ptr,
    scratch: Ptr,
    n: number,
    inH: number,
    inW: number,
    inC: number,
    kh: number,
    kw: number,
    outC: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    db: Ptr,
  ): void;
  // Pooling keeps the channels (c in and out). A window is clipped to the image: padding never wins a max and an
  // average divides by the count of elements inside (Keras/TF 'same'). Every window must hold an element (pads smaller
  // than the pool). The wasm pooling kernels are bit-identical to the JS ones in float32. Global average pooling is
  // avgPool with the whole image as the window (pool = stride = inH×inW, out 1×1, pads 0).
  /** y[b,oy,ox,ch] = max over the window's elements inside the image (ties: the first in (ky, kx) order; NaN wins) */
  maxPool(
    x: Ptr,
    y: Ptr,
    n: number,
    inH: number,
    inW: number,
    c: number,
    poolH: number,
    poolW: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** dx = 0, then for every window and channel: dx[the element maxPool chose] += dy[b,oy,ox,ch] (the argmax is
   *  recomputed from the forward input x, with maxPool's rule: no index buffer to keep between the passes). With
   *  `relu` 1, only where that element is > 0: bit for bit reluBackward(x, ·) of the plain result, so when x is a
   *  relu's output, the layer below's relu gradient in the same pass. */
  maxPoolBackward(
    x: Ptr,
    dy: Ptr,
    dx: Ptr,
    n: number,
    inH: number,
    inW: number,
    c: number,
    poolH: number,
    poolW: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    relu?: number,
  ): void;
  /** y[b,oy,ox,ch] = (Σ over the window's elements inside the image, in (ky, kx) order) / (their count) */
  avgPool(
    x: Ptr,
    y: Ptr,
    n: number,
    inH: number,
    inW: number,
    c: number,
    poolH: number,
    poolW: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** dx = 0, then for every window and channel: each element inside the image gets dx += dy[b,oy,ox,ch] / count */
  avgPoolBackward(
    dy: Ptr,
    dx: Ptr,
    n: number,
    inH: number,
    inW: number,
    c: number,
    poolH: number,
    poolW: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
  ): void;
  // ---- initial weights, from the same counter-based generator (identical on both backends) ---------------------
  /** y[i] = lo + (hi − lo) · u_i with u_i = uniform(seed, i) (see `uniformHash`), computed in float64 and stored
   *  rounded (seed is a uint32) */
  randomUniform(y: Ptr, n: number, lo: number, hi: number, seed: number): void;
  /** y[i] = stddev · z_i, z_i a standard normal truncated to [−2, 2]: z_i = Φ⁻¹(Φ(−2) + v_i·(Φ(2) − Φ(−2))) with
   *  v_i = uniform(seed, i) + 2⁻²⁵ (the middle of its 2⁻²⁴ step), Φ⁻¹ = `normalQuantile`; in float64, stored rounded */
  truncatedNormal(y: Ptr, n: number, stddev: number, seed: number): void;

  // ---- optimizers: update param in place from grad. Optimizer state (v, m, ms) whose magnitude falls below the
  // smallest normal float32 (2⁻¹²⁶) is stored as 0 (NaN is kept): wasm has no flush-to-zero mode and subnormal
  // arithmetic is ~100× slower on x86; MNIST's always-zero pixels would otherwise sink Adam into it. ---------------------------------------------------------------
  /** param −= lr · grad */
  sgdStep(param: Ptr, grad: Ptr, n: number, lr: number): void;
  /** plain SGD fused with a dense layer's weight gradient, with no gradient buffer: w[k,n] −= lr · x[m,k]ᵀ · dy[m,n],
   *  leaving out every term whose x[i,p] is exactly 0 (rows of w facing only zeros are not touched). For finite dy,
   *  bit-identical to matmulTransA(x, dy, dw) followed by sgdStep(w, dw, k·n, lr). */
  sgdOuterStep(x: Ptr, dy: Ptr, w: Ptr, m: number, k: number, n: number, lr: number): void;
  /** Keras SGD with momentum: v = momentum·v − lr·grad; param += nesterov ? momentum·v − lr·grad : v */
  momentumStep(param: Ptr, grad: Ptr, velocity: Ptr, n: number, lr: number, momentum: number, nesterov: number): void;
  /** Keras Adam with the bias correction folded into lrT = lr·√(1−β2^t)/(1−β1^t):
   *  m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; param −= lrT · m / (√v + eps) */
  adamStep(
    param: Ptr,
    grad: Ptr,
    m: Ptr,
    v: Ptr,
    n: number,
    lrT: number,
    beta1: number,
    beta2: number,
    eps: number,
  ): void;
  /** RMSprop as Keras 3 and TF.js step it: ms = rho·ms + (1−rho)·g²; param −= lr · g / √(ms + eps) */
  rmspropStep(param: Ptr, grad: Ptr, ms: Ptr, n: number, lr: number, rho: number, eps: number): void;
}

/**
 * When the zero-skipping kernels skip on a batch: at most this share of x non-zero (NaN counts as non-zero), and at
 * least SPARSE_MIN_N outputs. Measured on the wasm kernels; assembly/sparse.ts holds its own copy of both numbers and
 * exports them, and test/backends/wasm-constants.test.ts checks that they equal these. The JS backend follows the
 * same rule, so both backends take the same path for the same data.
 */
export const SPARSE_SHARE = 0.3;
export const SPARSE_MIN_N = 32;

/** The names of every kernel, in one list, so that a backend can be checked for completeness. */
export const KERNEL_NAMES = [
  'matmul',
  'matmulTransB',
  'matmulTransA',
  'matmulSkipZeros',
  'matmulTransASkipZeros',
  'denseBackward',
  'addRowVector',
  'sumRows',
  'fill',
  'copy',
  'scale',
  'mul',
  'gatherRows',
  'allFinite',
  'relu',
  'reluBackward',
  'leakyRelu',
  'leakyReluBackward',
  'sigmoid',
  'sigmoidBackward',
  'tanh',
  'tanhBackward',
  'softmax',
  'softmaxBackward',
  'mse',
  'mae',
  'binaryCrossentropy',
  'binaryCrossentropyFromLogits',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'softmaxCrossentropy',
  'sparseSoftmaxCrossentropy',
  'sparseAccuracyCount',
  'categoricalAccuracyCount',
  'binaryAccuracyCount',
  'sparseTopKCount',
  'categoricalTopKCount',
  'dropout',
  'randomUniform',
  'truncatedNormal',
  'conv2d',
  'conv2dBackwardInput',
  'conv2dBackwardFilter',
  'conv2dBackward',
  'maxPool',
  'maxPoolBackward',
  'avgPool',
  'avgPoolBackward',
  'sgdStep',
  'sgdOuterStep',
  'momentumStep',
  'adamStep',
  'rmspropStep',
] as const satisfies readonly (keyof Kernels)[];

/**
 * The dropout generator, shared by both backends so that their masks are identical: a counter-based hash of
 * (seed, i) mapped to [0, 1) with 24 bits. Both implementations compute it with 32-bit integer arithmetic:
 *   h = (seed ^ (i · 0x9E3779B9)) >>> 0
 *   h ^= h >>> 16; h = h · 0x85EBCA6B; h ^= h >>> 13; h = h · 0xC2B2AE35; h ^= h >>> 16   (all mod 2³²)
 *   u = (h >>> 8) / 2²⁴
 */
export function uniformHash(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 8) / 16777216;
}

/** Φ(−2), the standard normal's mass below −2, and Φ(2) − Φ(−2): truncatedNormal maps u ∈ (0, 1) onto this range. */
export const TRUNCATED_NORMAL_P_LOW = 0.02275013194817921;
export const TRUNCATED_NORMAL_P_SPAN = 0.9544997361036416;

/**
 * ln x for 0 < x < 1 with nothing but +, −, ×, ÷ in float64, so that both backends get the same bits (Math.log is
 * implementation-defined in JS; assembly/random.ts repeats these exact steps): x = m·2^e with m in [√½, √2),
 * ln m = 2·atanh(s) = 2·(s + s³/3 + … + s²¹/21) with s = (m − 1)/(m + 1), |s| ≤ 0.172 (error below 1e-16).
 */
export function naturalLog(x: number): number {
  let e = 0;
  while (x < 0.7071067811865476) {
    x *= 2;
    e++;
  }
  const s = (x - 1) / (x + 1),
    s2 = s * s;
  let sum = 1 / 21;
  for (let k = 19; k >= 1; k -= 2) sum = sum * s2 + 1 / k;
  return 2 * s * sum - e * 0.6931471805599453;
}

/**
 * The standard normal quantile Φ⁻¹(p) for 0.0227 ≤ p ≤ 0.9773 (|z| ≤ 2), Wichura's algorithm AS 241 (PPND16,
 * relative error about 1e-16), with `naturalLog` for its tail branch so that both backends get the same bits.
 */
export function normalQuantile(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
          45921.953931549871457) *
          r +
          13731.693765509461125) *
          r +
          1971.5909503065514427) *
          r +
          133.14166789178437745) *
          r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r +
        21213.794301586595867) *
        r +
        5394.1960214247511077) *
        r +
        687.1870074920579083) *
        r +
        42.313330701600911252) *
        r +
        1)
    );
  }
  // |z| > 1.44 here; beyond |z| = 2 (never asked for) AS 241's further branch for r > 5 would be needed
  const r = Math.sqrt(-naturalLog(q < 0 ? p : 1 - p)) - 1.6;
  const z =
    (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
      1.27045825245236838258) *
      r +
      3.64784832476320460504) *
      r +
      5.7694972214606914055) *
      r +
      4.6303378461565452959) *
      r +
      1.42343711074968357734) /
    (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
      0.14810397642748007459) *
      r +
      0.68976733498510000455) *
      r +
      1.6763848301838038494) *
      r +
      2.05319162663775882187) *
      r +
      1);
  return q < 0 ? -z : z;
}
