// The learning of whether splitting pays (src/backends/wasm/threads/adaptive.ts): the first call splits and the
// second runs whole, then the faster way is taken, and the slower one is tried again after 16 calls, then after twice as
// many each time the try confirms the choice (up to 256), and after 16 again when the try came out faster.
import { describe, expect, it } from 'vitest';
import { Adaptive } from '../../src/backends/wasm/threads/adaptive.js';

/** busy for `ms` milliseconds (a slow way) */
const busy = (ms: number) => () => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/** the ways taken in `calls` calls, 'w' whole and 's' split; `ms(i)`: what each way costs in call i (0-based) */
function trace(slowSplit: boolean | ((i: number) => { whole: number; split: number }), calls: number): string {
  const a = new Adaptive();
  const ms = typeof slowSplit === 'function' ? slowSplit : () => ({ whole: slowSplit ? 0 : 3, split: slowSplit ? 3 : 0 });
  let out = '';
  for (let i = 0; i < calls; i++) {
    a.run(
      'matmul',
      1 << 20,
      () => {
        out += 'w';
        busy(ms(i).whole)();
      },
      () => {
        out += 's';
        busy(ms(i).split)();
      },
    );
  }
  return out;
}

/** the 1-based numbers of the calls that took way `c` */
const callsTaking = (out: string, c: string) => [...out].flatMap((x, i) => (x === c ? [i + 1] : []));

describe('whether splitting pays is learnt per kernel and size', () => {
  it('takes the whole call where splitting is slower, trying the split again less and less often', () => {
    // call 1 splits, call 2 runs whole; then whole, except the 16th and 48th call
    expect(trace(true, 50)).toBe(`sw${'w'.repeat(13)}s${'w'.repeat(31)}s${'w'.repeat(2)}`);
  });

  it('takes the split where it is faster, trying the whole call again less and less often, at most every 256th', () => {
    const out = trace(false, 1300);
    // after the whole call 2, the tries: at call 16, then 32 calls later, 64, 128, 256, 256 …
    expect(callsTaking(out, 'w')).toEqual([2, 16, 48, 112, 240, 496, 752, 1008, 1264]);
  });

  it('tries the other way soon again when a try finds it faster', () => {
    // the split takes 3 ms and the whole call none until call 200; then the whole call takes 1 ms, still less than
    // the split's timings so far, and the split none. The try at call 240 finds it faster, so the split is tried
    // every 16 calls again until its recent timings beat the whole call's (5 of its last 7), and from call 304 on
    // the calls split, the whole call being tried 16 and then 32 calls later
    const out = trace((i) => (i < 200 ? { whole: 0, split: 3 } : { whole: 1, split: 0 }), 360);
    expect(callsTaking(out, 's').slice(1, 9)).toEqual([16, 48, 112, 240, 256, 272, 288, 304]);
    expect(callsTaking(out, 'w').filter((c) => c > 304)).toEqual([320, 352]);
  });

  it('always splits when turned off (tests of the splitting itself)', () => {
    const a = new Adaptive();
    a.enabled = false;
    let splits = 0;
    for (let i = 0; i < 10; i++) a.run('matmul', 1 << 20, busy(0), () => splits++);
    expect(splits).toBe(10);
  });
});
