// How much of predict, evaluate and fit is spent outside the kernels: every kernel of a wasm backend is wrapped in a
// stopwatch (this process's CPU time), and the kernels' total is set against the whole call's. Checkouts given as
// name=path are loaded side by side (each its own src/ and wasm build) and timed in interleaved rounds:
//   npx tsx bench/outside-kernels.ts [--rounds 9] [main=/path/to/other/checkout] [this=.]
import { resolve } from 'node:path';
import type { Backend } from '../src/backends/backend.js';

type Lib = typeof import('../src/index.js');
interface Checkout {
  name: string;
  lib: Lib;
  backend: Backend;
  kernelSeconds: () => number;
}
interface Case {
  what: string;
  flops: number;
  run: () => unknown;
}

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at < 0 ? 9 : Number(args.splice(at, 2)[1]);
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

async function load(name: string, path: string): Promise<Checkout> {
  const root = resolve(path);
  const lib = (await import(`${root}/src/index.ts`)) as Lib;
  const wasm = (await import(`${root}/src/backends/wasm/index.ts`)) as typeof import('../src/backends/wasm/index.js');
  const base = wasm.createWasmBackend();
  let seconds = 0;
  const kernels: Record<string, unknown> = {};
  for (const [key, kernel] of Object.entries(base.kernels)) {
    kernels[key] =
      typeof kernel === 'function'
        ? (...xs: number[]) => {
            const t = cpuSeconds();
            try {
              return (kernel as (...a: number[]) => unknown)(...xs);
            } finally {
              seconds += cpuSeconds() - t;
            }
          }
        : kernel;
  }
  const backend = { ...base, kernels: kernels as unknown as Backend['kernels'] };
  return { name, lib, backend, kernelSeconds: () => seconds };
}

function values(n: number, seed: number, offset = 0): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5 + offset;
  }
  return a;
}

const N = 1024;
const wide = { data: values(N * N, 1), shape: [N, N] };
const wideRows = Array.from({ length: N }, (_, i) => Array.from(wide.data.subarray(i * N, (i + 1) * N)));
const wideLabels = Array.from({ length: N }, (_, i) => i % 10);
const M = 8192;
const mnistLike = { data: values(M * 784, 7, 0.5), shape: [M, 784] };
const mnistLabels = new Uint8Array(M).map((_, i) => (i * 7) % 10);
const quiet = { verbose: 0 as const };

function cases({ lib, backend }: Checkout): Case[] {
  const { Dense, Sequential } = lib;
  const dense = new Sequential([new Dense(N, { inputShape: [N] })], { seed: 1, backend });
  const twoLayers = new Sequential(
    [new Dense(N, { inputShape: [N], activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
    { seed: 1, backend },
  );
  twoLayers.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  const mlp = new Sequential(
    [
      new Dense(128, { inputShape: [784], activation: 'relu' }),
      new Dense(64, { activation: 'relu' }),
      new Dense(10, { activation: 'softmax' }),
    ],
    { seed: 1, backend },
  );
  mlp.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  const denseFlops = 2 * N ** 3,
    twoFlops = 2 * 2 * N ** 3 + 3 * 2 * N * N * 10,
    mlpFlops = 2 * M * (784 * 128 + 128 * 64 + 64 * 10);
  const fit = { ...quiet, epochs: 1, batchSize: 256 };
  return [
    { what: 'predict 1024 rows → Dense(1024), { data, shape }', flops: denseFlops, run: () => dense.predict(wide) },
    { what: 'predict 1024 rows → Dense(1024), number[][]', flops: denseFlops, run: () => dense.predict(wideRows) },
    {
      what: 'fit 1 epoch, 1024 rows → Dense(1024, relu) → Dense(10), batch 256, { data, shape }',
      flops: twoFlops,
      run: () => twoLayers.fit(wide, wideLabels, fit),
    },
    {
      what: 'fit 1 epoch, 1024 rows → Dense(1024, relu) → Dense(10), batch 256, number[][]',
      flops: twoFlops,
      run: () => twoLayers.fit(wideRows, wideLabels, fit),
    },
    {
      what: `MLP 784-128-64-10 fit 1 epoch, ${M} rows, batch 256`,
      flops: 3 * mlpFlops,
      run: () => mlp.fit(mnistLike, mnistLabels, fit),
    },
    { what: `MLP 784-128-64-10 predict ${M} rows (batch 256)`, flops: mlpFlops, run: () => mlp.predict(mnistLike) },
    {
      what: `MLP 784-128-64-10 evaluate ${M} rows (batch 256)`,
      flops: mlpFlops,
      run: () => mlp.evaluate(mnistLike, mnistLabels),
    },
  ];
}

const checkouts = await Promise.all(
  (args.length ? args : ['this=.']).map((a) => {
    const [name, path] = a.split('=');
    return load(name, path);
  }),
);
const perCheckout = checkouts.map(cases);
const samples = perCheckout.map((cs) => cs.map(() => ({ whole: [] as number[], outside: [] as number[] })));
for (const cs of perCheckout) for (const c of cs) for (let i = 0; i < 2; i++) await c.run(); // warm-up
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < perCheckout[0].length; i++) {
    for (let q = 0; q < checkouts.length; q++) {
      const j = (q + round) % checkouts.length;
      const k0 = checkouts[j].kernelSeconds(),
        t = cpuSeconds();
      await perCheckout[j][i].run();
      const whole = cpuSeconds() - t;
      samples[j][i].whole.push(whole);
      samples[j][i].outside.push((whole - (checkouts[j].kernelSeconds() - k0)) / whole);
    }
  }
}
console.log(`| case | ${checkouts.map((c) => `${c.name}: ms, GFLOP/s, outside the kernels`).join(' | ')} |`);
console.log(`|---|${checkouts.map(() => '---|').join('')}`);
perCheckout[0].forEach((c, i) => {
  const cells = checkouts.map((_, j) => {
    const { whole, outside } = samples[j][i];
    const s = median(whole);
    return `${(s * 1e3).toFixed(1)} ms, ${(c.flops / s / 1e9).toFixed(1)}, ${(100 * median(outside)).toFixed(1)}%`;
  });
  console.log(`| ${c.what} | ${cells.join(' | ')} |`);
});
