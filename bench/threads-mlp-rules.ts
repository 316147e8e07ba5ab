// The two rules that keep the MNIST MLP's small batches from running slower on two threads than on one
// (src/backends/wasm/threads/split.ts), each turned off in turn: `npm run bench`'s way (one model per configuration,
// model.fit on consecutive chunks of 16,384 shuffled training images), the configurations rotating round by round;
// rates are medians, ratios medians of same-round ratios against one thread.
//
// - "as shipped": the zero-skipping products count their work at SPARSE_SHARE of dense (MIN_WORK.sparse), and an
//   optimizer step splits only over a gradient that was written split (OPTIMIZER_FOLLOWS_GRADIENT);
// - "sparse counted dense": MIN_WORK.sparse = MIN_WORK.matmul, as before the first rule;
// - "optimizer always split": without the second rule.
//
//   npx tsx bench/threads-mlp-rules.ts [batch=32] [rounds=14]
import { loadMnist } from '../src/node.js';
import { Dense, Sequential, optimizers } from '../src/index.js';
import { setThreads, setThreadLimit } from '../src/backends/wasm/threads/settings.js';
import { MIN_WORK, OPTIMIZER_FOLLOWS_GRADIENT } from '../src/backends/wasm/threads/split.js';
import { median } from './lib/harness.js';
import { machineLine } from './lib/report.js';

const batch = Number(process.argv[2] ?? 32),
  rounds = Number(process.argv[3] ?? 14),
  WARMUP = 2,
  CHUNK = 16_384;
await setThreads(2);
const mnist = await loadMnist();
const shipped = { sparse: MIN_WORK.sparse, follows: OPTIMIZER_FOLLOWS_GRADIENT.enabled };

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
  { name: 'one thread', threads: 1, sparse: shipped.sparse, follows: shipped.follows },
  { name: 'two, as shipped', threads: 2, sparse: shipped.sparse, follows: shipped.follows },
  { name: 'two, sparse counted dense', threads: 2, sparse: MIN_WORK.matmul, follows: shipped.follows },
  { name: 'two, optimizer always split', threads: 2, sparse: shipped.sparse, follows: false },
].map((c) => ({ ...c, model: mlp(), rates: [] as number[] }));

console.log(`${machineLine()}; MNIST MLP 784-128-64-10, Adam, batch ${batch}, ${rounds - WARMUP} timed rounds`);
let offset = 0;
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < configs.length; i++) {
    const c = configs[(i + round) % configs.length];
    setThreadLimit(c.threads);
    MIN_WORK.sparse = c.sparse;
    OPTIMIZER_FOLLOWS_GRADIENT.enabled = c.follows;
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
