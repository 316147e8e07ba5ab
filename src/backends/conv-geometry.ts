/**
 * The numbers a convolution or pooling kernel takes (src/backends/kernels.ts), named: a layer computes them once when
 * it is built, checks them, sizes the conv scratch, and spreads them into the kernel calls:
 *
 *   const g = conv2dGeometry({ n, inH, inW, inC, kh, kw, outC, strideH, strideW, padding: 'same' });
 *   const scratch = arena.alloc(convScratchFloats(g));      // at build, or when a larger batch arrives
 *   kernels.conv2d(x, w, y, scratch, ...convArgs(g));
 *   kernels.addRowVector(y, b, g.n * g.outH * g.outW, g.outC); // the bias
 */

export type Padding = 'valid' | 'same';

/** x [n, inH, inW, inC] * w [kh, kw, inC, outC] → y [n, outH, outW, outC] */
export interface Conv2dGeometry {
  n: number;
  inH: number;
  inW: number;
  inC: number;
  kh: number;
  kw: number;
  outC: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** x [n, inH, inW, c] → y [n, outH, outW, c] over poolH × poolW windows */
export interface Pool2dGeometry {
  n: number;
  inH: number;
  inW: number;
  c: number;
  poolH: number;
  poolW: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/**
 * Keras's output size and leading pad along one axis. 'valid': out = ⌊(size − window) / stride⌋ + 1, no pad.
 * 'same': out = ⌈size / stride⌉ and the total pad max((out − 1)·stride + window − size, 0) is split with the smaller
 * half first (top/left), the extra one at the bottom/right, as TensorFlow does.
 */
export function padAxis(
  size: number,
  window: number,
  stride: number,
  padding: Padding,
): { out: number; padBefore: number } {
  if (padding === 'valid') return { out: size >= window ? Math.floor((size - window) / stride) + 1 : 0, padBefore: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + window - size, 0);
  return { out, padBefore: Math.floor(total / 2) };
}

function checkCounts(what: string, values: Record<string, number>, min: number): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${what}: ${name} must be an integer ≥ ${min}, got ${v}`);
  }
}

/** The geometry of a convolution from Keras's arguments (strides default 1); throws if the output would be empty. */
export function conv2dGeometry(a: {
  n: number;
  inH: number;
  inW: number;
  inC: number;
  kh: number;
  kw: number;
  outC: number;
  strideH?: number;
  strideW?: number;
  padding?: Padding;
}): Conv2dGeometry {
  const strideH = a.strideH ?? 1,
    strideW = a.strideW ?? 1,
    padding = a.padding ?? 'valid';
  checkCounts('conv2d', { inH: a.inH, inW: a.inW, inC: a.inC, kh: a.kh, kw: a.kw, outC: a.outC, strideH, strideW }, 1);
  const rows = padAxis(a.inH, a.kh, strideH, padding),
    cols = padAxis(a.inW, a.kw, strideW, padding);
  const g = {
    n: a.n,
    inH: a.inH,
    inW: a.inW,
    inC: a.inC,
    kh: a.kh,
    kw: a.kw,
    outC: a.outC,
    outH: rows.out,
    outW: cols.out,
    strideH,
    strideW,
    padTop: rows.padBefore,
    padLeft: cols.padBefore,
  };
  checkConv2dGeometry(g);
  return g;
}

/** The geometry of a pooling from Keras's arguments (strides default to the pool size, as in Keras). */
export function pool2dGeometry(a: {
  n: number;
  inH: number;
  inW: number;
  c: number;
  poolH: number;
  poolW: number;
  strideH?: number;
  strideW?: number;
  padding?: Padding;
}): Pool2dGeometry {
  const strideH = a.strideH ?? a.poolH,
    strideW = a.strideW ?? a.poolW,
    padding = a.padding ?? 'valid';
  checkCounts('pool2d', { inH: a.inH, inW: a.inW, c: a.c, poolH: a.poolH, poolW: a.poolW, strideH, strideW }, 1);
  const rows = padAxis(a.inH, a.poolH, strideH, padding),
    cols = padAxis(a.inW, a.poolW, strideW, padding);
  const g = {
    n: a.n,
    inH: a.inH,
    inW: a.inW,
    c: a.c,
    poolH: a.poolH,
    poolW: a.poolW,
    outH: rows.out,
    outW: cols.out,
    strideH,
    strideW,
    padTop: rows.padBefore,
    padLeft: cols.padBefore,
  };
  checkPool2dGeometry(g);
  return g;
}

/** Throws, naming the field, unless every size is a positive integer (n ≥ 0) and the output is not empty. */
export function checkConv2dGeometry(g: Conv2dGeometry): void {
  const { n, padTop, padLeft, ...sizes } = g;
  checkCounts('conv2d', { n }, 0);
  checkCounts('conv2d', { padTop, padLeft }, 0);
  if (sizes.outH < 1 || sizes.outW < 1) {
    throw new Error(
      `conv2d: a ${g.kh}×${g.kw} kernel does not fit a ${g.inH}×${g.inW} image with padding 'valid' ` +
        `(the output would be ${sizes.outH}×${sizes.outW}); use a smaller kernel or padding 'same'`,
    );
  }
  checkCounts('conv2d', sizes, 1);
}

/** As checkConv2dGeometry, and every window must hold an element of the image (padding never fills a window). */
export function checkPool2dGeometry(g: Pool2dGeometry): void {
  const { n, padTop, padLeft, ...sizes } = g;
  checkCounts('pool2d', { n }, 0);
  checkCounts('pool2d', { padTop, padLeft }, 0);
  if (sizes.outH < 1 || sizes.outW < 1) {
    throw new Error(
      `pool2d: a ${g.poolH}×${g.poolW} pool does not fit a ${g.inH}×${g.inW} image with padding 'valid' ` +
        `(the output would be ${sizes.outH}×${sizes.outW}); use a smaller pool or padding 'same'`,
    );
  }
  checkCounts('pool2d', sizes, 1);
  const empty =
    padTop >= g.poolH ||
    padLeft >= g.poolW ||
    (g.outH - 1) * g.strideH - padTop >= g.inH ||
    (g.outW - 1) * g.strideW - padLeft >= g.inW;
  if (empty)
    throw new Error(
      `pool2d: pads ${padTop}, ${padLeft} and output ${g.outH}×${g.outW} leave a window outside the image`,
    );
}

/** the numbers after the pointers of conv2d, conv2dBackwardInput and conv2dBackwardFilter, in their order */
export function convArgs(
  g: Conv2dGeometry,
): [number, number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.n, g.inH, g.inW, g.inC, g.kh, g.kw, g.outC, g.outH, g.outW, g.strideH, g.strideW, g.padTop, g.padLeft];
}

/** convArgs's tuple: the geometry a conv kernel takes after its pointers */
export type ConvArgs = ReturnType<typeof convArgs>;

/** the numbers after the pointers of maxPool, maxPoolBackward, avgPool and avgPoolBackward, in their order */
export function poolArgs(
  g: Pool2dGeometry,
): [number, number, number, number, number, number, number, number, number, number, number, number] {
  return [g.n, g.inH, g.inW, g.c, g.poolH, g.poolW, g.outH, g.outW, g.strideH, g.strideW, g.padTop, g.padLeft];
}

/**
 * Floats of patch matrix the wasm conv kernels build at once (assembly/conv.ts exports the same number:
 * test/backends/wasm-constants.test.ts compares them, and the conformance suite checks that no kernel writes past
 * convScratchFloats).
 */
export const CONV_BLOCK_FLOATS = 1 << 16;

/** conv2d's `activation` argument for relu after the bias (0: linear); assembly/conv.ts exports the same number */
export const CONV_RELU = 1;

/**
 * The scratch the three conv kernels need for this geometry, in floats: a block of R rows of the patch matrix,
 * R = min(n·outH·outW, max(4, ⌊CONV_BLOCK_FLOATS / K⌋ rounded down to a multiple of 4)), K = kh·kw·inC. It grows with
 * the batch only while n·outH·outW < R, so a layer reserving it for its largest batch never needs more.
 */
export function convScratchFloats(g: Conv2dGeometry): number {
  const K = g.kh * g.kw * g.inC,
    M = g.n * g.outH * g.outW;
  const R = Math.min(M, Math.max(4, Math.floor(CONV_BLOCK_FLOATS / Math.max(K, 1)) & ~3));
  return R * K;
}
