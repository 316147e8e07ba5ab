// The seed's Keras model in a fresh process, so that nothing else shares its memory: TF.js's wasm heap comes close
// to the 4 GiB of wasm32 with this model (in the main bench process, after the other sections, it aborts), and
// scratchnet's arena capacity then belongs to this model alone. Builds the model, trains a warm-up batch and
// `rounds` timed batches of 64 in one model.fit, and prints one JSON line: the rates by both clocks, and the memory.
//   npx tsx bench/seed-child.ts --lib scratchnet|tfjs [--rounds 4] [--threads 1 [--interleave]]
import { resolveBackend } from '../src/backends/index.js';
import { setThreads } from '../src/index.js';
import { setThreadLimit } from '../src/backends/wasm/threads/settings.js';
import { SEED_BATCH, SEED_FEATURES, seedData, snSeedModel, tfSeedModel } from './cases/seed-model.js';
import { stopwatch } from './lib/harness.js';
import { loadTfjs } from './lib/tfjs.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const lib = arg('lib') ?? 'scratchnet';
// scratchnet's threads (--threads, default 1). With --interleave and N > 1 the timed batches alternate between one
// thread and N (setThreadLimit, the pool staying up), in pairs whose order turns every round as the harness rotates
// its subjects, so that both rows come from the same minutes of the same process: run one after the other, a change
// of the machine's speed between the two processes moved the ratio by ±20%.
const threads = Number(arg('threads') ?? 1);
const interleave = threads > 1 && process.argv.includes('--interleave');
await setThreads(threads);
const rounds = Number(arg('rounds') ?? 4);
/** the thread count of each timed batch, in order */
const plan: number[] = [];
for (let r = 0; r < rounds; r++) plan.push(...(!interleave ? [threads] : r % 2 ? [threads, 1] : [1, threads]));
/** untimed batches first: the one that allocates the optimizer state (on N threads), and with --interleave one on one
 *  thread, so that both ways' code is compiled before the first timed batch (without it, that batch ran at half speed) */
const WARMUPS = interleave ? 2 : 1;
const MiB = 2 ** 20;
const mib = (b: number) => Math.round((b / MiB) * 10) / 10;
const samples = SEED_BATCH * (WARMUPS + plan.length);
const data = seedData(samples);

/**
 * One model.fit call over warm-up + `rounds` batches of 64, timed batch by batch from its onBatchEnd callback (the
 * first batch, which also allocates the optimizer state, is the warm-up). One call, because TF.js's wasm heap does
 * not survive several: a second model.fit aborts near the 4 GiB limit.
 */
function batchClock(onThreads?: (n: number) => void) {
  /** per thread count: the rates of its timed batches */
  const byThreads = new Map<number, { wall: number[]; cpu: number[] }>();
  let last: ReturnType<typeof stopwatch> | undefined;
  let ended = 0;
  return {
    rates: (n: number) => byThreads.get(n) ?? { wall: [], cpu: [] },
    /** call at the end of every batch: records the batch just ended, and sets the thread count of the next */
    tick() {
      ended++;
      if (ended > WARMUPS && last) {
        const t = last();
        const n = plan[ended - WARMUPS - 1];
        if (!byThreads.has(n)) byThreads.set(n, { wall: [], cpu: [] });
        byThreads.get(n)!.wall.push(SEED_BATCH / t.wall);
        byThreads.get(n)!.cpu.push(SEED_BATCH / t.cpu);
      }
      const next = ended - WARMUPS; // the next batch's place in the plan; below 0, a warm-up (on one thread)
      if (next < plan.length) onThreads?.(next < 0 ? 1 : plan[next]);
      last = stopwatch();
    },
  };
}

if (lib === 'scratchnet') {
  const arena = resolveBackend('wasm').arena;
  const model = snSeedModel('wasm');
  model.build(SEED_FEATURES);
  const params = model.countParams();
  const afterBuild = arena.bytesInUse;
  let peak = arena.bytesInUse;
  const clock = batchClock(setThreadLimit);
  await model.fit({ data: data.x, shape: [samples, SEED_FEATURES] }, data.y, {
    epochs: 1,
    batchSize: SEED_BATCH,
    verbose: 0,
    callbacks: {
      onBatchEnd: () => {
        clock.tick();
        peak = Math.max(peak, arena.bytesInUse);
      },
    },
  });
  console.log(
    JSON.stringify({
      lib,
      params,
      rates: clock.rates(interleave ? 1 : threads),
      ...(interleave ? { ratesN: clock.rates(threads) } : {}),
      afterBuildBytesInUseMiB: mib(afterBuild),
      peakBytesInUseMiB: mib(peak),
      capacityMiB: mib(arena.capacity),
      paramBytesMiB: mib(params * 4),
      rssMiB: mib(process.memoryUsage().rss),
    }),
  );
} else {
  const status = await loadTfjs();
  const tf = status.tf;
  if (!tf || !status.backends.includes('wasm')) {
    console.log(JSON.stringify({ lib, error: status.errors.import ?? status.errors.wasm }));
  } else {
    await tf.setBackend('wasm');
    const heap = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const model = tfSeedModel(tf);
    const params = model.countParams();
    const x = tf.tensor2d(data.x, [samples, SEED_FEATURES]);
    const y = tf.tensor1d(Float32Array.from(data.y));
    let peakTensorBytes = tf.memory().numBytes;
    const clock = batchClock();
    await model.fit(x, y, {
      batchSize: SEED_BATCH,
      epochs: 1,
      verbose: 0,
      callbacks: {
        onBatchEnd: async () => {
          clock.tick();
          peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
        },
      },
    });
    console.log(
      JSON.stringify({
        lib,
        params,
        rates: clock.rates(threads),
        peakTensorBytesMiB: mib(peakTensorBytes),
        heapMiB: mib(heap()),
        paramBytesMiB: mib(params * 4),
        rssMiB: mib(process.memoryUsage().rss),
      }),
    );
  }
  // TF.js's Emscripten module keeps handles open
  process.exit(0);
}
