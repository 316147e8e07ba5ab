// The learning of whether splitting pays (src/backends/wasm/threads/adaptive.ts): split and whole alternate for the
// first samples, then the faster way is taken, and the slower one is tried again every 16th call.
import { describe, expect, it } from 'vitest';
import { Adaptive } from '../../src/backends/wasm/threads/adaptive.js';

/** busy for `ms` milliseconds (a slow way) */
const busy = (ms: number) => () => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

function trace(slowSplit: boolean, calls: number): string {
  const a = new Adaptive();
  let out = '';
  for (let i = 0; i < calls; i++) {
    a.run(
      'matmul',
      1 << 20,
      () => {
        out += 'w';
        if (!slowSplit) busy(3)();
      },
      () => {
        out += 's';
        if (slowSplit) busy(3)();
      },
    );
  }
  return out;
}

describe('whether splitting pays is learnt per kernel and size', () => {
  it('takes the whole call where splitting is slower, trying the split again every 16th call', () => {
    // calls 1–6 alternate; then whole, except the 16th and 32nd call
    expect(trace(true, 40)).toBe(`swswsw${'w'.repeat(9)}s${'w'.repeat(15)}s${'w'.repeat(8)}`);
  });

  it('takes the split where it is faster, trying the whole call again every 16th call', () => {
    expect(trace(false, 40)).toBe(`swswsw${'s'.repeat(9)}w${'s'.repeat(15)}w${'s'.repeat(8)}`);
  });

  it('always splits when turned off (tests of the splitting itself)', () => {
    const a = new Adaptive();
    a.enabled = false;
    let splits = 0;
    for (let i = 0; i < 10; i++) a.run('matmul', 1 << 20, busy(0), () => splits++);
    expect(splits).toBe(10);
  });
});
