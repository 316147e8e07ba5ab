// wasm against JS over random shapes — sizes of 1, sizes that are not multiples of 4 (the SIMD tails), up to 37 —
// for every kernel family, with the tolerances of tolerances.ts. The values come from a generator seeded by fast-check,
// so a failure replays from FC_SEED.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ptr } from '../../src/backends/kernels.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { reportCases, runProperty } from '../properties/harness.js';
import { createWasm, skipReason, lossOutputs, type Outputs, TOL } from './parity-setup.js';
import { ACTIVATIONS } from './cases/activations.js';
import { LOSSES } from './cases/losses.js';
import { OPTIMIZERS } from './cases/optimizers.js';
import { expectClose, Mem, randomLabels, seededRandom, uniform } from './helpers.js';

reportCases('kernel parity');

/** Mem that remembers its blocks, so that each case frees what it took and the arenas stay small. */
class CaseMem extends Mem {
  private blocks: Ptr[] = [];
  private keep(p: Ptr): Ptr {
    this.blocks.push(p);
    return p;
  }
  override put(values: ArrayLike<number>) {
    return this.keep(super.put(values));
  }
  override putInts(values: ArrayLike<number>) {
    return this.keep(super.putInts(values));
  }
  override zeros(n: number) {
    return this.keep(super.zeros(n));
  }
  override out(n: number) {
    return this.keep(super.out(n));
  }
  release(): void {
    for (const p of this.blocks) this.backend.arena.free(p);
    this.blocks = [];
  }
}

const backends = createWasm ? { js: new CaseMem(createJsBackend()), wasm: new CaseMem(createWasm()) } : undefined;

function expectParity(name: string, scenario: (mem: Mem) => Outputs): void {
  const { js, wasm } = backends!;
  try {
    const a = scenario(js),
      b = scenario(wasm);
    for (const [key, { values, tol }] of Object.entries(a)) expectClose(b[key].values, values, tol, `${name}: ${key}`);
  } finally {
    js.release();
    wasm.release();
  }
}

/** 1 often, sizes just off multiples of 4 often, anything up to 37 otherwise. */
const size = fc.oneof(fc.constant(1), fc.constantFrom(2, 3, 5, 7, 9, 13, 17, 31, 33), fc.integer({ min: 1, max: 37 }));
const shape = fc.record({ m: size, k: size, n: size, seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });
type Shape = { m: number; k: number; n: number; seed: number };

describe.skipIf(!createWasm)(`wasm and js agree on random shapes${skipReason}`, () => {
  it('linear algebra: matmul, matmulTransA, matmulTransB, addRowVector, sumRows', () => {
    runProperty(
      'linear algebra',
      fc.property(shape, ({ m, k, n, seed }: Shape) => {
        expectParity(`m=${m} k=${k} n=${n}`, (mem) => {
          const rand = seededRandom(seed);
          const x = mem.put(uniform(rand, m * k)),
            w = mem.put(uniform(rand, k * n)),
            b = mem.put(uniform(rand, n));
          const dy = mem.put(uniform(rand, m * n));
          const y = mem.zeros(m * n),
            dw = mem.zeros(k * n),
            dx = mem.zeros(m * k),
            db = mem.zeros(n);
          mem.k.matmul(x, w, y, m, k, n);
          const out: Outputs = { matmul: { values: mem.get(y, m * n), tol: TOL.reduction } };
          mem.k.addRowVector(y, b, m, n);
          out.addRowVector = { values: mem.get(y, m * n), tol: TOL.reduction };
          mem.k.matmulTransA(x, dy, dw, m, k, n);
          out.matmulTransA = { values: mem.get(dw, k * n), tol: TOL.reduction };
          mem.k.matmulTransB(dy, w, dx, m, n, k);
          out.matmulTransB = { values: mem.get(dx, m * k), tol: TOL.reduction };
          mem.k.sumRows(dy, db, m, n);
          out.sumRows = { values: mem.get(db, n), tol: TOL.reduction };
          return out;
        });
      }),
      300,
    );
  });

  it('zero skipping: matmulSkipZeros and matmulTransASkipZeros equal matmul and matmulTransA bit for bit, whatever the share of zeros', () => {
    const zeros = fc.oneof(fc.constantFrom(0, 0.5, 0.7, 0.8, 1), fc.double({ min: 0, max: 1, noNaN: true }));
    runProperty(
      'zero skipping',
      fc.property(shape, zeros, ({ m, k, n, seed }: Shape, share: number) => {
        expectParity(`m=${m} k=${k} n=${n} zeros=${share}`, (mem) => {
          const rand = seededRandom(seed);
          const x = mem.put(uniform(rand, m * k).map((v) => (rand() < share ? 0 : v)));
          const w = mem.put(uniform(rand, k * n)),
            dy = mem.put(uniform(rand, m * n));
          const y = mem.zeros(m * n),
            yDense = mem.zeros(m * n),
            dw = mem.zeros(k * n),
            dwDense = mem.zeros(k * n);
          mem.k.matmulSkipZeros(x, w, y, m, k, n);
          mem.k.matmul(x, w, yDense, m, k, n);
          mem.k.matmulTransASkipZeros(x, dy, dw, m, k, n);
          mem.k.matmulTransA(x, dy, dwDense, m, k, n);
          // toEqual tells +0 from −0: the same bits, within one backend
          expect(mem.get(y, m * n), 'matmulSkipZeros against matmul').toEqual(mem.get(yDense, m * n));
          expect(mem.get(dw, k * n), 'matmulTransASkipZeros against matmulTransA').toEqual(mem.get(dwDense, k * n));
          return {
            matmulSkipZeros: { values: mem.get(y, m * n), tol: TOL.reduction },
            matmulTransASkipZeros: { values: mem.get(dw, k * n), tol: TOL.reduction },
          };
        });
      }),
      120,
    );
  });

  it('activations and softmax, forward and backward', () => {
    runProperty(
      'activations',
      fc.property(shape, ({ m, n, seed }: Shape) => {
        expectParity(`rows=${m} cols=${n}`, (mem) => {
          const rand = seededRandom(seed);
          const len = m * n;
          const z = mem.put(uniform(rand, len, -4, 4)),
            dy = mem.put(uniform(rand, len));
          const y = mem.zeros(len),
            dx = mem.zeros(len);
          const out: Outputs = {};
          for (const act of ACTIVATIONS) {
            act.forward(mem.k, z, y, len);
            out[act.name] = {
              values: mem.get(y, len),
              tol: act.tol.forward === 'exact' ? TOL.exact : TOL.transcendental,
            };
            act.backward(mem.k, y, dy, dx, len);
            out[`${act.name}Backward`] = {
              values: mem.get(dx, len),
              tol: act.tol.backward === 'exact' ? TOL.exact : TOL.compound,
            };
          }
          mem.k.softmax(z, y, m, n);
          out.softmax = { values: mem.get(y, len), tol: TOL.transcendental };
          mem.k.softmaxBackward(y, dy, dx, m, n);
          out.softmaxBackward = { values: mem.get(dx, len), tol: TOL.compound };
          return out;
        });
      }),
      150,
    );
  });

  it('losses (value, gradient, probabilities) and accuracy counts', () => {
    runProperty(
      'losses',
      fc.property(shape, ({ m, n, seed }: Shape) => {
        for (const loss of LOSSES) {
          expectParity(`${loss.name} rows=${m} cols=${n}`, (mem) => lossOutputs(mem, loss, seed, m, n));
          expectParity(`${loss.name} weighted rows=${m} cols=${n}`, (mem) => lossOutputs(mem, loss, seed, m, n, true));
        }
        expectParity(`accuracy rows=${m} cols=${n}`, (mem) => {
          const rand = seededRandom(seed);
          const p = mem.put(uniform(rand, m * n)),
            labels = mem.put(randomLabels(rand, m, n)),
            t = mem.put(uniform(rand, m * n));
          return {
            counts: {
              values: [
                mem.k.sparseAccuracyCount(p, labels, m, n),
                mem.k.categoricalAccuracyCount(p, t, m, n),
                mem.k.binaryAccuracyCount(p, t, m * n, 0.5),
              ],
              tol: TOL.exact,
            },
          };
        });
      }),
      100,
    );
  });

  it('optimizer steps, dropout masks and row gathers', () => {
    runProperty(
      'optimizers, dropout, gather',
      fc.property(shape, fc.double({ min: 0, max: 0.95, noNaN: true }), ({ m, n, seed }: Shape, rate) => {
        const len = m * n;
        for (const opt of OPTIMIZERS) {
          expectParity(`${opt.name} n=${len}`, (mem) => {
            const rand = seededRandom(seed);
            const param = mem.put(uniform(rand, len, -2, 2)),
              grad = mem.zeros(len);
            const slots = Array.from({ length: opt.slots }, () => mem.zeros(len));
            for (let t = 1; t <= 3; t++) {
              mem.set(grad, uniform(rand, len));
              opt.step(mem.k, param, grad, slots, len, t);
            }
            return Object.fromEntries([
              ['param', { values: mem.get(param, len), tol: TOL.compound }],
              ...slots.map((s, i) => [`slot ${i}`, { values: mem.get(s, len), tol: TOL.compound }]),
            ]);
          });
        }
        expectParity(`dropout n=${len} rate=${rate}`, (mem) => {
          const x = mem.put(uniform(seededRandom(seed), len)),
            y = mem.zeros(len),
            mask = mem.zeros(len);
          mem.k.dropout(x, y, mask, len, Math.fround(rate), seed >>> 0);
          return {
            mask: { values: mem.get(mask, len), tol: TOL.exact },
            y: { values: mem.get(y, len), tol: TOL.exact },
          };
        });
        expectParity(`gatherRows rows=${m} cols=${n}`, (mem) => {
          const rand = seededRandom(seed);
          const src = mem.put(uniform(rand, len)),
            idx = mem.putInts(randomLabels(rand, m, m)),
            dst = mem.zeros(len);
          mem.k.gatherRows(src, idx, dst, m, n);
          return {
            rows: { values: mem.get(dst, len), tol: TOL.exact },
            finite: { values: [mem.k.allFinite(src, len)], tol: TOL.exact },
          };
        });
      }),
      120,
    );
  });
});
