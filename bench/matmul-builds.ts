// Kernel builds side by side against the SIMD128 yardstick (bench/ceiling/sgemm.ts), interleaved in one process: for
// an A/B of two checkouts of assembly/ on a busy machine, where only ratios within one run count.
//   npx tsx bench/matmul-builds.ts [--rounds 11] [--sizes 128,256,512,768,1024] name=build/scratchnet.wasm …
// Each build gets its own memory; the same operands go to every build, whose outputs must agree bit for bit. Time is
// this process's CPU time; each build's rate is divided by the yardstick's in the same round, and the median printed.
import { readFileSync } from 'node:fs';
import { Random } from '../src/index.js';
import { ceilingMatmul } from './lib/ceiling.js';

type Form = 'matmul' | 'matmulTransA' | 'matmulTransB';
type Kernel = (a: number, b: number, c: number, d1: number, d2: number, d3: number) => void;
interface Subject {
  name: string;
  run(reps: number): void;
  out(): Float32Array;
}

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  return args.splice(i, 2)[1];
}
const rounds = Number(option('rounds', '11'));
const sizes = option('sizes', '128,256,512,768,1024').split(',').map(Number);
const builds = (args.length ? args : ['this=build/scratchnet.wasm']).map((a) => a.split('=') as [string, string]);
const FORMS: Form[] = ['matmul', 'matmulTransA', 'matmulTransB'];
const PAGE = 65536;

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

/** One build's kernel on an s×s×s product, over operands drawn from a fixed seed (the same for every build). */
function build(name: string, path: string, form: Form, s: number): Subject {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  const exports = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { env: { memory } })
    .exports as Record<string, Kernel> & { heapBase(): number };
  const a = (exports.heapBase() + 63) & ~63,
    bytes = s * s * 4,
    b = a + bytes,
    c = b + bytes;
  memory.grow(Math.ceil((c + bytes) / PAGE));
  const rng = new Random(1);
  const f = new Float32Array(memory.buffer, a, 2 * s * s);
  for (let i = 0; i < f.length; i++) f[i] = rng.uniform(-1, 1);
  const kernel = exports[form];
  return {
    name,
    run: (reps) => {
      for (let r = 0; r < reps; r++) kernel(a, b, c, s, s, s);
    },
    out: () => new Float32Array(memory.buffer, c, s * s).slice(),
  };
}

/** repetitions that take about `seconds` of CPU */
function calibrate(run: (reps: number) => void, seconds = 0.08): number {
  for (let reps = 1; ; reps *= 2) {
    const t = cpuSeconds();
    run(reps);
    const dt = cpuSeconds() - t;
    if (dt >= seconds / 4) return Math.max(1, Math.round((reps * seconds) / dt));
  }
}

console.log(`| product | ${builds.map(([n]) => `${n} ÷ yardstick`).join(' | ')} | yardstick GFLOP/s | same bits |`);
console.log(`|---|${builds.map(() => '---|').join('')}---|---|`);
for (const s of sizes) {
  for (const form of FORMS) {
    const ceiling = await ceilingMatmul(s, s, s);
    const subjects = builds.map(([n, p]) => build(n, p, form, s));
    const ref = (subjects[0].run(1), subjects[0].out());
    const same = subjects.every((x) => (x.run(1), x.out().every((v, i) => Object.is(v, ref[i]))));
    const all = [{ name: 'ceiling', run: (r: number) => void ceiling.run(r) }, ...subjects];
    const reps = all.map((x) => calibrate(x.run));
    const rates: number[][] = all.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (let q = 0; q < all.length; q++) {
        const i = (q + round) % all.length;
        const t = cpuSeconds();
        all[i].run(reps[i]);
        rates[i].push((reps[i] * 2 * s ** 3) / (cpuSeconds() - t));
      }
    }
    const ratios = subjects.map((_, j) => median(rates[j + 1].map((r, round) => r / rates[0][round])).toFixed(2));
    console.log(
      `| ${form} ${s}³ | ${ratios.map((r) => `${r}×`).join(' | ')} | ${(median(rates[0]) / 1e9).toFixed(1)} | ${same} |`,
    );
  }
}
