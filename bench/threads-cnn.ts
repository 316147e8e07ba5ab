// Where the Keras MNIST convnet's training step goes on one thread and on two: every kernel call of model.fit timed,
// by kernel and shape, over interleaved epochs of 1,280 images (batch 64), and the fit's total. Two forms of the same
// network train side by side:
//
// - "fused", the network as users write it (Conv2D with activation 'relu', then MaxPooling2D): the engine has each
//   pooling apply the relu gradient of the conv below (maxPoolBackward's relu argument), so no reluBackward runs;
// - "unfused", the same network with each relu in an Activation layer of its own: a relu pass forward (Conv2D applies
//   its own relu inside the conv kernel) and a reluBackward pass backward. Both forms give the same weights, bit for
//   bit (test/models/relu-pool-fusion.test.ts); the unfused rows show what the two passes cost, in the same process.
//
// A fifth config trains the fused form on two threads with each convolution's two gradients as two split calls
// (CONV_CHAIN off), where two threads otherwise chain them over the halves of the batch (docs/threads.md, tenth
// round): its column, and the last, show what the chain saves.
//
// Each round runs the five epochs, in an order that alternates; the first two rounds warm up.
//
//   npx tsx bench/threads-cnn.ts [rounds=8]
import { loadMnist } from '../src/node.js';
import type { Backend } from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { setThreads, setThreadLimit } from '../src/backends/wasm/threads/settings.js';
import { CONV_CHAIN } from '../src/backends/wasm/threads/split.js';
import { machineLine } from './lib/report.js';
import { snCnn } from './cases/cnn.js';

const ROUNDS = Number(process.argv[2] ?? 8),
  WARMUP = 2,
  IMAGES = 1280;
const FORMS = ['fused', 'unfused'] as const;
type Form = (typeof FORMS)[number];
const THREADS = [1, 2] as const;
const config = (form: Form, threads: number, chain = true) => `${form} ${threads}t${chain ? '' : ', two calls'}`;
const TWO_CALLS = config('fused', 2, false);

const inner = createWasmBackend({ threads: true });
await setThreads(2);

/** ms per kernel (and shape) per config, over the timed rounds */
const times = new Map<string, Map<string, number>>();
let current = '';
let timing = false;
/** a row's name: the kernel, and the shape where the step calls it more than once */
function label(name: string, a: number[]): string {
  // conv2dBackward (both gradients) has six pointers before the geometry, the others four
  const g = name === 'conv2dBackward' ? 2 : 0;
  if (name.startsWith('conv2d'))
    return `${name} ${a[g + 5]}×${a[g + 6]}×${a[g + 7]} → ${a[g + 11]}×${a[g + 12]}×${a[g + 10]}`;
  if (name === 'maxPool') return `${name} ${a[3]}×${a[4]}×${a[5]}`; // (x, y, n, inH, inW, c, …)
  if (name === 'maxPoolBackward') return `${name} ${a[4]}×${a[5]}×${a[6]}`; // (x, dy, dx, n, inH, inW, c, …)
  if (name === 'sumRows') return `${name} ${a[2]}×${a[3]}`;
  if (name === 'reluBackward') return `${name} ${a[3]}`;
  return name;
}
let wrapped: Backend['kernels'] | undefined;
const timedKernels = () =>
  Object.fromEntries(
    Object.entries(inner.kernels).map(([name, f]) => [
      name,
      (...a: number[]) => {
        if (!timing) return (f as (...a: number[]) => unknown)(...a);
        const t = performance.now();
        const r = (f as (...a: number[]) => unknown)(...a);
        const key = label(name, a);
        const row = times.get(key) ?? new Map<string, number>();
        row.set(current, (row.get(current) ?? 0) + performance.now() - t);
        times.set(key, row);
        return r;
      },
    ]),
  ) as unknown as Backend['kernels'];
const backend = Object.create(inner, { kernels: { get: () => (wrapped ??= timedKernels()) } }) as Backend;

const mnist = await loadMnist({ trainLimit: IMAGES });
const x = { data: mnist.trainX.data, shape: [IMAGES, 28, 28, 1] };
const models = { fused: snCnn(backend, 'in the convs'), unfused: snCnn(backend, 'as layers') };
const totals = new Map<string, number>();
const configs = [
  ...FORMS.flatMap((form) => THREADS.map((threads) => ({ form, threads, chain: true }))),
  { form: 'fused' as const, threads: 2, chain: false },
];

console.log(`${machineLine()}; ${ROUNDS - WARMUP} timed rounds of one epoch (${IMAGES} images, batch 64) per config`);
for (let round = 0; round < ROUNDS; round++) {
  for (const { form, threads, chain } of round % 2 ? configs : [...configs].reverse()) {
    setThreadLimit(threads);
    CONV_CHAIN.enabled = chain;
    current = config(form, threads, chain);
    timing = round >= WARMUP;
    const t = performance.now();
    await models[form].fit(x, mnist.trainY, { epochs: 1, batchSize: 64, verbose: 0 });
    if (timing) totals.set(current, (totals.get(current) ?? 0) + performance.now() - t);
  }
}

const names = configs.map(({ form, threads, chain }) => config(form, threads, chain));
const ms = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const ratio = (one: number | undefined, two: number | undefined) =>
  one === undefined || two === undefined ? '—' : `${(one / two).toFixed(2)}×`;
console.log('\nms over the timed rounds; "2t÷1t" is one thread\'s time over two threads\'');
console.log(
  `| kernel (shape) | ${names.join(' | ')} | fused: one thread ÷ two | unfused: one thread ÷ two | fused 2t: two calls ÷ chain |\n|---|${names.map(() => '---:|').join('')}---:|---:|---:|`,
);
const row = (key: string, get: (config: string) => number | undefined) =>
  console.log(
    `| ${key} | ${names.map((n) => ms(get(n))).join(' | ')} | ${ratio(get('fused 1t'), get('fused 2t'))} | ${ratio(get('unfused 1t'), get('unfused 2t'))} | ${ratio(get(TWO_CALLS), get('fused 2t'))} |`,
  );
row('**the fit**', (n) => totals.get(n));
const byCost = [...times.entries()].sort((a, b) => (b[1].get('fused 1t') ?? 0) - (a[1].get('fused 1t') ?? 0));
for (const [key, perConfig] of byCost) {
  if ((perConfig.get('unfused 1t') ?? 0) < 0.003 * (totals.get('unfused 1t') ?? 0)) continue; // under 0.3%: left out
  row(key, (n) => perConfig.get(n));
}
for (const form of FORMS) models[form].dispose();
process.exit(0);
