// The step learner (src/backends/wasm/threads/step-learner.ts): whether a training step's calls split, from the
// steps' own times. Scripted times (ms per step) stand for what we measured on a 2-core VM (docs/threads.md, fifteenth
// round): quiet, split steps 0.33 and whole ones 0.52, one step in 50 slowed to 4 ms either way (a garbage
// collection, the OS); with one other busy process, split steps 0.45 but one in five 3–8 ms (a worker the OS runs
// late: split steps then took 2.2–2.8× as long as whole ones, 0.52), and a host whose noise makes split steps 1.2×
// as long as whole ones, where whole steps would not pay.
import { describe, expect, it } from 'vitest';
import { StepLearner } from '../../src/backends/wasm/threads/step-learner.js';

/** a fixed pseudo-random number in [0, 1) for step i and a stream */
const rand = (i: number, stream: number) => (((i * 2654435761) ^ (stream * 40503)) >>> 0) / 2 ** 32;

const quiet = (split: boolean, i: number) => (rand(i, 1) < 1 / 50 ? 4 : split ? 0.33 : 0.52);
const busy = (split: boolean, i: number) => (split ? (rand(i, 2) < 1 / 5 ? 3 + 5 * rand(i, 3) : 0.45) : 0.52);
const noisy = (split: boolean, i: number) => (split ? (rand(i, 4) < 1 / 10 ? 2.5 : 0.4) : 0.52);

/** run `n` steps of `model`, each taking what `time(split, step)` says (ms) and splitting `calls` calls when it
 *  splits (the MNIST MLP's step splits several); returns the ways taken, S or W */
function run(
  learner: StepLearner,
  model: object,
  n: number,
  time: (split: boolean, step: number) => number,
  calls = 3,
): string {
  let ways = '';
  for (let step = 0; step < n; step++) {
    const split = learner.begin(model, 64);
    ways += split ? 'S' : 'W';
    learner.end(time(split, step), split ? calls : 0);
  }
  return ways;
}

const count = (ways: string, way: 'S' | 'W') => ways.split('').filter((w) => w === way).length;
/** mean ms per step of a run */
const cost = (ways: string, time: (split: boolean, step: number) => number) =>
  [...ways].reduce((sum, w, i) => sum + time(w === 'S', i), 0) / ways.length;

describe('the step learner', () => {
  it('on a quiet machine splits, trying one whole step after the warm-up, then 1 s, 2 s, … of training apart (at most 10 s)', () => {
    const ways = run(new StepLearner(() => true), {}, 80_000, (split) => (split ? 0.33 : 0.52));
    // 24 warm-up steps and 16 more; then 0.33 ms a step: 1 s (some 3,030 steps), 2 s, 4 s, 8 s, 10 s
    const whole = [...ways].flatMap((w, i) => (w === 'W' ? [i] : []));
    expect(whole.map((i, n) => (n ? i - whole[n - 1] : i))).toEqual([39, 3030, 6061, 12121, 24242, 30303]);
  });

  it('on a quiet machine with a slow step now and then, trains within 1% of splitting every step', () => {
    const ways = run(new StepLearner(() => true), {}, 20_000, quiet);
    const always = 'S'.repeat(20_000);
    expect(cost(ways, quiet) / cost(always, quiet), `${count(ways, 'W')} whole steps`).toBeLessThan(1.01);
  });

  it('on a busy machine runs whole steps, within 8% of running every step whole', () => {
    const ways = run(new StepLearner(() => true), {}, 20_000, busy);
    const whole = 'W'.repeat(20_000);
    expect(cost(ways, busy) / cost(whole, busy), `${count(ways, 'S')} split steps`).toBeLessThan(1.08);
    expect(cost('S'.repeat(20_000), busy) / cost(whole, busy), 'splitting every step').toBeGreaterThan(1.3);
  });

  it('keeps splitting on a noisy host where whole steps would gain a little', () => {
    const ways = run(new StepLearner(() => true), {}, 20_000, noisy);
    expect(cost('W'.repeat(20_000), noisy) / cost('S'.repeat(20_000), noisy)).toBeLessThan(1);
    expect(count(ways, 'W'), 'only the tries').toBeLessThan(10);
  });

  it('turns back to split steps at its second try once the machine is quiet again (tries up to 1,024 steps apart)', () => {
    const learner = new StepLearner(() => true);
    const model = {};
    const before = run(learner, model, 2000, busy);
    expect(before.endsWith('W'.repeat(8))).toBe(true);
    const after = run(learner, model, 4000, quiet);
    const back = after.indexOf('S'.repeat(8));
    expect(back, after.slice(0, 2300)).toBeLessThan(2300);
    expect(after.slice(back), 'split from there on, but for tries of a whole step').toMatch(/^S+(WS+)*W?$/);
  });

  it('leaves a step with nothing to split alone (it splits, with no whole tries, whatever its times), until one of its calls splits', () => {
    const learner = new StepLearner(() => true);
    const model = {};
    // the tutorial's per-sample step: no call is large enough to split, and timing it was 5% of its training
    expect(run(learner, model, 4000, busy, 0)).toBe('S'.repeat(4000));
    expect(learner.summary(), 'learnt for 4 steps, then left alone').toMatchObject([{ steps: 4, wholeSteps: 0 }]);
    // a later step of the same model and size that splits a call (a denser batch for a zero-skipping product) wakes
    // the learning: on a busy machine it turns to whole steps again
    expect(learner.begin(model, 64)).toBe(true);
    learner.end(0.45, 1);
    const after = run(learner, model, 3000, busy);
    expect(after.endsWith('W'.repeat(8)), after.slice(-40)).toBe(true);
  });

  it('learns per model and batch size, and splits every step when learning is off', () => {
    const learner = new StepLearner(() => true);
    const [a, b] = [{}, {}];
    run(learner, a, 3000, busy);
    expect(learner.begin(a, 64), 'model a runs whole').toBe(false);
    learner.end(0.52, 0);
    expect(learner.begin(b, 64), 'model b starts split').toBe(true);
    learner.end(0.33, 3);
    expect(learner.begin(a, 32), 'model a at another batch size starts split').toBe(true);
    learner.end(0.33, 3);
    const off = new StepLearner(() => false);
    expect(run(off, a, 100, busy)).toBe('S'.repeat(100));
    expect(off.summary()).toEqual([]);
  });
});
