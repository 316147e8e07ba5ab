/** Matrix products (the three forms of the kernel contract) and a wide Dense layer, in GFLOP/s. */
import type { BackendName } from '../../src/index.js';
import { Dense, Random } from '../../src/index.js';
import { resolveBackend } from '../../src/backends/index.js';
import { ceilingMatmul } from '../lib/ceiling.js';
import { fastestOf, measure, type Subject, type Trial } from '../lib/harness.js';
import { snSubject, tfSubject, type Ctx } from '../lib/context.js';
import { rowFrom } from '../lib/report.js';
import type { Tf } from '../lib/tfjs.js';

const gflops = (flopsPerSecond: number) => `${(flopsPerSecond / 1e9).toFixed(1)} GFLOP/s`;

/** The three products backprop needs, named as in src/backends/kernels.ts. */
export type Form = 'matmul' | 'matmulTransB' | 'matmulTransA';

/**
 * The operand shapes for a product of FLOP count 2·m·k·n:
 *   matmul        y[m,n]  = x[m,k] · w[k,n]
 *   matmulTransB  dx[m,k] = dy[m,n] · w[k,n]ᵀ
 *   matmulTransA  dw[k,n] = x[m,k]ᵀ · dy[m,n]
 */
function shapes(
  form: Form,
  m: number,
  k: number,
  n: number,
): { a: [number, number]; b: [number, number]; out: [number, number] } {
  if (form === 'matmul') return { a: [m, k], b: [k, n], out: [m, n] };
  if (form === 'matmulTransB') return { a: [m, n], b: [k, n], out: [m, k] };
  return { a: [m, k], b: [m, n], out: [k, n] };
}

function randomArray(n: number, rng: Random): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** A kernel called directly on arena pointers, exactly as the layers call it. */
function snMatmul(backend: BackendName, form: Form, m: number, k: number, n: number): Trial {
  const { arena, kernels } = resolveBackend(backend);
  const s = shapes(form, m, k, n);
  const rng = new Random(1);
  const a = arena.alloc(s.a[0] * s.a[1]);
  const b = arena.alloc(s.b[0] * s.b[1]);
  const out = arena.alloc(s.out[0] * s.out[1]);
  arena.write(a, randomArray(s.a[0] * s.a[1], rng));
  arena.write(b, randomArray(s.b[0] * s.b[1], rng));
  const flops = 2 * m * k * n;
  const call =
    form === 'matmul'
      ? () => kernels.matmul(a, b, out, m, k, n)
      : form === 'matmulTransB'
        ? () => kernels.matmulTransB(a, b, out, m, n, k)
        : () => kernels.matmulTransA(a, b, out, m, k, n);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) call();
      return reps * flops;
    },
    dispose() {
      arena.free(out);
      arena.free(b);
      arena.free(a);
    },
  };
}

/**
 * tf.matMul with transposeA/transposeB ('flags', what TF.js's own gradients call), or with the operand transposed
 * first by tf.transpose ('transpose'); dataSync makes sure each product is computed and read back.
 */
function tfMatmul(tf: Tf, form: Form, m: number, k: number, n: number, way: 'flags' | 'transpose' = 'flags'): Trial {
  const s = shapes(form, m, k, n);
  const rng = new Random(1);
  const a = tf.tensor2d(randomArray(s.a[0] * s.a[1], rng), s.a);
  const b = tf.tensor2d(randomArray(s.b[0] * s.b[1], rng), s.b);
  const [ta, tb] = form === 'matmulTransA' ? [true, false] : form === 'matmulTransB' ? [false, true] : [false, false];
  const flops = 2 * m * k * n;
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) {
        const c =
          way === 'flags'
            ? tf.matMul(a, b, ta, tb)
            : tf.tidy(() => tf.matMul(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b));
        c.dataSync();
        c.dispose();
      }
      return reps * flops;
    },
    dispose() {
      a.dispose();
      b.dispose();
    },
  };
}

export async function matmulCases(ctx: Ctx): Promise<void> {
  const section = 'matmul (GFLOP/s = 2·m·k·n / time)';
  const cases: { name: string; form: Form; m: number; k: number; n: number }[] = [
    ...[64, 128, 256, 512, 1024].map((s) => ({
      name: `matmul ${s}×${s}·${s}×${s}`,
      form: 'matmul' as Form,
      m: s,
      k: s,
      n: s,
    })),
    { name: 'MLP fwd: matmul x[64,784]·w[784,128]', form: 'matmul', m: 64, k: 784, n: 128 },
    { name: 'MLP bwd: matmulTransB dy[64,128]·w[784,128]ᵀ', form: 'matmulTransB', m: 64, k: 784, n: 128 },
    { name: 'MLP bwd: matmulTransA x[64,784]ᵀ·dy[64,128]', form: 'matmulTransA', m: 64, k: 784, n: 128 },
  ];
  for (const c of cases) {
    ctx.log(`  ${c.name}`);
    const jsSkip = ctx.quick && c.m >= 1024 ? 'in --quick (about 2 GFLOP per call on plain JS)' : undefined;
    // the yardstick, for the plain products it was measured on (squares of 128…1024, the MLP's forward)
    const ceiling: Subject[] =
      c.form === 'matmul' && c.n >= 128 ? [{ id: 'ceiling', setup: () => ceilingMatmul(c.m, c.k, c.n) }] : [];
    const m = await measure(
      [
        snSubject('wasm', () => snMatmul('wasm', c.form, c.m, c.k, c.n)),
        snSubject('js', () => snMatmul('js', c.form, c.m, c.k, c.n), jsSkip),
        ...ceiling,
        tfSubject(ctx, 'wasm', (tf) =>
          c.form === 'matmul'
            ? tfMatmul(tf, c.form, c.m, c.k, c.n)
            : fastestOf(
                [
                  {
                    note: `tf.matMul(a, b, ${c.form === 'matmulTransA'}, ${c.form === 'matmulTransB'})`,
                    setup: () => tfMatmul(tf, c.form, c.m, c.k, c.n, 'flags'),
                  },
                  {
                    note: 'tf.transpose, then tf.matMul',
                    setup: () => tfMatmul(tf, c.form, c.m, c.k, c.n, 'transpose'),
                  },
                ],
                ctx.profile.probeSeconds,
                gflops,
              ),
        ),
      ],
      ctx.profile.kernel,
      ctx.log,
    );
    ctx.addRow(rowFrom(section, c.name, 'GFLOP/s', m, (r) => r / 1e9));
  }
}

/** Dense 1024→1024 (linear) forward and backward on 1024 rows: 3 products of 2·1024³ FLOPs, plus the bias. */
const WIDE = 1024;
const WIDE_FLOPS = 3 * 2 * WIDE * WIDE * WIDE;

/** scratchnet's own Dense layer: forward (matmul, bias) and backward (matmulTransA, sumRows, matmulTransB). */
function snWide(backend: BackendName): Trial {
  const be = resolveBackend(backend);
  const rng = new Random(3);
  const layer = new Dense(WIDE);
  layer.build(be, WIDE, rng);
  layer.reserve(WIDE);
  const x = be.arena.alloc(WIDE * WIDE);
  const dy = be.arena.alloc(WIDE * WIDE);
  be.arena.write(x, randomArray(WIDE * WIDE, rng));
  be.arena.write(dy, randomArray(WIDE * WIDE, rng));
  const mode = { training: true, logits: false };
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) {
        layer.forward(x, WIDE, mode);
        layer.backward(dy, WIDE, true, mode);
      }
      return reps * WIDE_FLOPS;
    },
    dispose() {
      be.arena.free(dy);
      be.arena.free(x);
      layer.dispose();
    },
  };
}

/**
 * The ops TF.js's autodiff runs for a dense layer, written out: y = x·W + b, dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ dy,
 * the transposed products with matMul's transpose flags (as its gradients do) or after an explicit tf.transpose.
 */
function tfWide(tf: Tf, way: 'flags' | 'transpose'): Trial {
  const rng = new Random(3);
  const w = tf.variable(tf.tensor2d(randomArray(WIDE * WIDE, rng), [WIDE, WIDE]));
  const b = tf.variable(tf.zeros([WIDE]));
  const x = tf.tensor2d(randomArray(WIDE * WIDE, rng), [WIDE, WIDE]);
  const dy = tf.tensor2d(randomArray(WIDE * WIDE, rng), [WIDE, WIDE]);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) {
        const outs = tf.tidy(() => [
          tf.add(tf.matMul(x, w), b),
          way === 'flags' ? tf.matMul(dy, w, false, true) : tf.matMul(dy, tf.transpose(w)),
          way === 'flags' ? tf.matMul(x, dy, true, false) : tf.matMul(tf.transpose(x), dy),
          tf.sum(dy, 0),
        ]);
        for (const t of outs) {
          t.dataSync();
          t.dispose();
        }
      }
      return reps * WIDE_FLOPS;
    },
    dispose() {
      for (const t of [w, b, x, dy]) t.dispose();
    },
  };
}

export async function wideLayerCase(ctx: Ctx): Promise<void> {
  const name = 'Dense 1024→1024 fwd+bwd, 1024 rows';
  ctx.log(`  ${name}`);
  const m = await measure(
    [
      snSubject('wasm', () => snWide('wasm')),
      snSubject('js', () => snWide('js'), ctx.quick ? 'in --quick (6.4 GFLOP per step on plain JS)' : undefined),
      // --quick skips probing the transpose flags: about 2 s per step on TF.js wasm, and never the faster way
      tfSubject(ctx, 'wasm', (tf) =>
        fastestOf(
          [
            ...(ctx.quick
              ? []
              : [{ note: "matMul transpose flags (as TF.js's gradients)", setup: () => tfWide(tf, 'flags') }]),
            { note: 'tf.transpose, then tf.matMul', setup: () => tfWide(tf, 'transpose') },
          ],
          ctx.profile.probeSeconds,
          gflops,
        ),
      ),
    ],
    { ...ctx.profile.kernel, rounds: ctx.quick ? 1 : 3 },
    ctx.log,
  );
  ctx.addRow(
    rowFrom('wide layer (GFLOP/s; 6·1024³ FLOPs per step)', name, 'GFLOP/s', m, (r) => r / 1e9, {
      notes: [
        "scratchnet: its Dense layer's forward and backward (matmul, addRowVector, matmulTransA, sumRows, matmulTransB); " +
          'TF.js: the same products written as tf ops (matMul + add, the two transposed products, sum), read back with dataSync',
      ],
    }),
  );
}
