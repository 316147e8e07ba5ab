// Peak memory of the seed's Keras model, measured in a fresh process so that nothing else shares the arena:
// build it, train two batches of 64, and print the numbers as one JSON line.
//   npx tsx bench/seed-memory.ts [--lib scratchnet|tfjs]
import { resolveBackend } from '../src/backends/index.js';
import { SEED_BATCH, SEED_FEATURES, seedData, snSeedModel, tfSeedModel } from './cases/seed-model.js';
import { loadTfjs } from './lib/tfjs.js';

const lib = process.argv.includes('tfjs') ? 'tfjs' : 'scratchnet';
const batches = 2;
const data = seedData(SEED_BATCH * batches);
const MiB = 2 ** 20;
const mib = (b: number) => Math.round((b / MiB) * 10) / 10;

if (lib === 'scratchnet') {
  const arena = resolveBackend('wasm').arena;
  const baseline = { capacity: arena.capacity, bytesInUse: arena.bytesInUse };
  const model = snSeedModel('wasm');
  model.build(SEED_FEATURES);
  const params = model.countParams();
  const afterBuild = arena.bytesInUse;
  let peak = arena.bytesInUse;
  await model.fit({ data: data.x, shape: [SEED_BATCH * batches, SEED_FEATURES] }, data.y, {
    epochs: 1, batchSize: SEED_BATCH, verbose: 0, shuffle: true,
    callbacks: { onBatchEnd: () => { peak = Math.max(peak, arena.bytesInUse); } },
  });
  console.log(JSON.stringify({
    lib, params,
    baselineCapacityMiB: mib(baseline.capacity),
    afterBuildBytesInUseMiB: mib(afterBuild),
    peakBytesInUseMiB: mib(peak),
    bytesInUseAfterFitMiB: mib(arena.bytesInUse),
    capacityMiB: mib(arena.capacity),
    paramBytesMiB: mib(params * 4),
    rssMiB: mib(process.memoryUsage().rss),
  }));
} else {
  const status = await loadTfjs();
  const tf = status.tf;
  if (!tf || !status.backends.includes('wasm')) {
    console.log(JSON.stringify({ lib, error: status.errors.import ?? status.errors.wasm }));
  } else {
    await tf.setBackend('wasm');
    const heap = () => ((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength);
    const baseline = heap();
    const model = tfSeedModel(tf);
    const params = model.countParams();
    const x = tf.tensor2d(data.x, [SEED_BATCH * batches, SEED_FEATURES]);
    const y = tf.tensor1d(Float32Array.from(data.y));
    let peakTensorBytes = tf.memory().numBytes;
    await model.fit(x, y, {
      batchSize: SEED_BATCH, epochs: 1, verbose: 0, shuffle: true,
      callbacks: { onBatchEnd: async () => { peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes); } },
    });
    console.log(JSON.stringify({
      lib, params,
      baselineHeapMiB: mib(baseline),
      peakTensorBytesMiB: mib(peakTensorBytes),
      heapMiB: mib(heap()),
      paramBytesMiB: mib(params * 4),
      rssMiB: mib(process.memoryUsage().rss),
    }));
  }
}
