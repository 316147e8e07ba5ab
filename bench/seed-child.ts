// The seed's Keras model in a fresh process, so that nothing else shares its memory: TF.js's wasm heap comes close
// to the 4 GiB of wasm32 with this model (in the main bench process, after the other sections, it aborts), and
// scratchnet's arena capacity then belongs to this model alone. Builds the model, trains a warm-up batch and
// `rounds` timed batches of 64 in one model.fit, and prints one JSON line: the rates by both clocks, and the memory.
//   npx tsx bench/seed-child.ts --lib scratchnet|tfjs [--rounds 4] [--threads 1]
import { resolveBackend } from '../src/backends/index.js';
import { setThreads } from '../src/index.js';
import { SEED_BATCH, SEED_FEATURES, seedData, snSeedModel, tfSeedModel } from './cases/seed-model.js';
import { stopwatch } from './lib/harness.js';
import { loadTfjs } from './lib/tfjs.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const lib = arg('lib') ?? 'scratchnet';
// scratchnet's threads (--threads, default 1: the one-thread row; the bench runs it again with N)
await setThreads(Number(arg('threads') ?? 1));
const rounds = Number(arg('rounds') ?? 4);
const MiB = 2 ** 20;
const mib = (b: number) => Math.round((b / MiB) * 10) / 10;
const samples = SEED_BATCH * (1 + rounds);
const data = seedData(samples);

/**
 * One model.fit call over warm-up + `rounds` batches of 64, timed batch by batch from its onBatchEnd callback (the
 * first batch, which also allocates the optimizer state, is the warm-up). One call, because TF.js's wasm heap does
 * not survive several: a second model.fit aborts near the 4 GiB limit.
 */
function batchClock() {
  const wall: number[] = [],
    cpu: number[] = [];
  let last: ReturnType<typeof stopwatch> | undefined;
  return {
    rates: { wall, cpu },
    /** call at the end of every batch */
    tick() {
      if (last) {
        const t = last();
        wall.push(SEED_BATCH / t.wall);
        cpu.push(SEED_BATCH / t.cpu);
      }
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
  const clock = batchClock();
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
  const rates = clock.rates;
  console.log(
    JSON.stringify({
      lib,
      params,
      rates,
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
    const rates = clock.rates;
    console.log(
      JSON.stringify({
        lib,
        params,
        rates,
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
