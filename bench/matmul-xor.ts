// The core check, standalone: how much faster scratchnet's wasm backend is than its JS backend on
//   1. one 256×256 · 256×256 matmul (the kernel, on arena pointers), and
//   2. one epoch of the tutorial's XOR network (4 samples, per-sample SGD: 2 → 3 tanh → 1 tanh, mse, lr 0.1).
// An XOR epoch takes microseconds, so many epochs are timed in one fit call and divided.
//   npm run bench:core
import { ActivationLayer, FCLayer, Network, Random } from '../src/index.js';
import type { BackendName } from '../src/index.js';
import { resolveBackend } from '../src/backends/index.js';

const BACKENDS: BackendName[] = ['wasm', 'js'];
const ROUNDS = 5;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** seconds per call of `fn(reps)`, each timed sample at least `minMs` long; rounds alternate the backends */
async function perCall(
  fns: Record<BackendName, (reps: number) => unknown>,
  minMs: number,
): Promise<Record<BackendName, number>> {
  const reps = {} as Record<BackendName, number>;
  for (const b of BACKENDS) {
    await fns[b](1); // warm-up
    let r = 1;
    for (;;) {
      const t0 = performance.now();
      await fns[b](r);
      const ms = performance.now() - t0;
      if (ms >= minMs / 2) {
        reps[b] = Math.max(1, Math.ceil((r * minMs) / ms));
        break;
      }
      r *= ms < minMs / 16 ? 8 : 2;
    }
  }
  const samples: Record<BackendName, number[]> = { wasm: [], js: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of round % 2 ? [...BACKENDS].reverse() : BACKENDS) {
      const t0 = performance.now();
      await fns[b](reps[b]);
      samples[b].push((performance.now() - t0) / 1000 / reps[b]);
    }
  }
  return { wasm: median(samples.wasm), js: median(samples.js) };
}

// 1. matmul 256
const N = 256;
const rng = new Random(1);
const matmuls = {} as Record<BackendName, (reps: number) => void>;
for (const b of BACKENDS) {
  const { arena, kernels } = resolveBackend(b);
  const x = arena.alloc(N * N);
  const w = arena.alloc(N * N);
  const y = arena.alloc(N * N);
  arena.write(
    x,
    Array.from({ length: N * N }, () => rng.uniform(-1, 1)),
  );
  arena.write(
    w,
    Array.from({ length: N * N }, () => rng.uniform(-1, 1)),
  );
  matmuls[b] = (reps) => {
    for (let r = 0; r < reps; r++) kernels.matmul(x, w, y, N, N, N);
  };
}
const mm = await perCall(matmuls, 200);
const gflops = (s: number) => (2 * N * N * N) / s / 1e9;

// 2. XOR epoch
const xTrain = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const yTrain = [[0], [1], [1], [0]];
const xor = {} as Record<BackendName, (epochs: number) => Promise<unknown>>;
for (const b of BACKENDS) {
  const net = new Network({ seed: 4, backend: b });
  net.add(new FCLayer(2, 3));
  net.add(new ActivationLayer('tanh'));
  net.add(new FCLayer(3, 1));
  net.add(new ActivationLayer('tanh'));
  net.use('mse');
  xor[b] = (epochs) => net.fit(xTrain, yTrain, { epochs, learningRate: 0.1, verbose: false });
}
const ep = await perCall(xor, 300);

const line = (name: string, wasm: string, js: string, ratio: number) =>
  console.log(`${name.padEnd(34)}${wasm.padStart(16)}${js.padStart(16)}${`${ratio.toFixed(2)}×`.padStart(10)}`);
console.log(`${''.padEnd(34)}${'wasm'.padStart(16)}${'js'.padStart(16)}${'wasm÷js'.padStart(10)}`);
line(
  'matmul 256×256·256×256',
  `${gflops(mm.wasm).toFixed(2)} GFLOP/s`,
  `${gflops(mm.js).toFixed(2)} GFLOP/s`,
  mm.js / mm.wasm,
);
line(
  'XOR tutorial net, one epoch (4)',
  `${(ep.wasm * 1e6).toFixed(2)} µs`,
  `${(ep.js * 1e6).toFixed(2)} µs`,
  ep.js / ep.wasm,
);
console.log(`(median of ${ROUNDS} interleaved samples each; ratio > 1: wasm is faster)`);
