/**
 * `benchmark()`: a short comparison of scratchnet's two backends on the machine it runs on (Node or a browser).
 * No Node imports and no other library: only the engine's own kernels and models, timed with `performance.now()`.
 */
import type { Backend, BackendName } from './backends/backend.js';
import { ready, resolveBackend } from './backends/index.js';
import { wasmSimdSupported } from './backends/wasm/index.js';
import { Dense } from './layers/dense.js';
import { Sequential } from './models/sequential.js';
import { checkOptions } from './util/options.js';
import { Random } from './util/random.js';

/** One measurement on both backends. Every value is a rate: higher is faster. */
export interface BenchmarkRow {
  name: string;
  /** the wasm backend's result; null where this engine cannot run WebAssembly SIMD */
  wasm: number | null;
  /** the JS backend's result */
  js: number;
  /** 'GFLOP/s' or 'samples/s' */
  unit: string;
  /** wasm / js: how many times faster the wasm backend is (null without wasm) */
  ratio: number | null;
}

export interface BenchmarkOptions {
  /** a smaller, faster run (well under a second of measuring): for tests and smoke checks */
  quick?: boolean;
  /** called with each row as soon as it is measured */
  onProgress?: (row: BenchmarkRow) => void;
}

interface Sizes {
  /** how long one timed sample of the matmul lasts, at least (ms) */
  matmulSampleMs: number;
  samples: number;
  trainSamples: number;
  predictSamples: number;
}

const DEFAULT: Sizes = { matmulSampleMs: 120, samples: 3, trainSamples: 2048, predictSamples: 4096 };
const QUICK: Sizes = { matmulSampleMs: 15, samples: 1, trainSamples: 256, predictSamples: 512 };

const now = (): number => globalThis.performance.now();

/** Give the event loop (and a page's rendering) a turn between measurements. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The median rate (work per second) of `samples` timed samples, each at least `minMs` long, after one untimed call.
 * `fn(reps)` does `reps` units of work and returns how much work that was.
 */
function rate(fn: (reps: number) => number, minMs: number, samples: number): number {
  fn(1); // warm-up: compiles the hot paths, allocates buffers
  let reps = 1;
  for (;;) {
    const t0 = now();
    fn(reps);
    const ms = now() - t0;
    if (ms >= minMs || reps >= 1 << 20) {
      reps = Math.max(1, Math.ceil((reps * minMs) / Math.max(ms, 1e-3)));
      break;
    }
    reps *= ms < minMs / 8 ? 8 : 2;
  }
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = now();
    const work = fn(reps);
    rates.push(work / ((now() - t0) / 1000));
  }
  return median(rates);
}

/** GFLOP/s of y[n,n] = x[n,n] · w[n,n] on the backend's arena. */
function matmulRate(backend: Backend, n: number, sizes: Sizes): number {
  const { arena, kernels } = backend;
  const size = n * n;
  const x = arena.alloc(size);
  const w = arena.alloc(size);
  const y = arena.alloc(size);
  try {
    const rng = new Random(1);
    const fillRandom = (ptr: number) => {
      const view = arena.f32(ptr, size);
      for (let i = 0; i < size; i++) view[i] = rng.uniform(-1, 1);
    };
    fillRandom(x);
    fillRandom(w);
    const flops = 2 * n * n * n;
    return rate((reps) => {
      for (let r = 0; r < reps; r++) kernels.matmul(x, w, y, n, n, n);
      return reps * flops;
    }, sizes.matmulSampleMs, sizes.samples) / 1e9;
  } finally {
    arena.free(y);
    arena.free(w);
    arena.free(x);
  }
}

const FEATURES = 64;
const CLASSES = 10;

/** A learnable synthetic set: each class is a random centre in FEATURES dimensions plus noise. */
function syntheticData(n: number, seed: number): { x: { data: Float32Array; shape: [number, number] }; y: Uint8Array } {
  const rng = new Random(seed);
  const centres = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => rng.normal()));
  const data = new Float32Array(n * FEATURES);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(CLASSES);
    y[i] = c;
    for (let j = 0; j < FEATURES; j++) data[i * FEATURES + j] = centres[c][j] + 0.5 * rng.normal();
  }
  return { x: { data, shape: [n, FEATURES] }, y };
}

/** The small MLP of the training and predict rows: 64 → 128 relu → 64 relu → 10 softmax, Adam. */
function smallMlp(backend: BackendName): Sequential {
  const model = new Sequential([
    new Dense(128, { inputShape: [FEATURES], activation: 'relu' }),
    new Dense(64, { activation: 'relu' }),
    new Dense(CLASSES, { activation: 'softmax' }),
  ], { seed: 1, backend });
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  return model;
}

const slice = (d: { x: { data: Float32Array }; y: Uint8Array }, n: number) => ({
  x: { data: d.x.data.subarray(0, n * FEATURES), shape: [n, FEATURES] as [number, number] },
  y: d.y.subarray(0, n),
});

/** samples/s of one training epoch (batch 32) and of predict, on one backend. */
async function modelRates(backend: BackendName, sizes: Sizes): Promise<{ train: number; predict: number }> {
  const data = syntheticData(Math.max(sizes.trainSamples, sizes.predictSamples), 7);
  const train = slice(data, sizes.trainSamples);
  const model = smallMlp(backend);
  try {
    // Warm-up on a few batches: compiles the hot paths and sizes the activation buffers for batch 32.
    const warm = slice(data, 64);
    await model.fit(warm.x, warm.y, { epochs: 1, batchSize: 32, verbose: 0 });
    const trainRates: number[] = [];
    for (let s = 0; s < sizes.samples; s++) {
      const t0 = now();
      await model.fit(train.x, train.y, { epochs: 1, batchSize: 32, verbose: 0 });
      trainRates.push(sizes.trainSamples / ((now() - t0) / 1000));
    }
    const pred = slice(data, sizes.predictSamples);
    model.predict(slice(data, 256).x);
    const predictRates: number[] = [];
    for (let s = 0; s < sizes.samples; s++) {
      const t0 = now();
      model.predict(pred.x);
      predictRates.push(sizes.predictSamples / ((now() - t0) / 1000));
    }
    return { train: median(trainRates), predict: median(predictRates) };
  } finally {
    model.dispose();
  }
}

function row(name: string, unit: string, wasm: number | null, js: number): BenchmarkRow {
  return { name, unit, wasm, js, ratio: wasm === null ? null : wasm / js };
}

/**
 * A short comparison of the wasm and JS backends on this machine: a 256×256 matmul (GFLOP/s), one training epoch
 * of a small MLP on synthetic data (samples/s), and predict throughput (samples/s). A few seconds by default,
 * well under one with `quick: true`. Rows carry `ratio` = wasm / js; `wasm` is null where WebAssembly SIMD is
 * missing. The numbers vary from run to run by a few percent; compare ratios rather than absolute values.
 */
export async function benchmark(options: BenchmarkOptions = {}): Promise<BenchmarkRow[]> {
  checkOptions(options, 'benchmark(options)', ['quick', 'onProgress']);
  const sizes = options.quick ? QUICK : DEFAULT;
  const hasWasm = wasmSimdSupported();
  // Browsers may refuse to compile the kernels synchronously on the main thread: compile them asynchronously first.
  if (hasWasm) await ready();
  const rows: BenchmarkRow[] = [];
  const emit = (r: BenchmarkRow) => {
    rows.push(r);
    options.onProgress?.(r);
  };

  const matmulJs = matmulRate(resolveBackend('js'), 256, sizes);
  await breathe();
  const matmulWasm = hasWasm ? matmulRate(resolveBackend('wasm'), 256, sizes) : null;
  emit(row('matmul 256×256·256×256', 'GFLOP/s', matmulWasm, matmulJs));
  await breathe();

  const js = await modelRates('js', sizes);
  await breathe();
  const wasm = hasWasm ? await modelRates('wasm', sizes) : null;
  emit(row(`train 1 epoch, MLP ${FEATURES}-128-64-${CLASSES}, Adam, batch 32 (${sizes.trainSamples} samples)`, 'samples/s', wasm?.train ?? null, js.train));
  emit(row(`predict ${sizes.predictSamples} samples, same MLP`, 'samples/s', wasm?.predict ?? null, js.predict));
  return rows;
}
