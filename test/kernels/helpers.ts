import type { Backend } from '../../src/backends/backend.js';
import type { Ptr } from '../../src/backends/kernels.js';

export type Precision = 'float32' | 'float64';

/** mulberry32: a seeded generator, so that every failure replays (never Math.random in tests). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** float32-representable uniforms in [lo, hi), so that both precisions start from the very same numbers */
export function uniform(rand: () => number, n: number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
}

/** uniforms whose magnitude is at least `gap`: keeps inputs away from the kinks of relu, leaky relu and mae */
export function awayFromZero(rand: () => number, n: number, gap: number, hi = 1): number[] {
  return uniform(rand, n, gap, hi).map((v) => (rand() < 0.5 ? -v : v));
}

export function randomLabels(rand: () => number, rows: number, cols: number): number[] {
  return Array.from({ length: rows }, () => Math.floor(rand() * cols));
}

/** |actual − expected| ≤ atol + rtol·|expected| */
export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * Compares position by position: NaN only with NaN, +Inf only with +Inf, −Inf only with −Inf (so a NaN never
 * passes for an infinity), finite values within the tolerance. Throws with the first mismatches.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what = 'values',
): void {
  if (actual.length !== expected.length)
    throw new Error(`${what}: length ${actual.length}, expected ${expected.length}`);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    const ok = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Number.isFinite(a) && Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!ok && count++ < 5) bad.push(`[${i}] got ${a}, expected ${e}`);
  }
  if (count > 0) {
    throw new Error(
      `${what}: ${count} of ${expected.length} differ (atol ${tol.atol}, rtol ${tol.rtol}): ${bad.join('; ')}`,
    );
  }
}

export const expectCloseTo = (actual: number, expected: number, tol: Tolerance, what = 'value') =>
  expectClose([actual], [expected], tol, what);

const GUARD = 8;
const SENTINEL = -12345.5;

/** Arena access for tests: put arrays in, get copies out; every view is made at the moment of use. */
export class Mem {
  constructor(readonly backend: Backend) {}

  get k() {
    return this.backend.kernels;
  }

  put(values: ArrayLike<number>): Ptr {
    const ptr = this.backend.arena.alloc(values.length);
    this.backend.arena.write(ptr, values);
    return ptr;
  }

  putInts(values: ArrayLike<number>): Ptr {
    const ptr = this.backend.arena.alloc(values.length);
    this.backend.arena.i32(ptr, values.length).set(Array.from(values));
    return ptr;
  }

  zeros(n: number): Ptr {
    return this.backend.arena.alloc(n);
  }

  /** an output of n zeros followed by sentinels, for `expectUntouchedAfter`: a SIMD tail must not write past n */
  out(n: number): Ptr {
    const ptr = this.backend.arena.alloc(n + GUARD);
    this.backend.arena.f32(ptr + 4 * n, GUARD).fill(SENTINEL);
    return ptr;
  }

  expectUntouchedAfter(ptr: Ptr, n: number, what = 'output'): void {
    const after = this.get(ptr + 4 * n, GUARD);
    if (after.some((v) => v !== SENTINEL))
      throw new Error(`${what}: wrote past its ${n} elements: ${after.join(', ')}`);
  }

  /** a copy in the arena's own precision (float64 stays float64, unlike Arena.read) */
  get(ptr: Ptr, n: number): number[] {
    return Array.from(this.backend.arena.f32(ptr, n));
  }

  set(ptr: Ptr, values: ArrayLike<number>): void {
    this.backend.arena.write(ptr, values);
  }
}
