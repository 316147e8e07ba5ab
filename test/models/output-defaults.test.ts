import { describe, expect, it, vi } from 'vitest';
import { Dense, FCLayer, ActivationLayer, Network, Sequential } from '../../src/index.js';
import { defaultVerbose, formatValue, kerasReporter } from '../../src/models/progress.js';

// What a model prints unless told: per-epoch progress where there is a standard output (Node), nothing in browsers
// (as TF.js); summary() prints its table once and returns nothing (as Keras and TF.js).

describe('default verbosity', () => {
  it('is 1 where the process has a stdout (Node) and 0 without one (browsers, their workers)', () => {
    expect(defaultVerbose()).toBe(1); // this is Node
    expect(defaultVerbose({})).toBe(0); // a page or a worker: no process
    expect(defaultVerbose({ process: {} })).toBe(0); // a bundler's process shim without stdout
    expect(defaultVerbose({ process: { stdout: { write: () => true } } })).toBe(1);
  });

  it('in Node, Sequential.fit and Network.fit print per-epoch lines when verbose is not given', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const model = new Sequential([new Dense(1, { inputShape: [2], activation: 'sigmoid' })], { backend: 'js' });
      model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy' });
      await model.fit(
        [
          [0, 1],
          [1, 0],
        ],
        [[0], [1]],
        { epochs: 2 },
      );
      model.dispose();
      const net = new Network({ backend: 'js' });
      net.add(new FCLayer(2, 1));
      net.add(new ActivationLayer('sigmoid'));
      net.use('mse');
      await net.fit(
        [
          [0, 1],
          [1, 0],
        ],
        [[0], [1]],
        { epochs: 2, learningRate: 0.1 },
      );
      net.dispose();
      const lines = log.mock.calls.map((c) => String(c[0]));
      expect(lines.filter((l) => /^Epoch \d\/2$/.test(l))).toEqual(['Epoch 1/2', 'Epoch 2/2']);
      expect(lines.filter((l) => /^epoch \d\/2 {3}error=/.test(l))).toHaveLength(2);
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
  });
});

describe('summary()', () => {
  it('prints the table once, through console.log by default, and returns nothing', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const model = new Sequential([new Dense(3, { inputShape: [2] }), new Dense(1)], { backend: 'js' });
      const returned = model.summary();
      expect(returned).toBeUndefined();
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed.match(/Total params/g)).toHaveLength(1);
      expect(printed).toContain('dense (Dense)');
      model.dispose();
    } finally {
      log.mockRestore();
    }
  });
});

describe('progress lines', () => {
  it("print each log as Keras's progress bar does: 4 decimals above 1e-3, e-notation with a 2-digit exponent below", () => {
    // Python's '%.4f' and '%.4e' of the same numbers, as Keras 3's Progbar picks between them
    expect(formatValue(0.6931)).toBe('0.6931');
    expect(formatValue(-12.5)).toBe('-12.5000');
    expect(formatValue(0.0010001)).toBe('0.0010');
    expect(formatValue(0.001)).toBe('1.0000e-03');
    expect(formatValue(0.00025)).toBe('2.5000e-04');
    expect(formatValue(-3e-7)).toBe('-3.0000e-07');
    expect(formatValue(1.5e-120)).toBe('1.5000e-120');
    expect(formatValue(0)).toBe('0.0000e+00');
    const lines: string[] = [];
    const reporter = kerasReporter(2, (line) => void lines.push(line));
    reporter.epochStart(0, 1, 4);
    reporter.epochEnd(0, 1, { loss: 0.00012, accuracy: 1 }, 0.5);
    expect(lines[1]).toMatch(/^4\/4 - \d+s 125ms\/step - loss: 1\.2000e-04 - accuracy: 1\.0000$/);
  });
});
