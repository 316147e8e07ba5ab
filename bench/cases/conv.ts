/**
 * The convolution kernels in GFLOP/s (2 × multiply-adds, padding terms included) on the two conv layers of the Keras
 * MNIST convnet at batch 64, wasm and JS: forward (conv2d), input gradient (conv2dBackwardInput) and filter gradient
 * (conv2dBackwardFilter), beside the SIMD128 ceiling (bench/ceiling/sgemm.ts, the plain packed sgemm of the
 * performance issue) on a 512² square (its best) and on the layer's forward product [n·outH·outW, kh·kw·inC] ·
 * [kh·kw·inC, outC], the latter timed in the same rounds as the kernels. `npm run bench`'s cnn section (cases/cnn.ts)
 * times the same kernels inside training and reuses this file's flop count; this file times them alone:
 *
 *   npx tsx bench/cases/conv.ts            # 5 rounds of ≥ 0.3 s per kernel and backend
 *   npx tsx bench/cases/conv.ts --quick    # 3 short rounds
 *   npx tsx bench/cases/conv.ts --no-js    # the wasm kernels only (not `--wasm`: asc reads that flag from argv)
 *
 * Subjects are timed in rounds with the order rotated every round (A/B/A/B), and the median round is printed.
 */
import type { Backend } from '../../src/backends/backend.js';
import { conv2dGeometry, convArgs, convScratchFloats, type Conv2dGeometry } from '../../src/backends/conv-geometry.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { ceilingMatmul } from '../lib/ceiling.js';

export const MNIST_CONV_LAYERS: { name: string; geometry: Conv2dGeometry }[] = [
  {
    name: 'conv 1: 28×28×1 → 26×26×32, 3×3',
    geometry: conv2dGeometry({ n: 64, inH: 28, inW: 28, inC: 1, kh: 3, kw: 3, outC: 32 }),
  },
  {
    name: 'conv 2: 13×13×32 → 11×11×64, 3×3',
    geometry: conv2dGeometry({ n: 64, inH: 13, inW: 13, inC: 32, kh: 3, kw: 3, outC: 64 }),
  },
];

export type ConvKernel = 'conv2d' | 'conv2dBackwardInput' | 'conv2dBackwardFilter';
export const CONV_KERNELS: ConvKernel[] = ['conv2d', 'conv2dBackwardInput', 'conv2dBackwardFilter'];

/** multiply-adds × 2 of one call (the same count for all three kernels) */
export const convFlops = (g: Conv2dGeometry) => 2 * g.n * g.outH * g.outW * g.outC * g.kh * g.kw * g.inC;

/** seeded uniforms in [−1, 1) */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** One kernel on one backend, its operands in the arena: returns a function doing one call. */
export function convCall(backend: Backend, kernel: ConvKernel, g: Conv2dGeometry): () => void {
  const { arena, kernels } = backend;
  const xs = g.n * g.inH * g.inW * g.inC,
    ws = g.kh * g.kw * g.inC * g.outC,
    ys = g.n * g.outH * g.outW * g.outC;
  const x = arena.alloc(xs),
    w = arena.alloc(ws),
    y = arena.alloc(ys),
    scratch = arena.alloc(convScratchFloats(g));
  arena.write(x, values(xs, 1));
  arena.write(w, values(ws, 2));
  arena.write(y, values(ys, 3));
  const args = convArgs(g);
  if (kernel === 'conv2d') return () => kernels.conv2d(x, w, y, scratch, ...args);
  if (kernel === 'conv2dBackwardInput') return () => kernels.conv2dBackwardInput(y, w, x, scratch, ...args);
  return () => kernels.conv2dBackwardFilter(x, y, w, scratch, ...args);
}

interface Timed {
  label: string;
  call: () => void;
  reps: number;
  rates: number[];
}

/** one sgemm of the ceiling kernel on this layer's forward product */
async function ceilingCall(g: Conv2dGeometry): Promise<() => void> {
  const trial = await ceilingMatmul(g.n * g.outH * g.outW, g.kh * g.kw * g.inC, g.outC);
  return () => void trial.run(1);
}

/** calls per sample so that one sample lasts about `seconds` */
function calibrate(call: () => void, seconds: number): number {
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) call();
    const elapsed = (performance.now() - t) / 1000;
    if (elapsed >= seconds / 4) return Math.max(1, Math.ceil((reps * seconds) / elapsed));
    reps *= 4;
  }
}

const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

export async function benchConv(
  options: { rounds?: number; seconds?: number; wasmOnly?: boolean; log?: (line: string) => void } = {},
): Promise<string[]> {
  const rounds = options.rounds ?? 5,
    seconds = options.seconds ?? 0.3,
    log = options.log ?? console.log;
  const backends: [string, Backend][] = [['wasm', createWasmBackend()]];
  if (!options.wasmOnly) backends.push(['js', createJsBackend()]);
  const lines: string[] = [];
  // the headline ceiling: the same sgemm on a 512² square, where it runs at its best
  const square = await ceilingMatmul(512, 512, 512),
    squareCall = () => void square.run(1);
  squareCall();
  const squareReps = calibrate(squareCall, seconds),
    squareRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t = performance.now();
    for (let r = 0; r < squareReps; r++) squareCall();
    squareRates.push((squareReps * 2 * 512 ** 3) / ((performance.now() - t) / 1000));
  }
  const headline = `SIMD128 ceiling (sgemm 512×512·512×512): ${(median(squareRates) / 1e9).toFixed(2)} GFLOP/s`;
  log(headline);
  lines.push(headline);
  for (const { name, geometry } of MNIST_CONV_LAYERS) {
    const flops = convFlops(geometry);
    const subjects: Timed[] = [];
    const ceiling = await ceilingCall(geometry);
    ceiling();
    subjects.push({ label: 'ceiling sgemm, this shape', call: ceiling, reps: calibrate(ceiling, seconds), rates: [] });
    for (const kernel of CONV_KERNELS) {
      for (const [backendName, backend] of backends) {
        const call = convCall(backend, kernel, geometry);
        call(); // warm-up
        subjects.push({ label: `${kernel} ${backendName}`, call, reps: calibrate(call, seconds), rates: [] });
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < subjects.length; i++) {
        const s = subjects[(i + round) % subjects.length];
        const t = performance.now();
        for (let r = 0; r < s.reps; r++) s.call();
        s.rates.push((s.reps * flops) / ((performance.now() - t) / 1000));
      }
    }
    const header = `${name}, batch ${geometry.n} (${(flops / 1e6).toFixed(1)} MFLOP per call)`;
    log(header);
    lines.push(header);
    for (const s of subjects) {
      const line = `  ${s.label.padEnd(28)} ${(median(s.rates) / 1e9).toFixed(2).padStart(7)} GFLOP/s`;
      log(line);
      lines.push(line);
    }
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick'),
    wasmOnly = process.argv.includes('--no-js');
  await benchConv({ ...(quick ? { rounds: 3, seconds: 0.1 } : {}), wasmOnly });
}
