// Unseeded generators and models: each draws a fresh seed, so that models made back to back start apart (as Keras's
// unseeded models do); a seed still gives the same run.
import { describe, expect, it } from 'vitest';
import { Dense, FCLayer, Network, Random, Sequential } from '../../src/index.js';
import { freshSeed } from '../../src/util/random.js';

describe('unseeded generators', () => {
  it('draw distinct seeds when made back to back, from crypto.getRandomValues where there is one', () => {
    const states = Array.from({ length: 1000 }, () => new Random().getState());
    expect(new Set(states).size).toBe(1000); // 32-bit draws: a repeat in 1,000 has odds of about 1 in 8,600
  });

  it('without crypto, mix a count into the clock: seeds made within one millisecond still differ', () => {
    const noCrypto = {};
    const seeds = Array.from({ length: 1000 }, () => freshSeed(noCrypto));
    expect(new Set(seeds).size).toBe(1000);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });

  it('give models made in a loop their own initial weights; a seed gives the same weights again', () => {
    const weights = (seed?: number) => {
      const m = new Sequential([new Dense(3, { inputShape: [2] })], { backend: 'js', seed });
      const w = m.getWeights()[0].join();
      m.dispose();
      return w;
    };
    const unseeded = Array.from({ length: 20 }, () => weights());
    expect(new Set(unseeded).size).toBe(20);
    expect(weights(5)).toBe(weights(5));

    const nets = Array.from({ length: 20 }, () => {
      const net = new Network({ backend: 'js' });
      net.add(new FCLayer(2, 3));
      const w = net.getWeights()[0].join();
      net.dispose();
      return w;
    });
    expect(new Set(nets).size).toBe(20);
  });
});
