// The rules that keep the MNIST MLP's training on two threads from running slower than it could
// (src/backends/wasm/threads/split.ts), each turned off in turn: `npm run bench`'s way (one model per configuration,
// model.fit on consecutive chunks of 16,384 shuffled training images), the configurations rotating round by round;
// rates are medians, ratios medians of same-round ratios against one thread.
//
// - "as shipped": the zero-skipping products count their work at SPARSE_SHARE of dense (MIN_WORK.sparse), and an
//   optimizer step splits only over a gradient that was written split (OPTIMIZER_FOLLOWS_GRADIENT), and a weight
//   gradient whose last optimizer step split over it splits again without learning (GRADIENT_FOLLOWS_STEP), and
//   the batch's gather splits by rows without learning (GATHER_SPLITS on), and a training step's calls split without
//   learning (STEPS_NOT_LEARNT), and a dense layer's two gradients run side by side (DENSE_PAIR), and the next
//   batch is gathered during the step before (GATHER_AHEAD), and whether a step splits is learnt from the steps' times
//   (STEPS_LEARNT);
// - "sparse counted dense": MIN_WORK.sparse = MIN_WORK.matmul, as before the first rule (small batches);
// - "sparse not looked at": every zero-skipping product counted at MIN_WORK.sparse, also one whose x is not sparse
//   enough to skip (SPARSE_SEEN off: the MNIST MLP's second layer at batch 128);
// - "optimizer always split": without the second rule (small batches);
// - "gradient learnt": without the third (batches of 64 and more, whose first-layer gradient splits), and with a
//   training step's calls learnt (without STEPS_NOT_LEARNT, which splits the gradient too);
// - "gather whole": the batch's gather on the calling thread (GATHER_SPLITS off; batches of 64 and more);
// - "steps learnt": a training step's calls learnt as the others are (STEPS_NOT_LEARNT off: at batch 128 the second
//   layer's three products), the rules above still in;
// - "gradients one by one": the second layer's two gradients one after the other, each whole or split by itself
//   (DENSE_PAIR off: batches of 64 and 128);
// - "gather not ahead": each batch gathered at the start of its own step (split as ever) instead of on the workers
//   during the step before (GATHER_AHEAD off);
// - "steps not learnt": every training step splits its calls, where the shipped code learns from the steps' times
//   whether whole steps are faster (STEPS_LEARNT off: on a quiet machine they should read alike).
//
//   npx tsx bench/threads-mlp-rules.ts [batch=32] [rounds=14] [words]   (batch 64 or 128 for the third rule; words:
//   only the configurations whose names contain one of them, comma-separated, beside one thread)
import { loadMnist } from '../src/node.js';
import { Dense, Sequential, optimizers } from '../src/index.js';
import { setThreads, setThreadLimit } from '../src/backends/wasm/threads/settings.js';
import {
  GATHER_SPLITS,
  GRADIENT_FOLLOWS_STEP,
  MIN_WORK,
  OPTIMIZER_FOLLOWS_GRADIENT,
  SPARSE_SEEN,
  STEPS_NOT_LEARNT,
  DENSE_PAIR,
  GATHER_AHEAD,
  STEPS_LEARNT,
} from '../src/backends/wasm/threads/split.js';
import { median } from './lib/harness.js';
import { machineLine } from './lib/report.js';

const batch = Number(process.argv[2] ?? 32),
  rounds = Number(process.argv[3] ?? 14),
  /** configurations whose names contain one of these words (comma-separated), beside one thread; all if absent */
  only = process.argv[4]?.split(','),
  WARMUP = 2,
  CHUNK = 16_384;
await setThreads(2);
const mnist = await loadMnist();
const shipped = {
  sparse: MIN_WORK.sparse,
  follows: OPTIMIZER_FOLLOWS_GRADIENT.enabled,
  gradientFollows: GRADIENT_FOLLOWS_STEP.enabled,
  gatherSplits: GATHER_SPLITS.enabled,
  sparseSeen: SPARSE_SEEN.enabled,
  stepsNotLearnt: STEPS_NOT_LEARNT.enabled,
  densePair: DENSE_PAIR.enabled,
  gatherAhead: GATHER_AHEAD.enabled,
  stepsLearnt: STEPS_LEARNT.enabled,
};

function mlp(): Sequential {
  const model = new Sequential(
    [
      new Dense(128, { inputShape: [784], activation: 'relu' }),
      new Dense(64, { activation: 'relu' }),
      new Dense(10, { activation: 'softmax' }),
    ],
    { seed: 1, backend: 'wasm' },
  );
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.001 }), loss: 'sparse_categorical_crossentropy' });
  return model;
}

const configs = [
  { name: 'one thread', threads: 1, ...shipped },
  { name: 'two, as shipped', threads: 2, ...shipped },
  { name: 'two, sparse counted dense', threads: 2, ...shipped, sparse: MIN_WORK.matmul },
  { name: 'two, sparse not looked at', threads: 2, ...shipped, sparseSeen: false },
  { name: 'two, optimizer always split', threads: 2, ...shipped, follows: false },
  { name: 'two, gradient learnt', threads: 2, ...shipped, gradientFollows: false, stepsNotLearnt: false },
  { name: 'two, gather whole', threads: 2, ...shipped, gatherSplits: false },
  { name: 'two, steps learnt', threads: 2, ...shipped, stepsNotLearnt: false },
  { name: 'two, gradients one by one', threads: 2, ...shipped, densePair: false },
  { name: 'two, gather not ahead', threads: 2, ...shipped, gatherAhead: false },
  { name: 'two, steps not learnt', threads: 2, ...shipped, stepsLearnt: false },
]
  .filter((c, i) => !only || i === 0 || only.some((word) => c.name.includes(word)))
  .map((c) => ({ ...c, model: mlp(), rates: [] as number[] }));

console.log(`${machineLine()}; MNIST MLP 784-128-64-10, Adam, batch ${batch}, ${rounds - WARMUP} timed rounds`);
let offset = 0;
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < configs.length; i++) {
    const c = configs[(i + round) % configs.length];
    setThreadLimit(c.threads);
    MIN_WORK.sparse = c.sparse;
    OPTIMIZER_FOLLOWS_GRADIENT.enabled = c.follows;
    GRADIENT_FOLLOWS_STEP.enabled = c.gradientFollows;
    GATHER_SPLITS.enabled = c.gatherSplits;
    SPARSE_SEEN.enabled = c.sparseSeen;
    STEPS_NOT_LEARNT.enabled = c.stepsNotLearnt;
    DENSE_PAIR.enabled = c.densePair;
    GATHER_AHEAD.enabled = c.gatherAhead;
    STEPS_LEARNT.enabled = c.stepsLearnt;
    if (offset + CHUNK > mnist.trainX.shape[0]) offset = 0;
    const x = { data: mnist.trainX.data.subarray(offset * 784, (offset + CHUNK) * 784), shape: [CHUNK, 784] };
    const y = mnist.trainY.subarray(offset, offset + CHUNK);
    offset += CHUNK;
    const t = performance.now();
    await c.model.fit(x, y, { epochs: 1, batchSize: batch, shuffle: true, verbose: 0 });
    if (round >= WARMUP) c.rates.push(CHUNK / ((performance.now() - t) / 1000));
  }
}
const one = configs[0].rates;
for (const c of configs) {
  const ratio = median(c.rates.map((r, i) => r / one[i]));
  console.log(
    `${c.name.padEnd(28)} ${median(c.rates).toFixed(0).padStart(8)} samples/s  ${ratio.toFixed(3)}× one thread`,
  );
  c.model.dispose();
}
process.exit(0);
