/**
 * `benchmark()`: a short comparison of scratchnet's two backends on the machine it runs on (Node or a browser).
 * No Node imports and no other library: only the engine's own kernels and models, timed with `performance.now()`.
 */
import type { Backend, BackendName } from '../backends/backend.js';
import { ready, resolveBackend } from '../backends/index.js';
import { wasmSimdSupported } from '../backends/wasm/index.js';
import { Dense } from '../layers/dense.js';
import { Sequential } from '../models/sequential.js';
import { checkOptions } from '../util/options.js';
import { Random } from '../util/random.js';
import { spread, timePair, type Clock, type Timed, type Work } from './timing.js';
import { getThreads, setThreadLimit } from '../backends/wasm/threads/settings.js';

/** One measurement on both backends. Every value is a rate: higher is faster. */
export interface BenchmarkRow {
  name: string;
  /** the wasm backend's result on one thread (the median of its samples); null where this engine cannot run
   *  WebAssembly SIMD */
  wasm: number | null;
  /** the threads the wasm backend uses (getThreads()); `wasmThreads` was measured with that many */
  threads: number;
  /** the wasm backend's result on `threads` threads; null with one thread or without wasm */
  wasmThreads: number | null;
  /** wasmThreads / wasm: the speed-up from the threads (null where wasmThreads is) */
  threadsRatio: number | null;
  /** the JS backend's result (the median of its samples) */
  js: number;
  /** 'GFLOP/s' or 'samples/s' */
  unit: string;
  /** wasm / js: how many times faster the wasm backend is (null without wasm) */
  ratio: number | null;
  /** the lowest and the highest wasm / js ratio of the samples taken back to back (null without wasm) */
  ratioRange: [number, number] | null;
  /**
   * true when either backend's samples spread by more than 25% of their median ((max − min) / median): something
   * else was using the machine (another program, a throttled background tab), so the figures are rough; run again.
   */
  noisy: boolean;
}

/** Options of `benchmark()`, which times the wasm and JS backends on this machine. */
export interface BenchmarkOptions {
  /** shorter samples (about 1.5 s in all on one thread, 2.5 s on two): for tests and smoke checks */
  quick?: boolean;
  /** called with each row as soon as it is measured */
  onProgress?: (row: BenchmarkRow) => void;
}

interface Sizes {
  /** every timed sample lasts at least this long (ms), whatever the timer's resolution */
  sampleMs: number;
  /** timed samples per backend and row, alternating between the backends */
  samples: number;
  trainSamples: number;
  predictSamples: number;
}

const DEFAULT: Sizes = { sampleMs: 100, samples: 5, trainSamples: 2048, predictSamples: 4096 };
// Quick: the same work per call, shorter samples. Before, one sample of one call (0.1 ms for predict on wasm) gave
// ratios from 2.3× to 3.0× in Node where the full run measured 13.9×, and 41× against 3.5× in Chromium.
const QUICK: Sizes = { sampleMs: 25, samples: 5, trainSamples: 256, predictSamples: 512 };

/** Above this spread of a backend's samples ((max − min) / median) a row is marked noisy. */
export const NOISY_SPREAD = 0.25;

const now: Clock = () => globalThis.performance.now();

/** Give the event loop (and a page's rendering) a turn between measurements. */
const breathe = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** A row from the timings of both backends (wasm null where it was not measured). */
export function rowOf(
  name: string,
  unit: string,
  timed: { a: Timed | null; b: Timed; ratios: number[] },
  scale = 1,
  threaded: { threads: number; timed: { a: Timed | null; b: Timed } | null } = { threads: 1, timed: null },
): BenchmarkRow {
  const { a: wasm, b: js, ratios } = timed;
  const many = threaded.timed?.a ?? null,
    one = threaded.timed?.b ?? null;
  return {
    name,
    unit,
    wasm: wasm ? wasm.median / scale : null,
    threads: threaded.threads,
    wasmThreads: many ? many.median / scale : null,
    threadsRatio: many && one ? many.median / one.median : null,
    js: js.median / scale,
    ratio: wasm ? wasm.median / js.median : null,
    ratioRange: wasm ? [Math.min(...ratios), Math.max(...ratios)] : null,
    noisy: spread(js) > NOISY_SPREAD || (wasm !== null && spread(wasm) > NOISY_SPREAD),
  };
}

/** y[n,n] = x[n,n] · w[n,n] on a backend's arena, as work for timePair (FLOPs); `free` releases its blocks. */
function matmulWork(backend: Backend, n: number): { work: Work; free: () => void } {
  const { arena, kernels } = backend;
  const size = n * n;
  const x = arena.alloc(size);
  const w = arena.alloc(size);
  const y = arena.alloc(size);
  const rng = new Random(1);
  const fillRandom = (ptr: number) => {
    const view = arena.f32(ptr, size);
    for (let i = 0; i < size; i++) view[i] = rng.uniform(-1, 1);
  };
  fillRandom(x);
  fillRandom(w);
  const flops = 2 * n * n * n;
  return {
    work: (reps) => {
      for (let r = 0; r < reps; r++) kernels.matmul(x, w, y, n, n, n);
      return reps * flops;
    },
    free: () => {
      arena.free(y);
      arena.free(w);
      arena.free(x);
    },
  };
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
  const model = new Sequential(
    [
      new Dense(128, { inputShape: [FEATURES], activation: 'relu' }),
      new Dense(64, { activation: 'relu' }),
      new Dense(CLASSES, { activation: 'softmax' }),
    ],
    { seed: 1, backend },
  );
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  return model;
}

const slice = (d: { x: { data: Float32Array }; y: Uint8Array }, n: number) => ({
  x: { data: d.x.data.subarray(0, n * FEATURES), shape: [n, FEATURES] as [number, number] },
  y: d.y.subarray(0, n),
});

/**
 * A short comparison of the wasm and JS backends on this machine: a 256×256 matmul (GFLOP/s), training the small
 * MLP on synthetic data (samples/s, batch 32) and predict (samples/s). Each row alternates samples of at least
 * 100 ms (25 ms with `quick: true`) between the backends, five each: about 5 s in all on one thread (quick: about
 * 1.5 s).
 * Rows carry the medians, `ratio` = wasm / js, the range of the ratio over the samples, and `noisy` when the
 * samples spread too much to trust; `wasm` is null where WebAssembly SIMD is missing. `wasm` is measured on one
 * thread; with several (getThreads() > 1) each row also times wasm on all of them against one thread, interleaved
 * (`wasmThreads`, `threadsRatio`), which makes the run about twice as long (on 2 cores in Node: 9.8 s, quick 2.5 s).
 */
export async function benchmark(options: BenchmarkOptions = {}): Promise<BenchmarkRow[]> {
  checkOptions(options, 'benchmark(options)', ['quick', 'onProgress']);
  const sizes = options.quick ? QUICK : DEFAULT;
  const hasWasm = wasmSimdSupported();
  // Browsers may refuse to compile the kernels synchronously on the main thread: compile them asynchronously first.
  if (hasWasm) await ready();
  const timing = { minMs: sizes.sampleMs, samples: sizes.samples, clock: now };
  const threads = hasWasm ? getThreads() : 1;
  /** wasm work on one thread, and on all of them (the pool stays up; only the calls' cap changes) */
  const onThreads =
    (n: number, work: Work): Work =>
    async (reps) => {
      setThreadLimit(n);
      try {
        return await work(reps);
      } finally {
        setThreadLimit(Infinity);
      }
    };
  /** one thread against JS, then all threads against one thread (when there are several) */
  const measureRow = async (name: string, unit: string, wasm: Work | null, js: Work, scale = 1) => {
    const pair = await timePair(wasm && onThreads(1, wasm), js, timing);
    const many = wasm && threads > 1 ? await timePair(onThreads(threads, wasm), onThreads(1, wasm), timing) : null;
    return rowOf(name, unit, pair, scale, { threads, timed: many });
  };
  const rows: BenchmarkRow[] = [];
  const emit = (r: BenchmarkRow) => {
    rows.push(r);
    options.onProgress?.(r);
  };

  const matmulJs = matmulWork(resolveBackend('js'), 256);
  const matmulWasm = hasWasm ? matmulWork(resolveBackend('wasm'), 256) : null;
  try {
    emit(await measureRow('matmul 256×256·256×256', 'GFLOP/s', matmulWasm?.work ?? null, matmulJs.work, 1e9));
  } finally {
    matmulJs.free();
    matmulWasm?.free();
  }
  await breathe();

  const data = syntheticData(Math.max(sizes.trainSamples, sizes.predictSamples), 7);
  const train = slice(data, sizes.trainSamples);
  const pred = slice(data, sizes.predictSamples);
  const models = { js: smallMlp('js'), wasm: hasWasm ? smallMlp('wasm') : null };
  try {
    const trainWork =
      (model: Sequential): Work =>
      async (reps) => {
        await model.fit(train.x, train.y, { epochs: reps, batchSize: 32, verbose: 0 });
        return reps * sizes.trainSamples;
      };
    const predictWork =
      (model: Sequential): Work =>
      (reps) => {
        for (let r = 0; r < reps; r++) model.predict(pred.x);
        return reps * sizes.predictSamples;
      };
    const wasmModel = models.wasm;
    emit(
      await measureRow(
        `train MLP ${FEATURES}-128-64-${CLASSES}, Adam, batch 32 (epochs of ${sizes.trainSamples} samples)`,
        'samples/s',
        wasmModel && trainWork(wasmModel),
        trainWork(models.js),
      ),
    );
    await breathe();
    emit(
      await measureRow(
        `predict ${sizes.predictSamples} samples, same MLP`,
        'samples/s',
        wasmModel && predictWork(wasmModel),
        predictWork(models.js),
      ),
    );
  } finally {
    models.js.dispose();
    models.wasm?.dispose();
  }
  return rows;
}
