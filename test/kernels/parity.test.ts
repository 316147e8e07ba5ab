import { describe, expect, it } from 'vitest';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasm, skipReason, lossOutputs, type Outputs, TOL } from './parity-setup.js';
import { ACTIVATIONS } from './cases/activations.js';
import { LOSSES } from './cases/losses.js';
import { OPTIMIZERS } from './cases/optimizers.js';
import { expectClose, Mem, seededRandom, uniform } from './helpers.js';
import {
  conv2dGeometry,
  convArgs,
  convScratchFloats,
  pool2dGeometry,
  poolArgs,
} from '../../src/backends/conv-geometry.js';

// wasm against JS (float32) on the same seeded inputs, with the tolerances of tolerances.ts (docs/TESTING.md); NaN,
// +Inf and −Inf must sit in the same positions. Skipped, saying why, only if the wasm backend cannot be loaded.

/** Runs a scenario on both backends and compares every named output. */
function expectParity(scenario: (mem: Mem) => Outputs): void {
  const js = scenario(new Mem(createJsBackend()));
  const wasm = scenario(new Mem(createWasm!()));
  for (const [name, { values, tol }] of Object.entries(js)) expectClose(wasm[name].values, values, tol, name);
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, 1.5, -2, 0.25, NaN, -0.5, Infinity, 3];

describe.skipIf(!createWasm)(`wasm and js agree${skipReason}`, () => {
  const [m, k, n] = [33, 70, 17];

  it('forward: a dense layer, then every activation', () => {
    expectParity((mem) => {
      const rand = seededRandom(1);
      const x = mem.put(uniform(rand, m * k)),
        w = mem.put(uniform(rand, k * n)),
        b = mem.put(uniform(rand, n));
      const z = mem.zeros(m * n),
        y = mem.zeros(m * n);
      mem.k.matmul(x, w, z, m, k, n);
      const out: Outputs = { matmul: { values: mem.get(z, m * n), tol: TOL.reduction } };
      mem.k.addRowVector(z, b, m, n);
      out.addRowVector = { values: mem.get(z, m * n), tol: TOL.reduction };
      for (const act of ACTIVATIONS) {
        act.forward(mem.k, z, y, m * n);
        out[act.name] = { values: mem.get(y, m * n), tol: TOL.reduction };
      }
      mem.k.softmax(z, y, m, n);
      out.softmax = { values: mem.get(y, m * n), tol: TOL.reduction };
      return out;
    });
  });

  it('backward: every activation, then the dense layer (its gradients one by one and together)', () => {
    expectParity((mem) => {
      const rand = seededRandom(2);
      const x = mem.put(uniform(rand, m * k)),
        w = mem.put(uniform(rand, k * n));
      const z = mem.put(uniform(rand, m * n, -3, 3)),
        dy = mem.put(uniform(rand, m * n));
      const y = mem.zeros(m * n),
        dz = mem.zeros(m * n);
      const out: Outputs = {};
      for (const act of ACTIVATIONS) {
        act.forward(mem.k, z, y, m * n);
        act.backward(mem.k, y, dy, dz, m * n);
        out[`${act.name}Backward`] = { values: mem.get(dz, m * n), tol: TOL.compound };
      }
      mem.k.softmax(z, y, m, n);
      mem.k.softmaxBackward(y, dy, dz, m, n);
      out.softmaxBackward = { values: mem.get(dz, m * n), tol: TOL.compound };
      const dx = mem.zeros(m * k),
        dw = mem.zeros(k * n),
        db = mem.zeros(n);
      mem.k.matmulTransB(dz, w, dx, m, n, k);
      mem.k.matmulTransA(x, dz, dw, m, k, n);
      mem.k.sumRows(dz, db, m, n);
      out.matmulTransB = { values: mem.get(dx, m * k), tol: TOL.reduction };
      out.matmulTransA = { values: mem.get(dw, k * n), tol: TOL.reduction };
      out.sumRows = { values: mem.get(db, n), tol: TOL.reduction };
      const dxBoth = mem.zeros(m * k),
        dwBoth = mem.zeros(k * n);
      mem.k.denseBackward(x, dz, w, dwBoth, dxBoth, m, k, n);
      out['denseBackward: dx'] = { values: mem.get(dxBoth, m * k), tol: TOL.reduction };
      out['denseBackward: dw'] = { values: mem.get(dwBoth, k * n), tol: TOL.reduction };
      return out;
    });
  });

  it.each(LOSSES.map((l) => [l.name, l] as const))('%s: loss, gradient and probabilities', (_name, loss) => {
    expectParity((mem) => lossOutputs(mem, loss, 3, m, n));
    expectParity((mem) => lossOutputs(mem, loss, 3, m, n, true)); // with sample weights
  });

  it.each(['sgdStep', 'adamStep'])('%s: three steps', (name) => {
    const opt = OPTIMIZERS.find((o) => o.name === name)!;
    const size = 1003;
    expectParity((mem) => {
      const rand = seededRandom(4);
      const param = mem.put(uniform(rand, size, -2, 2)),
        grad = mem.zeros(size);
      const slots = Array.from({ length: opt.slots }, () => mem.zeros(size));
      for (let t = 1; t <= 3; t++) {
        mem.set(grad, uniform(rand, size));
        opt.step(mem.k, param, grad, slots, size, t);
      }
      return Object.fromEntries([
        ['param', { values: mem.get(param, size), tol: TOL.compound }],
        ...slots.map((s, i) => [`slot ${i}`, { values: mem.get(s, size), tol: TOL.compound }]),
      ]);
    });
  });

  // The Keras MNIST convnet's two conv layers (batch 3) and its pooling. Convolutions are sums of up to K = 288 terms
  // in a different grouping (the JS dot products of the input gradient sum in double): TOL.reduction. Pooling does the
  // same IEEE operations in the same order on both backends: bit-identical.
  it.each([
    ['28×28×1 → 26×26×32, 3×3', conv2dGeometry({ n: 3, inH: 28, inW: 28, inC: 1, kh: 3, kw: 3, outC: 32 })],
    ['13×13×32 → 11×11×64, 3×3', conv2dGeometry({ n: 3, inH: 13, inW: 13, inC: 32, kh: 3, kw: 3, outC: 64 })],
    [
      '14×14×5 → 7×7×6, 3×2, stride 2, same',
      conv2dGeometry({
        n: 2,
        inH: 14,
        inW: 14,
        inC: 5,
        kh: 3,
        kw: 2,
        outC: 6,
        strideH: 2,
        strideW: 2,
        padding: 'same',
      }),
    ],
  ] as const)('conv %s: forward, input and filter gradients, and both in one call', (_name, g) => {
    const xs = g.n * g.inH * g.inW * g.inC,
      ws = g.kh * g.kw * g.inC * g.outC,
      ys = g.n * g.outH * g.outW * g.outC;
    expectParity((mem) => {
      const rand = seededRandom(8);
      const x = mem.put(uniform(rand, xs)),
        w = mem.put(uniform(rand, ws)),
        dy = mem.put(uniform(rand, ys));
      const y = mem.zeros(ys),
        dx = mem.zeros(xs),
        dw = mem.zeros(ws),
        scratch = mem.zeros(convScratchFloats(g));
      mem.k.conv2d(x, w, y, scratch, ...convArgs(g));
      mem.k.conv2dBackwardInput(dy, w, dx, scratch, ...convArgs(g));
      mem.k.conv2dBackwardFilter(x, dy, dw, scratch, ...convArgs(g));
      // both gradients in one call, with the bias's
      const dxBoth = mem.zeros(xs),
        dwBoth = mem.zeros(ws),
        dbBoth = mem.zeros(g.outC);
      mem.k.conv2dBackward(x, dy, w, dxBoth, dwBoth, scratch, ...convArgs(g), dbBoth);
      return {
        conv2d: { values: mem.get(y, ys), tol: TOL.reduction },
        conv2dBackwardInput: { values: mem.get(dx, xs), tol: TOL.reduction },
        conv2dBackwardFilter: { values: mem.get(dw, ws), tol: TOL.reduction },
        'conv2dBackward: dx': { values: mem.get(dxBoth, xs), tol: TOL.reduction },
        'conv2dBackward: dw': { values: mem.get(dwBoth, ws), tol: TOL.reduction },
        'conv2dBackward: db': { values: mem.get(dbBoth, g.outC), tol: TOL.reduction },
      };
    });
  });

  it.each([
    ['26×26×32, 2×2', pool2dGeometry({ n: 3, inH: 26, inW: 26, c: 32, poolH: 2, poolW: 2 })],
    [
      '11×11×64, 2×2 (a row and a column dropped)',
      pool2dGeometry({ n: 3, inH: 11, inW: 11, c: 64, poolH: 2, poolW: 2 }),
    ],
    [
      '9×7×7, 3×3 stride 2, same',
      pool2dGeometry({ n: 2, inH: 9, inW: 7, c: 7, poolH: 3, poolW: 3, strideH: 2, strideW: 2, padding: 'same' }),
    ],
  ] as const)('pool %s: max and average, forward and backward, bit-identical', (_name, g) => {
    const xs = g.n * g.inH * g.inW * g.c,
      ys = g.n * g.outH * g.outW * g.c;
    expectParity((mem) => {
      const rand = seededRandom(9);
      const x = mem.put(uniform(rand, xs)),
        dy = mem.put(uniform(rand, ys));
      const y = mem.zeros(ys),
        dx = mem.zeros(xs),
        out: Outputs = {};
      mem.k.maxPool(x, y, ...poolArgs(g));
      out.maxPool = { values: mem.get(y, ys), tol: TOL.exact };
      mem.k.maxPoolBackward(x, dy, dx, ...poolArgs(g));
      out.maxPoolBackward = { values: mem.get(dx, xs), tol: TOL.exact };
      mem.k.avgPool(x, y, ...poolArgs(g));
      out.avgPool = { values: mem.get(y, ys), tol: TOL.exact };
      mem.k.avgPoolBackward(dy, dx, ...poolArgs(g));
      out.avgPoolBackward = { values: mem.get(dx, xs), tol: TOL.exact };
      return out;
    });
  });

  it('NaN, +Inf and −Inf come out in the same positions', () => {
    const cols = SPECIALS.length;
    expectParity((mem) => {
      const rand = seededRandom(5);
      const x = mem.put(SPECIALS),
        plain = mem.put(uniform(rand, cols)),
        y = mem.zeros(cols),
        dx = mem.zeros(cols);
      const out: Outputs = {};
      for (const act of ACTIVATIONS) {
        act.forward(mem.k, x, y, cols);
        out[act.name] = { values: mem.get(y, cols), tol: TOL.transcendental };
        act.backward(mem.k, x, plain, dx, cols);
        out[`${act.name}Backward (specials in y)`] = { values: mem.get(dx, cols), tol: TOL.compound };
        act.backward(mem.k, plain, x, dx, cols);
        out[`${act.name}Backward (specials in dy)`] = { values: mem.get(dx, cols), tol: TOL.compound };
      }
      const rows = [...SPECIALS, ...uniform(rand, cols)];
      const s = mem.zeros(2 * cols);
      mem.k.softmax(mem.put(rows), s, 2, cols);
      out.softmax = { values: mem.get(s, 2 * cols), tol: TOL.transcendental };
      const w = mem.put(uniform(rand, cols * 3)),
        z = mem.zeros(3);
      mem.k.matmul(x, w, z, 1, cols, 3);
      out.matmul = { values: mem.get(z, 3), tol: TOL.reduction };
      const dy = mem.zeros(cols);
      out['mse loss'] = { values: [mem.k.mse(x, plain, dy, 1, cols, 0)], tol: TOL.reduction };
      out['mse dy'] = { values: mem.get(dy, cols), tol: TOL.compound };
      return out;
    });
  });

  it('initial weights (randomUniform, truncatedNormal) are bit-identical', () => {
    expectParity((mem: Mem) => {
      const size = 100_003,
        u = mem.zeros(size),
        z = mem.zeros(size);
      mem.k.randomUniform(u, size, -0.05, 0.05, 0xdeadbeef);
      mem.k.truncatedNormal(z, size, 0.3, 0xdeadbeef);
      return {
        uniform: { values: mem.get(u, size), tol: TOL.exact },
        normal: { values: mem.get(z, size), tol: TOL.exact },
      };
    });
  });

  it('dropout masks are bit-identical, and wasm repeats itself bit for bit', () => {
    const run = (mem: Mem) => {
      const size = 10_001,
        x = mem.put(uniform(seededRandom(6), size)),
        y = mem.zeros(size),
        mask = mem.zeros(size);
      mem.k.dropout(x, y, mask, size, 0.3, 0xdeadbeef);
      return { mask: { values: mem.get(mask, size), tol: TOL.exact }, y: { values: mem.get(y, size), tol: TOL.exact } };
    };
    expectParity(run);
    const forward = (mem: Mem) => {
      const rand = seededRandom(7);
      const x = mem.put(uniform(rand, m * k)),
        w = mem.put(uniform(rand, k * n));
      const z = mem.zeros(m * n),
        y = mem.zeros(m * n);
      mem.k.matmul(x, w, z, m, k, n);
      mem.k.tanh(z, y, m * n);
      return mem.get(y, m * n);
    };
    expect(forward(new Mem(createWasm!()))).toEqual(forward(new Mem(createWasm!())));
  });
});
