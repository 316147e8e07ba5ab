import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES } from '../../../src/backends/kernels.js';
import { expectClose, seededRandom, uniform } from '../helpers.js';
import * as ref from '../reference.js';
import { roundAll, type SuiteContext } from '../suite-context.js';

export function backendShapeCases(ctx: SuiteContext): void {
  describe('backend', () => {
    it('implements exactly the kernels of KERNEL_NAMES, each a function', () => {
      const { kernels } = ctx.mem().backend;
      expect(Object.keys(kernels).sort()).toEqual([...KERNEL_NAMES].sort());
      for (const name of KERNEL_NAMES) expect(typeof kernels[name], name).toBe('function');
    });

    it('keeps every number when the arena grows in the middle of use', () => {
      const mem = ctx.mem(),
        arena = mem.backend.arena,
        rand = seededRandom(64);
      const [rows, cols] = [7, 33];
      const x = uniform(rand, rows * cols),
        b = uniform(rand, cols);
      const px = mem.put(x),
        pb = mem.put(b);
      const capacity = arena.capacity;

      arena.alloc(16 * 1024 * 1024); // 64 MiB of floats: forces growth, which detaches or replaces the old buffer
      expect(arena.capacity).toBeGreaterThan(capacity);

      expect(mem.get(px, rows * cols)).toEqual(x);
      expect(mem.get(pb, cols)).toEqual(b);
      // kernels must use the grown memory, not a view they captured before
      mem.k.addRowVector(px, pb, rows, cols);
      expectClose(mem.get(px, rows * cols), roundAll(ctx, ref.addRowVector(x, b, cols)), ctx.tol.exact, 'after growth');
      const y = mem.zeros(rows * cols);
      mem.k.relu(px, y, rows * cols);
      expect(mem.get(y, rows * cols)).toEqual(roundAll(ctx, ref.relu(ref.addRowVector(x, b, cols))));
    });
  });
}
