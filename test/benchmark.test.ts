import { describe, expect, it } from 'vitest';
import { benchmark, type BenchmarkRow } from '../src/benchmark.js';

describe('benchmark()', () => {
  it('compares the two backends in rows of { name, wasm, js, unit, ratio } (quick)', async () => {
    const seen: BenchmarkRow[] = [];
    const rows = await benchmark({ quick: true, onProgress: (row) => seen.push(row) });
    expect(rows.map((r) => r.unit)).toEqual(['GFLOP/s', 'samples/s', 'samples/s']);
    expect(rows.map((r) => r.name)).toEqual([
      expect.stringMatching(/^matmul 256/),
      expect.stringMatching(/^train 1 epoch/),
      expect.stringMatching(/^predict/),
    ]);
    // every row reaches onProgress, in order, as the same object
    expect(seen).toEqual(rows);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['js', 'name', 'ratio', 'unit', 'wasm']);
      expect(row.js).toBeGreaterThan(0);
      expect(Number.isFinite(row.js)).toBe(true);
      // this test machine runs WebAssembly SIMD, so wasm is measured and the ratio is wasm / js
      expect(row.wasm).not.toBeNull();
      expect(row.wasm!).toBeGreaterThan(0);
      expect(row.ratio).toBeCloseTo(row.wasm! / row.js, 10);
    }
  });
});
