// Where splitting a kernel call over two threads starts to pay: each shape timed on one thread and on two (setThreads
// 1 and 2, the split forced by MIN_WORK = 0), interleaved round by round, medians. The thresholds in
// src/backends/wasm/threads/split.ts (MIN_WORK) come from this table.
//
//   npx tsx bench/threads-threshold.ts
import { loadavg } from 'node:os';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { setThreads } from '../src/backends/wasm/threads/settings.js';
import { MIN_WORK } from '../src/backends/wasm/threads/split.js';
import { machineLine } from './lib/report.js';

const backend = createWasmBackend({ threads: true });
const { arena, kernels } = backend;
const saved = { ...MIN_WORK };
MIN_WORK.matmul = 1;
MIN_WORK.sparse = 1;
MIN_WORK.optimizer = 1;
MIN_WORK.elementwise = 1;

const size = 1 << 22;
const a = arena.alloc(size),
  b = arena.alloc(size),
  c = arena.alloc(size),
  d = arena.alloc(size);
for (const p of [a, b, c, d]) arena.f32(p, size).forEach((_, i, v) => (v[i] = Math.sin(i) * 0.5));

const cases: [string, number, () => void][] = [];
for (const [m, k, n] of [
  [8, 64, 64],
  [16, 64, 64],
  [32, 64, 64],
  [16, 128, 128],
  [32, 128, 128],
  [64, 128, 64],
  [64, 128, 128],
  [64, 256, 128],
  [64, 784, 128],
  [128, 784, 128],
]) {
  cases.push([`matmul ${m}×${k}·${k}×${n}`, m * k * n, () => kernels.matmul(a, b, c, m, k, n)]);
  cases.push([`matmulTransA ${m}×${k}ᵀ·${m}×${n}`, m * k * n, () => kernels.matmulTransA(a, b, c, m, k, n)]);
  if (m >= 32)
    cases.push([`matmulTransB ${m}×${n}·(${k}×${n})ᵀ`, m * k * n, () => kernels.matmulTransB(a, b, c, m, n, k)]);
}
for (const n of [1 << 12, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20]) {
  cases.push([`adamStep n=${n}`, n, () => kernels.adamStep(a, b, c, d, n, 0.001, 0.9, 0.999, 1e-7)]);
  cases.push([`relu n=${n}`, n, () => kernels.relu(a, c, n)]);
}

await setThreads(2);
function time(f: () => void): number {
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) f();
    const ms = performance.now() - t;
    if (ms > 20) return (ms / reps) * 1000;
    reps *= 2;
  }
}
const median = (v: number[]) => v.sort((x, y) => x - y)[v.length >> 1];
console.log(machineLine());
console.log('case | work | 1 thread µs | 2 threads µs | speed-up');
for (const [name, work, f] of cases) {
  const one: number[] = [],
    two: number[] = [];
  for (let round = 0; round < 5; round++) {
    await setThreads(1);
    one.push(time(f));
    await setThreads(2);
    two.push(time(f));
  }
  const t1 = median(one),
    t2 = median(two);
  console.log(`${name} | ${work} | ${t1.toFixed(1)} | ${t2.toFixed(1)} | ${(t1 / t2).toFixed(2)}×`);
}
console.log(
  `load at the end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; MIN_WORK in use: ${JSON.stringify(saved)}`,
);
