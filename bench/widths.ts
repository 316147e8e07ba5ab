// Layers whose width is not a multiple of 4: a Dense(1024 → u) and a Conv2D(f, 3) training step, one thread, at
// neighbouring widths, so that a width that costs far more per output than its neighbours shows (the kernels work in
// blocks of 4 and 8 output columns, and the columns right of them take tail kernels: assembly/matmul.ts
// `direct4xTail`, assembly/lib/conv-direct.ts `forward4xTail` and `filter4xTail`, or the 4×4 kernels again over the
// last four columns, storing only the last few). Each width is timed in rounds that alternate, medians of the rounds; the last column is the time per
// output column relative to the multiple of 4 at or above it.
//
//   npx tsx bench/widths.ts [rounds=5]
import { Conv2D, Dense, Flatten, Sequential, optimizers, setThreads } from '../src/index.js';
import { machineLine } from './lib/report.js';

const ROUNDS = Number(process.argv[2] ?? 5);

/** deterministic values in [−0.5, 0.5) */
function data(count: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: count }, () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5);
}

interface Case {
  label: string;
  width: number;
  /** a model and its data, compiled; `step` trains one epoch of `batches` batches */
  make(): { step(): Promise<void>; dispose(): void; batches: number };
}

function dense(units: number): Case {
  const batch = 64,
    n = batch * 8;
  return {
    label: `Dense(1024 → ${units}), batch ${batch}`,
    width: units,
    make() {
      const m = new Sequential([new Dense(units, { inputShape: [1024] })], { seed: 1 });
      m.compile({ optimizer: optimizers.sgd({ learningRate: 1e-4 }), loss: 'mse' });
      const x = { data: data(n * 1024, 1), shape: [n, 1024] };
      const y = { data: data(n * units, 2), shape: [n, units] };
      return {
        step: async () => void (await m.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 })),
        dispose: () => m.dispose(),
        batches: n / batch,
      };
    },
  };
}

function conv(filters: number): Case {
  const batch = 32,
    n = batch * 2;
  return {
    label: `Conv2D(${filters}, 3) on 28×28×16, batch ${batch}`,
    width: filters,
    make() {
      const m = new Sequential(
        [new Conv2D(filters, 3, { activation: 'relu', inputShape: [28, 28, 16] }), new Flatten()],
        {
          seed: 1,
        },
      );
      m.compile({ optimizer: optimizers.sgd({ learningRate: 1e-4 }), loss: 'mse' });
      const x = { data: data(n * 28 * 28 * 16, 1), shape: [n, 28, 28, 16] };
      const y = { data: data(n * 26 * 26 * filters, 2), shape: [n, 26 * 26 * filters] };
      return {
        step: async () => void (await m.fit(x, y, { epochs: 1, batchSize: batch, shuffle: false, verbose: 0 })),
        dispose: () => m.dispose(),
        batches: n / batch,
      };
    },
  };
}

async function measure(cases: Case[]): Promise<Map<Case, number>> {
  const made = cases.map((c) => ({ c, m: c.make() }));
  for (const { m } of made) await m.step(); // warm up
  const samples = new Map<Case, number[]>(cases.map((c) => [c, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? made : [...made].reverse();
    for (const { c, m } of order) {
      const t = performance.now();
      await m.step();
      samples.get(c)!.push(((performance.now() - t) / m.batches) * 1000);
    }
  }
  for (const { m } of made) m.dispose();
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return new Map(cases.map((c) => [c, median(samples.get(c)!)]));
}

await setThreads(1);
console.log(machineLine());
for (const group of [[3, 4, 7, 8, 10, 11, 12].map(dense), [1, 3, 4, 6, 7, 8, 15, 16].map(conv)]) {
  const times = await measure(group);
  console.log(`\n| layer | µs per step | µs per output column | ÷ the multiple of 4 at or above |`);
  console.log(`|---|---:|---:|---:|`);
  for (const c of group) {
    const us = times.get(c)!;
    const up = group.find((o) => o.width >= c.width && o.width % 4 === 0);
    const perColumn = us / c.width;
    const ratio = up ? perColumn / (times.get(up)! / up.width) : NaN;
    console.log(`| ${c.label} | ${us.toFixed(0)} | ${perColumn.toFixed(1)} | ${ratio.toFixed(2)}× |`);
  }
}
