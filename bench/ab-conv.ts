/**
 * A/B of the conv kernels on the Keras MNIST convnet's two layers (batch 64): this tree's wasm build against another
 * checkout's (built, e.g. a `git worktree` of main after `npm ci`), with the SIMD128 ceiling (512² sgemm), every
 * subject once per round with the order rotated, medians printed. Ratios within one run are what count.
 *
 *   npx tsx bench/ab-conv.ts ../other-checkout [rounds = 9] [seconds per sample = 0.15]
 */
import { pathToFileURL } from 'node:url';
import type { Backend } from '../src/backends/backend.js';
import { createWasmBackend } from '../src/backends/wasm/index.js';
import { CONV_KERNELS, MNIST_CONV_LAYERS, convCall, convFlops } from './cases/conv.js';
import { ceilingMatmul } from './lib/ceiling.js';

const [other, roundsArg, secondsArg] = process.argv.slice(2);
if (!other) throw new Error('usage: npx tsx bench/ab-conv.ts <other checkout> [rounds] [seconds]');
const rounds = Number(roundsArg ?? 9),
  seconds = Number(secondsArg ?? 0.15);
const otherConv = (await import(
  pathToFileURL(`${other}/bench/cases/conv.ts`).href
)) as typeof import('./cases/conv.js');
const otherWasm = (await import(pathToFileURL(`${other}/src/backends/wasm/index.ts`).href)) as {
  createWasmBackend: () => Backend;
};
const median = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)];

interface Subject {
  label: string;
  call: () => void;
  flops: number;
  reps: number;
  rates: number[];
}
function subject(label: string, call: () => void, flops: number): Subject {
  call();
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let r = 0; r < reps; r++) call();
    const e = (performance.now() - t) / 1000;
    if (e >= seconds / 4) return { label, call, flops, reps: Math.max(1, Math.ceil((reps * seconds) / e)), rates: [] };
    reps *= 4;
  }
}

const square = await ceilingMatmul(512, 512, 512);
const subjects = [subject('ceiling 512²', () => void square.run(1), 2 * 512 ** 3)];
const pairs: { name: string; flops: number; base: Subject; next: Subject }[] = [];
const a = otherWasm.createWasmBackend(),
  b = createWasmBackend();
for (const { name, geometry } of MNIST_CONV_LAYERS) {
  for (const k of CONV_KERNELS) {
    if (k === 'conv2dBackwardInput' && geometry === MNIST_CONV_LAYERS[0].geometry) continue; // not called in training
    const flops = convFlops(geometry);
    const base = subject(`${name.slice(0, 6)} ${k} base`, otherConv.convCall(a, k, geometry), flops);
    const next = subject(`${name.slice(0, 6)} ${k} new`, convCall(b, k, geometry), flops);
    subjects.push(base, next);
    pairs.push({ name: `${name.slice(0, 6)} ${k}`, flops, base, next });
  }
}
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < subjects.length; i++) {
    const s = subjects[(i + round) % subjects.length];
    const t = performance.now();
    for (let r = 0; r < s.reps; r++) s.call();
    s.rates.push((s.reps * s.flops) / ((performance.now() - t) / 1000) / 1e9);
  }
}
const ceiling = median(subjects[0].rates);
console.log(`ceiling 512²: ${ceiling.toFixed(2)} GFLOP/s`);
let flops = 0,
  tBase = 0,
  tNew = 0;
for (const p of pairs) {
  const mb = median(p.base.rates),
    mn = median(p.next.rates);
  const wins = p.next.rates.filter((v, i) => v > p.base.rates[i]).length;
  flops += p.flops;
  tBase += p.flops / mb;
  tNew += p.flops / mn;
  console.log(
    `${p.name.padEnd(28)} base ${mb.toFixed(2).padStart(6)}  new ${mn.toFixed(2).padStart(6)} GFLOP/s  ` +
      `×${(mn / mb).toFixed(2)}  (new faster in ${wins} of ${rounds} rounds)`,
  );
}
console.log(
  `the training mix (each call once): base ${(flops / tBase).toFixed(2)} GFLOP/s = ${(flops / tBase / ceiling).toFixed(2)}× the ceiling, ` +
    `new ${(flops / tNew).toFixed(2)} = ${(flops / tNew / ceiling).toFixed(2)}×`,
);
