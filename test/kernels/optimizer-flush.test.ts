// Optimizer state below the smallest normal float32 is stored as 0 on every backend (subnormal arithmetic is
// ~100× slower on x86 and wasm has no flush-to-zero mode); NaN stays NaN. See the note in kernels.ts.
import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';

const FLT_MIN = 2 ** -126;
const backends: [string, () => Backend][] = [
  ['wasm', () => createWasmBackend()],
  ['js', () => createJsBackend()],
  ['js float64', () => createJsBackend({ precision: 'float64' })],
];

describe.each(backends)('optimizer state flush on %s', (_name, make) => {
  function slots(state: number[]) {
    const { arena, kernels } = make();
    const n = state.length;
    const param = arena.alloc(n),
      grad = arena.alloc(n),
      a = arena.alloc(n),
      b = arena.alloc(n);
    arena.write(a, state);
    arena.write(
      b,
      state.map((v) => (Number.isNaN(v) ? 1 : Math.abs(v))),
    );
    return { arena, kernels, n, param, grad, a, b };
  }
  // decays by half with zero gradient: 1.5·FLT_MIN → 0.75·FLT_MIN (flushed), 4·FLT_MIN → 2·FLT_MIN (kept)
  const state = [1.5 * FLT_MIN, -1.5 * FLT_MIN, 4 * FLT_MIN, NaN, 0.5];
  const expected = [0, 0, 2 * FLT_MIN, NaN, 0.25];

  it('momentum velocity', () => {
    const { arena, kernels, n, param, grad, a } = slots(state);
    kernels.momentumStep(param, grad, a, n, 0.1, 0.5, 0);
    expect(Array.from(arena.f32(a, n))).toEqual(expected);
  });

  it("Adam's moments", () => {
    const { arena, kernels, n, param, grad, a, b } = slots(state);
    kernels.adamStep(param, grad, a, b, n, 0.001, 0.5, 0.5, 1e-7);
    expect(Array.from(arena.f32(a, n))).toEqual(expected);
    expect(Array.from(arena.f32(b, n))).toEqual([0, 0, 2 * FLT_MIN, 0.5, 0.25]);
  });

  it("RMSprop's mean square", () => {
    const { arena, kernels, n, param, grad, b } = slots(state);
    kernels.rmspropStep(param, grad, b, n, 0.001, 0.5, 1e-7);
    expect(Array.from(arena.f32(b, n))).toEqual([0, 0, 2 * FLT_MIN, 0.5, 0.25]);
  });
});
