import { describe, expect, it } from 'vitest';
import { benchmark, NOISY_SPREAD, rowOf, type BenchmarkRow } from '../../src/benchmark/index.js';
import { calibrate, timePair, type Clock } from '../../src/benchmark/timing.js';
import { getThreads } from '../../src/index.js';

describe('benchmark()', () => {
  it('compares the two backends in rows of { name, wasm, js, unit, ratio, ratioRange, noisy } (quick)', async () => {
    const seen: BenchmarkRow[] = [];
    const rows = await benchmark({ quick: true, onProgress: (row) => seen.push(row) });
    expect(rows.map((r) => r.unit)).toEqual(['GFLOP/s', 'samples/s', 'samples/s']);
    expect(rows.map((r) => r.name)).toEqual([
      expect.stringMatching(/^matmul 256/),
      expect.stringMatching(/^train MLP/),
      expect.stringMatching(/^predict/),
    ]);
    // every row reaches onProgress, in order, as the same object
    expect(seen).toEqual(rows);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual([
        'js',
        'name',
        'noisy',
        'ratio',
        'ratioRange',
        'threads',
        'threadsRatio',
        'unit',
        'wasm',
        'wasmThreads',
      ]);
      expect(row.js).toBeGreaterThan(0);
      expect(Number.isFinite(row.js)).toBe(true);
      // this test machine runs WebAssembly SIMD, so wasm is measured and the ratio is wasm / js
      expect(row.wasm).not.toBeNull();
      expect(row.wasm!).toBeGreaterThan(0);
      expect(row.ratio).toBeCloseTo(row.wasm! / row.js, 10);
      const [lo, hi] = row.ratioRange!;
      expect(lo).toBeLessThanOrEqual(hi);
      expect(typeof row.noisy).toBe('boolean');
      // threads: the count in use, and with several a second rate and its ratio to one thread
      expect(row.threads).toBe(getThreads());
      if (row.threads > 1) {
        expect(row.wasmThreads!).toBeGreaterThan(0);
        expect(row.threadsRatio!).toBeGreaterThan(0);
      } else {
        expect(row.wasmThreads).toBeNull();
        expect(row.threadsRatio).toBeNull();
      }
    }
  });
});

/** A clock that only moves when the fake work says so. */
function fakeTime() {
  let t = 0;
  const clock: Clock = () => t;
  return {
    clock,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('benchmark timing', () => {
  it('calibrates so that every sample lasts at least the minimum, however fast one call is', async () => {
    const { clock, advance } = fakeTime();
    // 0.01 ms per unit of work: a single call is far below any timer's resolution
    const reps = await calibrate(
      (n) => {
        advance(0.01 * n);
        return n;
      },
      25,
      clock,
    );
    expect(reps * 0.01).toBeGreaterThanOrEqual(25);
    expect(reps * 0.01).toBeLessThan(25 * 1.01);
    // a call slower than the minimum is timed once per sample
    expect(
      await calibrate(
        (n) => {
          advance(40 * n);
          return n;
        },
        25,
        clock,
      ),
    ).toBe(1);
  });

  it('alternates the samples of the two backends and reports medians, ranges and the ratio of each pair', async () => {
    const { clock, advance } = fakeTime();
    const order: string[] = [];
    let sampleOfA = 0;
    // a: 2 ms per unit, except one sample where the machine was busy (twice as slow); b: 10 ms per unit
    const a = (n: number) => {
      order.push('a');
      advance(n * (n > 1 && ++sampleOfA === 3 ? 4 : 2));
      return n;
    };
    const b = (n: number) => {
      order.push('b');
      advance(n * 10);
      return n;
    };
    const timed = await timePair(a, b, { minMs: 20, samples: 5, clock });
    // calibration of each (a warm-up and the runs to find the count), then a, b, a, b, …
    expect(order.slice(-10).join('')).toBe('ababababab');
    expect(timed.a!.rates).toHaveLength(5);
    expect(timed.a!.median).toBeCloseTo(500, 6); // units per second
    expect(timed.b.median).toBeCloseTo(100, 6);
    expect(timed.a!.min).toBeCloseTo(250, 6);
    const row = rowOf('x', 'u', timed);
    expect(row.ratio).toBeCloseTo(5, 6);
    expect(row.ratioRange![0]).toBeCloseTo(2.5, 6);
    expect(row.ratioRange![1]).toBeCloseTo(5, 6);
    // a spread of (500 − 250) / 500 = 50% is more than NOISY_SPREAD
    expect(NOISY_SPREAD).toBeLessThan(0.5);
    expect(row.noisy).toBe(true);
  });

  it('steady samples are not noisy; without wasm the row says null', async () => {
    const { clock, advance } = fakeTime();
    const steady = (ms: number) => (n: number) => {
      advance(n * ms);
      return n;
    };
    const both = rowOf('x', 'u', await timePair(steady(1), steady(3), { minMs: 10, samples: 3, clock }), 1e3);
    expect(both).toMatchObject({ ratio: 3, ratioRange: [3, 3], noisy: false });
    expect(both.js).toBeCloseTo(1000 / 3 / 1e3, 9); // scaled, as GFLOP/s are
    const jsOnly = rowOf('x', 'u', await timePair(null, steady(3), { minMs: 10, samples: 3, clock }));
    expect(jsOnly).toMatchObject({ wasm: null, ratio: null, ratioRange: null, noisy: false });
  });
});
