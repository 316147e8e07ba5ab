import { describe, expect, it } from 'vitest';
import { randomLabels, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { MATRICES, SIZES, type SuiteContext } from '../suite-context.js';

export function metricCases(ctx: SuiteContext): void {
  describe('metrics', () => {
    it('count correct rows by hand; ties go to the first maximum', () => {
      const mem = ctx.mem();
      // argmax by row: 1, 0 (a tie between 0 and 1), 2
      const p = mem.put([0.1, 0.7, 0.2, 0.5, 0.5, 0, 0.2, 0.3, 0.5]);
      expect(mem.k.sparseAccuracyCount(p, mem.put([1, 1, 2]), 3, 3)).toBe(2);
      expect(mem.k.sparseAccuracyCount(p, mem.put([1, 0, 2]), 3, 3)).toBe(3);
      expect(mem.k.categoricalAccuracyCount(p, mem.put([0, 1, 0, 0, 1, 0, 0, 0, 1]), 3, 3)).toBe(2);
      // a tie in the targets resolves the same way
      expect(mem.k.categoricalAccuracyCount(p, mem.put([0, 1, 0, 1, 1, 0, 0, 0, 1]), 3, 3)).toBe(3);
      // (p > 0.5) == (t > 0.5): yes, yes, no (0.5 is not above 0.5), no
      expect(mem.k.binaryAccuracyCount(mem.put([0.2, 0.6, 0.5, 0.9]), mem.put([0, 1, 1, 0]), 4, 0.5)).toBe(2);
      expect(mem.k.binaryAccuracyCount(mem.put([0.2, 0.6, 0.5, 0.9]), mem.put([0, 1, 1, 0]), 4, 0.4)).toBe(3);
    });

    it.each(MATRICES)('sparse and categorical accuracy on %i×%i against the reference', (rows, cols) => {
      const mem = ctx.mem(),
        rand = seededRandom(rows * 17 + cols);
      const p = uniform(rand, rows * cols),
        labels = randomLabels(rand, rows, cols);
      // make about half the rows correct, so that a wrong count cannot hide behind zero
      labels.forEach((_, i) => {
        if (i % 2 === 0)
          labels[i] = p.slice(i * cols, (i + 1) * cols).indexOf(Math.max(...p.slice(i * cols, (i + 1) * cols)));
      });
      const pp = mem.put(p);
      expect(mem.k.sparseAccuracyCount(pp, mem.put(labels), rows, cols)).toBe(ref.sparseAccuracyCount(p, labels, cols));
      const t = ref.oneHot(labels, cols);
      expect(mem.k.categoricalAccuracyCount(pp, mem.put(t), rows, cols)).toBe(ref.categoricalAccuracyCount(p, t, cols));
    });

    it.each(SIZES)('binary accuracy on n=%i against the reference', (n) => {
      const mem = ctx.mem(),
        rand = seededRandom(n + 5);
      const p = uniform(rand, n, 0, 1),
        t = uniform(rand, n, 0, 1).map(Math.round);
      expect(mem.k.binaryAccuracyCount(mem.put(p), mem.put(t), n, 0.5)).toBe(ref.binaryAccuracyCount(p, t, 0.5));
    });

    it('top-k counts by hand: ties with the true class count as in, NaN and labels out of range never', () => {
      const mem = ctx.mem();
      const p = mem.put([0.1, 0.4, 0.3, 0.2, 0.4, 0.4, 0.1, 0.1, 0.25, 0.25, 0.25, 0.25]);
      // row 0: class 2 is second largest; row 1: classes 0 and 1 tie for first; row 2: all tie
      expect(mem.k.sparseTopKCount(p, mem.put([2, 1, 3]), 3, 4, 1)).toBe(2); // 2 is not first; 1 ties; all tie
      expect(mem.k.sparseTopKCount(p, mem.put([2, 2, 3]), 3, 4, 2)).toBe(2); // row 1's class 2 has two above it
      expect(mem.k.sparseTopKCount(p, mem.put([0, 3, 0]), 3, 4, 3)).toBe(2); // row 0's class 0 is last of four
      expect(mem.k.sparseTopKCount(p, mem.put([4, -1, 0]), 3, 4, 5)).toBe(1); // labels 4 and −1 are out of range
      const nan = mem.put([NaN, 0.5, 0.2, 0.1]);
      expect(mem.k.sparseTopKCount(nan, mem.put([0]), 1, 4, 4)).toBe(0);
      expect(mem.k.sparseTopKCount(nan, mem.put([1]), 1, 4, 1)).toBe(1);
      expect(mem.k.categoricalTopKCount(p, mem.put([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]), 3, 4, 1)).toBe(1);
      expect(mem.k.categoricalTopKCount(p, mem.put([0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1]), 3, 4, 2)).toBe(2);
    });

    it.each(MATRICES)('top-k counts on %i×%i against the reference (k = 1, 3, 5)', (rows, cols) => {
      const mem = ctx.mem(),
        rand = seededRandom(rows * 31 + cols);
      // values on a coarse grid, so that ties occur
      const p = uniform(rand, rows * cols).map((v) => Math.round(v * 4) / 4),
        labels = randomLabels(rand, rows, cols);
      const pp = mem.put(p),
        t = ref.oneHot(labels, cols),
        tp = mem.put(t),
        lp = mem.put(labels);
      for (const k of [1, 3, 5]) {
        expect(mem.k.sparseTopKCount(pp, lp, rows, cols, k), `sparse k=${k}`).toBe(
          ref.sparseTopKCount(p, labels, cols, k),
        );
        expect(mem.k.categoricalTopKCount(pp, tp, rows, cols, k), `categorical k=${k}`).toBe(
          ref.categoricalTopKCount(p, t, cols, k),
        );
      }
    });
  });
}
