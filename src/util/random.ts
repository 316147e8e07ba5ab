import { fail, shown } from './errors.js';

/** generators made without a seed so far, in this realm (freshSeed's fallback mixes it in) */
let unseeded = 0;

/**
 * A seed for a generator made without one, so that each unseeded model starts from its own random weights, as in
 * Keras: 32 bits from the platform's cryptographic generator (`crypto.getRandomValues`: Node 19 and later, browsers,
 * workers), else the clock mixed with a count of the unseeded generators made so far. (The clock alone gave models
 * made within one millisecond the same weights: 7 distinct starts in 20 made in a loop.) `host` is for tests.
 */
export function freshSeed(host: object = globalThis): number {
  unseeded++;
  const crypto = (host as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (typeof crypto?.getRandomValues === 'function') return crypto.getRandomValues(new Uint32Array(1))[0];
  return (Date.now() ^ Math.imul(unseeded, 0x9e3779b9)) >>> 0;
}

/**
 * A seeded pseudo-random generator (mulberry32): every random choice in scratchnet — weight initialisation,
 * shuffling, dropout seeds — comes from one of these, so the same seed gives the same run. Never Math.random.
 */
export class Random {
  private state: number;

  /** `seed`: an integer that fits in 32 bits (−2³¹ … 2³² − 1); default: a fresh random one (freshSeed) */
  constructor(seed: number = freshSeed()) {
    // The state is 32 bits: a fraction or a larger seed would silently share its run with another seed.
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 32) {
      fail(`a seed must be an integer from −2³¹ to 2³² − 1, got ${shown(seed)}`);
    }
    this.state = (seed ^ 0x6d2b79f5) >>> 0;
  }

  /** The generator's whole state (a uint32): saved with a model so that training resumes exactly. */
  getState(): number {
    return this.state;
  }

  /** Restore a state from `getState`. */
  setState(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) {
      fail(`a generator state must be a uint32, got ${state}`);
    }
    this.state = state >>> 0;
  }

  /** a uniform uint32 */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** uniform in [lo, hi) */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** standard normal (Box–Muller) */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** an integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle in place */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
