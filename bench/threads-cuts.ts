// How large products are cut for two threads: the three matmul forms on squares and on the seed model's shapes
// (64 rows against a 4096×4096 weight matrix), and the wide layer's training (Dense 1024 → 1024, batch 1024, Adam),
// on one thread and on two cut three ways, interleaved round by round: by rows in two chunks per thread, by rows in
// one chunk per thread (ONE_CHUNK_WORK in src/backends/wasm/threads/split.ts), and as scratchnet cuts them (one
// chunk per thread from ONE_CHUNK_WORK on, and products at least two slabs wide by whole slabs of columns:
// COLUMN_CUTS). Medians, and each two-thread side ÷ one thread as the median of the same-round ratios. Every chunk
// of a packed product cut by rows packs all of B for itself; a thread given whole slabs of columns does only its
// slabs' share of one thread's work.
//
//   npx tsx bench/threads-cuts.ts [rounds=7]
import { Dense, Sequential, optimizers } from '../src/index.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { setThreads, setThreadLimit } from '../src/backends/wasm/threads/settings.js';
import { COLUMN_CUTS, ONE_CHUNK_WORK, adaptive } from '../src/backends/wasm/threads/split.js';
import { median } from './lib/harness.js';
import { machineLine } from './lib/report.js';

const ROUNDS = Number(process.argv[2] ?? 7);
adaptive.enabled = false; // every large call splits: this compares the cuts, not the learning
const backend = createWasmBackend({ threads: true });
await setThreads(2);
const { arena, kernels } = backend;
const oneChunk = ONE_CHUNK_WORK.matmul;

/** the sides compared: threads, the least work for one chunk per thread, and whether wide products go by columns */
const sides = [
  { name: 'one thread', threads: 1, oneChunk, columns: true },
  { name: 'two threads, rows, two chunks each', threads: 2, oneChunk: Infinity, columns: false },
  { name: 'two threads, rows, one chunk each', threads: 2, oneChunk: 0, columns: false },
  { name: 'two threads, as scratchnet cuts', threads: 2, oneChunk, columns: true },
] as const;

const cases: { name: string; run: () => number | Promise<number> }[] = [];
/** x[m, k] · w[k, n] and its two transposed forms on the same three arrays */
function products(m: number, k: number, n: number): void {
  const size = Math.max(m * k, k * n, m * n);
  const a = arena.alloc(size),
    b = arena.alloc(size),
    c = arena.alloc(size);
  arena.f32(a, size).forEach((_, i, v) => (v[i] = Math.sin(i)));
  arena.f32(b, size).forEach((_, i, v) => (v[i] = Math.cos(i)));
  const reps = Math.max(3, Math.round(2e9 / (m * k * n)));
  const forms: [string, () => void][] = [
    ['matmul', () => kernels.matmul(a, b, c, m, k, n)], // y[m, n] = x[m, k] · w[k, n]
    ['matmulTransA', () => kernels.matmulTransA(a, b, c, m, k, n)], // dw[k, n] = x[m, k]ᵀ · dy[m, n]
    ['matmulTransB', () => kernels.matmulTransB(a, b, c, m, n, k)], // dx[m, k] = dy[m, n] · w[k, n]ᵀ
  ];
  for (const [form, call] of forms) {
    cases.push({
      name: `${form}, m ${m}, k ${k}, n ${n} (ms)`,
      run() {
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) call();
        return (performance.now() - t0) / reps;
      },
    });
  }
}
for (const n of [256, 512, 1024]) products(n, n, n);
products(64, 4096, 4096);

// the wide layer: one Dense(1024) trained with Adam on 4 batches of 1024 rows
const rows = 4096;
const x = { data: new Float32Array(rows * 1024).map((_, i) => Math.sin(i)), shape: [rows, 1024] };
const y = { data: new Float32Array(rows * 1024).map((_, i) => Math.cos(i)), shape: [rows, 1024] };
const wide = new Sequential([new Dense(1024, { inputShape: [1024] })], { seed: 1, backend });
wide.compile({ optimizer: optimizers.adam(), loss: 'mse' });
cases.push({
  name: 'the wide layer, 4 training steps (ms)',
  async run() {
    const t0 = performance.now();
    await wide.fit(x, y, { epochs: 1, batchSize: 1024, shuffle: false, verbose: 0 });
    return performance.now() - t0;
  },
});

const times = new Map<string, number[][]>(cases.map((c) => [c.name, sides.map(() => [])]));
for (let round = 0; round < ROUNDS + 1; round++) {
  // the order of the sides turns each round; round 0 warms up
  const order = round % 2 ? [...sides.keys()].reverse() : [...sides.keys()];
  for (const c of cases) {
    for (const s of order) {
      setThreadLimit(sides[s].threads);
      ONE_CHUNK_WORK.matmul = sides[s].oneChunk;
      COLUMN_CUTS.enabled = sides[s].columns;
      const t = await c.run();
      if (round > 0) times.get(c.name)![s].push(t);
    }
  }
}
ONE_CHUNK_WORK.matmul = oneChunk;
COLUMN_CUTS.enabled = true;

console.log(`${machineLine()}; ` + `medians of ${ROUNDS} interleaved rounds`);
console.log(`\n| case | ${sides.map((s) => s.name).join(' | ')} |\n|---|${'---:|'.repeat(sides.length)}`);
for (const c of cases) {
  const t = times.get(c.name)!;
  const cells = t.map((side, s) => {
    const ms = median(side).toFixed(2);
    return s === 0 ? ms : `${ms} (${median(side.map((v, r) => t[0][r] / v)).toFixed(2)}×)`;
  });
  console.log(`| ${c.name} | ${cells.join(' | ')} |`);
}
process.exit(0);
