// The learning of whether splitting pays (src/backends/wasm/threads/adaptive.ts): the first call splits and the
// second runs whole, then the faster way is taken, and the slower one is tried again — the whole call 16 calls later,
// the split at the next call — then after twice as many calls each time the try confirms the choice (up to 256), and
// as soon as at first when the try came out faster.
import { describe, expect, it } from 'vitest';
import { Adaptive } from '../../src/backends/wasm/threads/adaptive.js';

// The ways' costs are told to a clock the test advances itself: timings on a loaded machine (CI runs this beside
// other test files on 2 cores) are spoilt now and then, and the schedule is what these tests pin.
/** the ways taken in `calls` calls, 'w' whole and 's' split; `ms(i)`: what each way costs in call i (0-based) */
function trace(slowSplit: boolean | ((i: number) => { whole: number; split: number }), calls: number): string {
  let clock = 0;
  const a = new Adaptive(() => clock);
  const ms =
    typeof slowSplit === 'function' ? slowSplit : () => ({ whole: slowSplit ? 0 : 3, split: slowSplit ? 3 : 0 });
  let out = '';
  for (let i = 0; i < calls; i++) {
    a.run(
      'matmul',
      1 << 20,
      () => {
        out += 'w';
        clock += ms(i).whole;
      },
      () => {
        out += 's';
        clock += ms(i).split;
      },
    );
  }
  return out;
}

/** the 1-based numbers of the calls that took way `c` */
const callsTaking = (out: string, c: string) => [...out].flatMap((x, i) => (x === c ? [i + 1] : []));

describe('whether splitting pays is learnt per kernel and size', () => {
  it('takes the whole call where splitting is slower, trying the split again soon, then less and less often', () => {
    // call 1 splits, calls 2 and 3 run whole; the split is tried at call 4, then 2, 4, 8 … calls later, at most 256
    expect(callsTaking(trace(true, 800), 's')).toEqual([1, 4, 6, 10, 18, 34, 66, 130, 258, 514, 770]);
  });

  it('takes the split where it is faster, trying the whole call again 16 calls later, then less and less often', () => {
    const out = trace(false, 1300);
    // after the whole call 2, the tries: 16 calls after the choice (call 3), then 32 calls later, 64, 128, 256, 256 …
    expect(callsTaking(out, 'w')).toEqual([2, 19, 51, 115, 243, 499, 755, 1011, 1267]);
  });

  it('tries a split that looked slower once again at the next call', () => {
    // the first split is spoilt (8 ms against the whole call's 4 ms); from then on the split takes no time: it is
    // tried at call 4, wins, and the whole call is tried 16 calls later
    const out = trace((i) => ({ whole: 4, split: i === 0 ? 8 : 0 }), 40);
    expect(out).toBe(`sww${'s'.repeat(16)}w${'s'.repeat(20)}`);
  });

  it('tries the other way soon again when a try finds it faster', () => {
    // the split takes 3 ms and the whole call none until call 200; then the whole call takes 1 ms, still less than
    // the split's timings so far, and the split none. The try at call 258 finds it faster, so the split is tried at
    // every call until its recent timings beat the whole call's (5 of its last 7), and from then on the calls split,
    // the whole call being tried 16 and then 32 calls later
    const out = trace((i) => (i < 200 ? { whole: 0, split: 3 } : { whole: 1, split: 0 }), 360);
    expect(callsTaking(out, 's').slice(0, 9)).toEqual([1, 4, 6, 10, 18, 34, 66, 130, 258]);
    const wholeAfter = callsTaking(out, 'w').filter((c) => c > 258);
    expect(wholeAfter.length).toBe(2);
    expect(wholeAfter[1] - wholeAfter[0]).toBe(32);
    expect(out.slice(258, wholeAfter[0] - 17)).toBe('s'.repeat(wholeAfter[0] - 17 - 258));
  });

  it('counts, per kernel and size class, the calls that chose and those run whole (the bench reports them)', () => {
    let clock = 0;
    const a = new Adaptive(() => clock);
    // the split of 2^20 takes 3 ms and the whole call none; the 2^10 calls the other way round; 40 calls each
    for (let i = 0; i < 40; i++) {
      a.run(
        'matmul',
        1 << 20,
        () => {},
        () => (clock += 3),
      );
      a.run(
        'matmul',
        1 << 10,
        () => (clock += 3),
        () => {},
      );
    }
    const counts = a.summary().map(({ key, calls, wholeCalls }) => ({ key, calls, wholeCalls }));
    // the large calls split at calls 1, 4, 6, 10, 18 and 34; the small ones ran whole at call 2 and 19
    expect(counts).toEqual([
      { key: 'matmul:40', calls: 40, wholeCalls: 34 },
      { key: 'matmul:20', calls: 40, wholeCalls: 2 },
    ]);
  });

  it('always splits when turned off (tests of the splitting itself)', () => {
    const a = new Adaptive();
    a.enabled = false;
    let splits = 0;
    for (let i = 0; i < 10; i++)
      a.run(
        'matmul',
        1 << 20,
        () => {},
        () => splits++,
      );
    expect(splits).toBe(10);
  });
});
