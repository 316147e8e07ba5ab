// Why the MNIST MLP (784-128-64-10, Adam) gains little from a second thread: its first layer's three large calls —
// the forward product on the sparse images (matmulSkipZeros), the weight gradient (matmulTransASkipZeros) and Adam's
// step on the 100 K weights — timed on one thread and on two, in two layouts, interleaved round by round (medians):
//
// - "rows", as scratchnet split them before the ninth round (docs/threads.md): the forward by images (each thread
//   reads all of W), the gradient by rows of dW, Adam by blocks of W; so after Adam each thread holds half of W, and
//   the next forward reads the other half from the other core.
// - "pipelined", as scratchnet runs them now: the gradient and Adam as in "rows", and the forward as a two-stage
//   pipeline over the halves of W that they left on each core (matmulSkipZerosStage): the caller sums each row over
//   the first half of k, the worker goes on over the second, a few rows behind.
// - "columns": each thread owns one half of W's columns, with its gradient and Adam's moments, and the forward
//   computes its half of the outputs; only the batch x crosses between the cores. Emulated with two half-width
//   matrices, each half of W contiguous, which Dense does not store (it keeps one row-major W). Cutting that one W
//   by columns instead, with strided kernel entries, was built and measured slower than one thread
//   (docs/threads.md, "Fourth round").
//
// Then the same Adam step alone, and after a forward pass that read W on the calling thread: what moving W between
// the cores costs.
//
//   npx tsx bench/threads-mlp.ts [batch=64]
import { loadMnist } from '../src/node.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { setThreads, setThreadLimit } from '../src/backends/wasm/threads/settings.js';
import { adaptive, PIPELINE } from '../src/backends/wasm/threads/split.js';
import type { WorkerPool } from '../src/backends/wasm/threads/pool.js';
import { median } from './lib/harness.js';
import { machineLine } from './lib/report.js';

const batch = Number(process.argv[2] ?? 64);
const PIXELS = 784,
  UNITS = 128,
  HALF = UNITS / 2,
  STEPS = 400,
  ROUNDS = 5;

adaptive.enabled = false; // every large call splits: this measures the layouts, not the learning
const backend = createWasmBackend({ threads: true });
await setThreads(2);
const { arena, kernels } = backend;
const pool = backend.pool as unknown as WorkerPool; // its run(), which the Backend interface does not show
const mnist = await loadMnist({ trainLimit: 12_800 });
const images = arena.alloc(12_800 * PIXELS);
arena.write(images, mnist.trainX.data);
const indices = arena.alloc(batch);
const x = arena.alloc(batch * PIXELS);
/** the first layer's arrays for `cols` of its 128 output columns: weights, gradient, Adam's moments, y and dy */
function layer(cols: number) {
  const l = {
    w: arena.alloc(PIXELS * cols),
    g: arena.alloc(PIXELS * cols),
    m: arena.alloc(PIXELS * cols),
    v: arena.alloc(PIXELS * cols),
    y: arena.alloc(batch * cols),
    dy: arena.alloc(batch * cols),
  };
  arena.f32(l.dy, batch * cols).forEach((_, i, v) => (v[i] = Math.sin(i) * 0.01));
  arena.f32(l.w, PIXELS * cols).forEach((_, i, v) => (v[i] = Math.cos(i) * 0.05));
  return l;
}
const whole = layer(UNITS);
const halves = [layer(HALF), layer(HALF)];
/** Adam's learning rate (bias correction folded in), β1, β2, ε */
const ADAM = [0.001, 0.9, 0.999, 1e-7] as const;

/** one call of `name` as two chunks: the calling thread takes the first (its half), the worker the second */
const names = pool.names;
const owned = (name: string, args: (h: (typeof halves)[0]) => number[]) => {
  const f = (kernels as unknown as Record<string, (...a: number[]) => void>)[name];
  // the caller's chunk runs the kernel whole: under a limit of one thread the split kernels call the wasm export
  // itself (a split from inside a chunk would take over the pool's control block while the worker runs)
  pool.run(names.indexOf(name), [args(halves[0]), args(halves[1])], (a) => {
    setThreadLimit(1);
    f(...a);
    setThreadLimit(2);
  });
};

let step = 0;
function gather(): void {
  const ids = arena.f32(indices, batch);
  const asInt = new Int32Array(ids.buffer, ids.byteOffset, batch);
  for (let i = 0; i < batch; i++) asInt[i] = (step * batch + i) % 12_800;
  kernels.gatherRows(images, indices, x, batch, PIXELS);
}
const adam = (l: typeof whole) => kernels.adamStep(l.w, l.g, l.m, l.v, PIXELS * UNITS, ...ADAM);

type Phase = 'gather' | 'forward' | 'gradient' | 'adam';
const layouts: Record<string, { threads: number; run: (mark: (p: Phase) => void) => void }> = {
  'one thread': { threads: 1, run: (mark) => rowsStep(mark, false) },
  'two, rows': { threads: 2, run: (mark) => rowsStep(mark, false) },
  'two, pipelined': { threads: 2, run: (mark) => rowsStep(mark, true) },
  'two, columns': {
    threads: 2,
    run(mark) {
      gather();
      mark('gather');
      owned('matmulSkipZeros', (h) => [x, h.w, h.y, batch, PIXELS, HALF]);
      mark('forward');
      owned('matmulTransASkipZeros', (h) => [x, h.dy, h.g, batch, PIXELS, HALF]);
      mark('gradient');
      owned('adamStep', (h) => [h.w, h.g, h.m, h.v, PIXELS * HALF, ...ADAM]);
      mark('adam');
    },
  },
};
/** the first layer's calls on the whole W; `pipelined`: the forward product as a pipeline (when Adam last split W) */
function rowsStep(mark: (p: Phase) => void, pipelined: boolean): void {
  gather();
  mark('gather');
  PIPELINE.enabled = pipelined;
  kernels.matmulSkipZeros(x, whole.w, whole.y, batch, PIXELS, UNITS);
  PIPELINE.enabled = true;
  mark('forward');
  kernels.matmulTransASkipZeros(x, whole.dy, whole.g, batch, PIXELS, UNITS);
  mark('gradient');
  adam(whole);
  mark('adam');
}

const phases: Phase[] = ['gather', 'forward', 'gradient', 'adam'];
const times: Record<string, Record<Phase | 'step', number[]>> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, layout] of Object.entries(layouts)) {
    setThreadLimit(layout.threads);
    const t = (times[name] ??= { gather: [], forward: [], gradient: [], adam: [], step: [] });
    const sums: Record<Phase, number> = { gather: 0, forward: 0, gradient: 0, adam: 0 };
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      step++;
      let last = performance.now();
      layout.run((p) => {
        const now = performance.now();
        sums[p] += now - last;
        last = now;
      });
    }
    t.step.push(((performance.now() - t0) / STEPS) * 1000);
    for (const p of phases) t[p].push((sums[p] / STEPS) * 1000);
  }
}

// Adam alone, and after a forward pass on the calling thread (which reads all of W)
const adamTimes: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, threads, forward] of [
    ['one thread, alone', 1, false],
    ['two, alone', 2, false],
    ['one thread, after a forward', 1, true],
    ['two, after a forward on the calling thread', 2, true],
  ] as const) {
    const d: number[] = [];
    for (let s = 0; s < STEPS; s++) {
      step++;
      if (forward) {
        setThreadLimit(1);
        kernels.matmulSkipZeros(x, whole.w, whole.y, batch, PIXELS, UNITS);
      }
      setThreadLimit(threads);
      const t0 = performance.now();
      adam(whole);
      d.push((performance.now() - t0) * 1000);
    }
    (adamTimes[name] ??= []).push(median(d));
  }
}

console.log(
  `${machineLine()}; ` +
    `batch ${batch}, real MNIST images, medians of ${ROUNDS} interleaved rounds of ${STEPS} steps (µs per step)`,
);
console.log(`\n| layout | ${phases.join(' | ')} | the four together | ÷ one thread |\n|---|${'---:|'.repeat(6)}`);
const base = median(times['one thread'].step);
for (const [name, t] of Object.entries(times)) {
  const step = median(t.step);
  console.log(
    `| ${name} | ${phases.map((p) => median(t[p]).toFixed(0)).join(' | ')} | ${step.toFixed(0)} | ${(base / step).toFixed(2)}× |`,
  );
}
console.log('\n| Adam on the 100 K weights | µs |\n|---|---:|');
for (const [name, d] of Object.entries(adamTimes)) console.log(`| ${name} | ${median(d).toFixed(0)} |`);
process.exit(0);
