import { afterEach, describe, expect, it } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  ScratchnetError,
  callbacks,
  modelFromSpec,
  type Callbacks,
  serveTraining,
  trainInWorker,
  type MessageEndpoint,
  type Logs,
  type ModelSpec,
} from '../../src/index.js';
import { XOR_SPEC, XOR_X, XOR_Y } from './fixtures/xor.js';

// The protocol end to end over a real MessageChannel: messages are structured-cloned and transfers detach buffers
// exactly as between threads, but both sides run here, so the tests are fast and can look at both ends.

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

/** A channel with serveTraining on one end; `sent` records what the serving side posted and transferred. */
function channel(): { main: MessagePort; sent: { message: any; transfer: readonly unknown[] }[]; stop: () => void } {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const sent: { message: any; transfer: readonly unknown[] }[] = [];
  const spy: MessageEndpoint = {
    postMessage(message, transfer = []) {
      sent.push({ message, transfer });
      port2.postMessage(message, transfer as ArrayBuffer[]);
    },
    on: (type, listener) => port2.on(type, listener),
    off: (type, listener) => port2.off(type, listener),
  };
  const stop = serveTraining(spy);
  return { main: port1, sent, stop };
}

const round = (rows: number[][]) => rows.map((r) => Math.round(r[0]));

describe('trainInWorker ⇄ serveTraining', () => {
  it('trains XOR, streams epoch and batch progress, and returns weights that predict XOR', async () => {
    const { main } = channel();
    const epochs: [number, Logs][] = [];
    const batches: [number, number][] = [];
    const result = await trainInWorker(main, {
      model: XOR_SPEC,
      x: XOR_X,
      y: XOR_Y,
      fitOptions: { epochs: 200, batchSize: 2 },
      onEpochEnd: (epoch, logs) => epochs.push([epoch, logs]),
      onBatchEnd: (batch, _logs, epoch) => batches.push([epoch, batch]),
    });
    expect(result.stopped).toBe(false);
    expect(result.backend).toBe('wasm');
    expect(result.history.epoch).toHaveLength(200);
    expect(epochs.map(([e]) => e)).toEqual(result.history.epoch);
    expect(epochs[199][1].loss).toBe(result.history.history.loss[199]);
    expect(epochs[199][1].accuracy).toBe(1);
    // two batches of two per epoch, each tagged with its epoch
    expect(batches).toHaveLength(400);
    expect(batches.slice(0, 4)).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);

    const model = modelFromSpec(XOR_SPEC);
    model.setWeights(result.weights);
    expect(round(model.predict(XOR_X))).toEqual([0, 1, 1, 0]);
    model.dispose();
  });

  it('gives the same weights as training the same spec on this thread (same seed, same backend)', async () => {
    const { main } = channel();
    const fitOptions = { epochs: 30, batchSize: 2 };
    const result = await trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions });
    const local = modelFromSpec(XOR_SPEC);
    await local.fit(XOR_X, XOR_Y, { ...fitOptions, verbose: 0 });
    expect(result.weights).toEqual(local.getWeights());
    local.dispose();
  });

  it('takes a spec written `as const` (readonly arrays all through; a type check as much as a run)', async () => {
    const spec = {
      layers: [
        { type: 'conv2d', filters: 2, kernelSize: [3, 3], strides: [1, 1], inputShape: [4, 4, 1], activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: 1, activation: 'sigmoid' },
      ],
      compile: { optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] },
      seed: 2,
    } as const;
    const typed: ModelSpec = spec; // the point: readonly arrays are taken where a ModelSpec is expected
    const { main } = channel();
    const x = { data: new Float32Array(32).map((_, i) => (i % 3) / 3), shape: [2, 4, 4, 1] };
    const result = await trainInWorker(main, { model: typed, x, y: [[0], [1]], fitOptions: { epochs: 2 } });
    expect(result.history.epoch).toEqual([0, 1]);
  });

  it("passes fit's sample and class weights on: the same weights as fit with them here", async () => {
    for (const weighting of [{ classWeight: { 0: 3, 1: 0.5 } }, { sampleWeight: new Float32Array([1, 0, 2.5, 1]) }]) {
      const { main } = channel();
      const fitOptions = { epochs: 20, batchSize: 2, ...weighting };
      const result = await trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions });
      const local = modelFromSpec(XOR_SPEC);
      await local.fit(XOR_X, XOR_Y, { ...fitOptions, verbose: 0 });
      expect(result.weights).toEqual(local.getWeights());
      const unweighted = modelFromSpec(XOR_SPEC);
      await unweighted.fit(XOR_X, XOR_Y, { epochs: 20, batchSize: 2, verbose: 0 });
      expect(result.weights).not.toEqual(unweighted.getWeights());
      local.dispose();
      unweighted.dispose();
    }
  });

  it('runs earlyStopping and reduceLROnPlateau given by their options in fitOptions, as fit with them would here', async () => {
    // minDelta so large that no epoch after the first improves: earlyStopping (patience 3) stops at epoch 4, and
    // reduceLROnPlateau (patience 1) lowers the rate after epochs 1, 2 and 3
    const earlyStopping = { monitor: 'loss', patience: 3, minDelta: 10 } as const;
    const reduceLROnPlateau = { monitor: 'loss', patience: 1, factor: 0.5, minDelta: 10 } as const;
    const fitOptions = { epochs: 50, batchSize: 2, earlyStopping, reduceLROnPlateau };
    const { main, sent } = channel();
    const result = await trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions });
    expect(result.history.epoch).toEqual([0, 1, 2, 3]);
    expect(sent.filter((s) => s.message.type === 'scratchnet:epoch')).toHaveLength(4);

    const trainHere = async (callbacks: Callbacks[]) => {
      const local = modelFromSpec(XOR_SPEC);
      await local.fit(XOR_X, XOR_Y, { epochs: 4, batchSize: 2, verbose: 0, callbacks });
      const weights = local.getWeights();
      local.dispose();
      return weights;
    };
    expect(result.weights).toEqual(await trainHere([callbacks.reduceLROnPlateau(reduceLROnPlateau)]));
    expect(result.weights).not.toEqual(await trainHere([])); // the lowered rate shows in the weights
  });

  it('refuses bad earlyStopping or reduceLROnPlateau options before anything is posted', async () => {
    const { main, sent } = channel();
    const bad = (fitOptions: object) => trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions });
    await expect(bad({ earlyStopping: { patience: -1 } })).rejects.toThrow(/earlyStopping: patience must be/);
    await expect(bad({ reduceLROnPlateau: { factor: 2 } })).rejects.toThrow(/reduceLROnPlateau: factor must be/);
    await expect(bad({ earlyStopping: { patients: 3 } })).rejects.toThrow(/patients/);
    expect(sent).toEqual([]);
  });

  it('trains on images [n][h][w][c] from given starting weights, a Flatten first with no input shape (the data decides it)', async () => {
    const { main } = channel();
    const spec: ModelSpec = {
      layers: [{ type: 'flatten' }, { type: 'dense', units: 2, activation: 'softmax' }],
      compile: { optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' },
      seed: 3,
    };
    const x = Array.from({ length: 4 }, (_, n) =>
      Array.from({ length: 2 }, (_, h) => Array.from({ length: 3 }, (_, w) => [n + h - w, n * w])),
    );
    const y = [0, 1, 0, 1];
    const start = [Float32Array.from({ length: 12 * 2 }, (_, i) => Math.sin(i) / 4), new Float32Array([0.1, -0.1])];
    const result = await trainInWorker(main, {
      model: spec,
      x,
      y,
      weights: start.map((w) => w.slice()),
      fitOptions: { epochs: 2, batchSize: 2, shuffle: false },
    });
    const local = modelFromSpec(spec);
    local.build([2, 3, 2]);
    local.setWeights(start);
    await local.fit(x, y, { epochs: 2, batchSize: 2, shuffle: false, verbose: 0 });
    expect(result.weights).toEqual(local.getWeights());
    local.dispose();
  });

  it('trains a CNN spec (conv2d, max_pooling2d, flatten: registry types) on images { data, shape: [n, h, w, c] }, as this thread would', async () => {
    const { main } = channel();
    const spec: ModelSpec = {
      layers: [
        { type: 'conv2d', filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] },
        { type: 'max_pooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 2, activation: 'softmax' },
      ],
      compile: { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] },
      seed: 5,
    };
    // a bright top half (class 0) or bottom half (class 1)
    const n = 16;
    const data = new Float32Array(n * 36).map((_, i) => {
      const sample = Math.floor(i / 36);
      const row = Math.floor((i % 36) / 6);
      return row < 3 === (sample % 2 === 0) ? 0.9 : 0.1;
    });
    const y = Uint8Array.from({ length: n }, (_, i) => i % 2);
    const fitOptions = { epochs: 3, batchSize: 4 };
    const result = await trainInWorker(main, { model: spec, x: { data, shape: [n, 6, 6, 1] }, y, fitOptions });
    const local = modelFromSpec(spec);
    await local.fit({ data, shape: [n, 6, 6, 1] }, y, { ...fitOptions, verbose: 0 });
    expect(result.weights.map((w) => w.length)).toEqual([27, 3, 12 * 2, 2]);
    expect(result.weights).toEqual(local.getWeights());
    expect(result.history.history.loss[2]).toBeLessThan(result.history.history.loss[0]);
    local.dispose();
  });

  it('transfers the trained weights instead of copying them', async () => {
    const { main, sent } = channel();
    const result = await trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions: { epochs: 2 } });
    const done = sent.find((s) => s.message.type === 'scratchnet:done')!;
    expect(done.transfer).toHaveLength(4); // kernel and bias of both Dense layers, one buffer each
    expect(done.transfer).toEqual(done.message.weights.map((w: Float32Array) => w.buffer));
    // the serving side's arrays were detached by the transfer; ours arrived whole
    for (const w of done.message.weights as Float32Array[]) expect(w.length).toBe(0);
    expect(result.weights.map((w) => w.length)).toEqual([16, 8, 8, 1]);
  });

  it('copies the data by default, and transfers (detaches) x, y and the validation data with transfer: true', async () => {
    const { main } = channel();
    const make = () => ({
      x: { data: Float32Array.from(XOR_X.flat()), shape: [4, 2] },
      y: Float32Array.of(0, 1, 1, 0),
    });
    const copied = make();
    await trainInWorker(main, { model: XOR_SPEC, ...copied, fitOptions: { epochs: 1 } });
    expect(copied.x.data.length).toBe(8);
    expect(copied.y.length).toBe(4);

    const moved = make();
    const validation = make();
    const result = await trainInWorker(main, {
      model: XOR_SPEC,
      ...moved,
      fitOptions: { epochs: 1, validationData: [validation.x, validation.y] },
      transfer: true,
    });
    expect(moved.x.data.length).toBe(0);
    expect(moved.y.length).toBe(0);
    expect(validation.x.data.length).toBe(0);
    expect(result.history.epoch).toEqual([0]);
    expect(result.history.history.val_accuracy).toHaveLength(1);
  });

  it('sends the weights with every epoch when asked, and starts from given weights', async () => {
    const { main } = channel();
    const perEpoch: Float32Array[][] = [];
    const first = await trainInWorker(main, {
      model: XOR_SPEC,
      x: XOR_X,
      y: XOR_Y,
      fitOptions: { epochs: 3 },
      weightsEachEpoch: true,
      onEpochEnd: (_e, _logs, weights) => perEpoch.push(weights!),
    });
    expect(perEpoch).toHaveLength(3);
    expect(perEpoch[2]).toEqual(first.weights);
    expect(perEpoch[0]).not.toEqual(perEpoch[2]);

    // continuing from the weights with learning rate 0 leaves them unchanged
    const frozen = {
      ...XOR_SPEC,
      compile: { ...XOR_SPEC.compile, optimizer: { name: 'sgd' as const, learningRate: 0 } },
    };
    const again = await trainInWorker(main, {
      model: frozen,
      x: XOR_X,
      y: XOR_Y,
      fitOptions: { epochs: 2 },
      weights: first.weights,
    });
    expect(again.weights).toEqual(first.weights);
  });

  it('stops after the current batch when the signal aborts, and resolves with what was trained', async () => {
    const { main } = channel();
    const controller = new AbortController();
    const result = await trainInWorker(main, {
      model: XOR_SPEC,
      x: XOR_X,
      y: XOR_Y,
      fitOptions: { epochs: 100_000, batchSize: 1, yieldEvery: 0 },
      onEpochEnd: (epoch) => {
        if (epoch === 4) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.stopped).toBe(true);
    // the stop message is read at the next turn, a few batches later at most
    expect(result.history.epoch.length).toBeGreaterThanOrEqual(5);
    expect(result.history.epoch.length).toBeLessThan(20);
    expect(result.weights).toHaveLength(4);
  });

  it('rejects at once, sending nothing, when the signal is already aborted', async () => {
    const { main, sent } = channel();
    const controller = new AbortController();
    controller.abort(new Error('not now'));
    await expect(
      trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, signal: controller.signal }),
    ).rejects.toThrow('not now');
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(0);
  });

  it("rejects with the worker's own error message for a bad spec or bad data", async () => {
    const { main } = channel();
    const badLoss = { ...XOR_SPEC, compile: { ...XOR_SPEC.compile, loss: 'binary_crosentropy' as never } };
    await expect(trainInWorker(main, { model: badLoss, x: XOR_X, y: XOR_Y })).rejects.toThrow(
      "scratchnet: unknown loss 'binary_crosentropy'. Did you mean 'binary_crossentropy'?",
    );
    const badLayer = { ...XOR_SPEC, layers: [{ type: 'lstm', units: 3 }] } as never;
    await expect(trainInWorker(main, { model: badLayer, x: XOR_X, y: XOR_Y })).rejects.toThrow(
      /layers\[0\] has type "lstm"; expected one of 'dense', 'dropout', 'activation', 'flatten', 'reshape'/,
    );
    const typo = { ...XOR_SPEC, layers: [{ type: 'dens', units: 3 }] } as never;
    await expect(trainInWorker(main, { model: typo, x: XOR_X, y: XOR_Y })).rejects.toThrow(
      /layers\[0\] has type "dens"; did you mean 'dense'\? expected one of 'dense', 'dropout'/,
    );
    const wrongWidth = await trainInWorker(main, { model: XOR_SPEC, x: [[0, 0, 0]], y: [[1]] }).catch(
      (e: unknown) => e,
    );
    expect((wrongWidth as Error).message).toMatch("x has 3 features per sample but the model's input size is 2");
    // a ScratchnetError with its code, as if the training had run here
    expect(wrongWidth).toBeInstanceOf(ScratchnetError);
    expect(wrongWidth).toMatchObject({ name: 'ScratchnetError', code: 'shape_mismatch' });
    // misspelled keys in the spec reach the worker and are refused there; in the fit options, before posting
    const typoLayer = {
      ...XOR_SPEC,
      layers: [{ ...XOR_SPEC.layers[0], activaton: 'relu' }, ...XOR_SPEC.layers.slice(1)],
    } as never;
    await expect(trainInWorker(main, { model: typoLayer, x: XOR_X, y: XOR_Y })).rejects.toThrow(
      "scratchnet: model spec layers[0] has no option 'activaton'. Did you mean 'activation'?",
    );
    const typoCompile = { ...XOR_SPEC, compile: { ...XOR_SPEC.compile, lr: 0.1 } } as never;
    await expect(trainInWorker(main, { model: typoCompile, x: XOR_X, y: XOR_Y })).rejects.toThrow(
      /model spec compile has no option 'lr'/,
    );
    await expect(
      trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions: { validation_split: 0.5 } as never }),
    ).rejects.toThrow(
      "scratchnet: trainInWorker fitOptions has no option 'validation_split'. Did you mean 'validationSplit'?",
    );
    await expect(
      trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, onEpochend: () => {} } as never),
    ).rejects.toThrow(/Did you mean 'onEpochEnd'\?/);
    // the worker still serves after errors
    const ok = await trainInWorker(main, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions: { epochs: 1 } });
    expect(ok.history.epoch).toEqual([0]);
  });

  it('runs several trainings on one worker at once, each with its own progress', async () => {
    const { main } = channel();
    const seen = { a: 0, b: 0 };
    const [a, b] = await Promise.all([
      trainInWorker(main, {
        model: { ...XOR_SPEC, seed: 1 },
        x: XOR_X,
        y: XOR_Y,
        fitOptions: { epochs: 40, yieldEvery: 0 },
        onEpochEnd: () => seen.a++,
      }),
      trainInWorker(main, {
        model: { ...XOR_SPEC, seed: 2 },
        x: XOR_X,
        y: XOR_Y,
        fitOptions: { epochs: 60, yieldEvery: 0 },
        onEpochEnd: () => seen.b++,
      }),
    ]);
    expect(seen).toEqual({ a: 40, b: 60 });
    expect(a.history.epoch).toHaveLength(40);
    expect(b.history.epoch).toHaveLength(60);
    expect(a.weights).not.toEqual(b.weights);
  });

  it('leaves other messages alone, and stops serving when asked', async () => {
    const { main, sent, stop } = channel();
    main.postMessage({ type: 'something-else', id: 1 });
    main.postMessage('hello');
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(0);
    stop();
    main.postMessage({
      type: 'scratchnet:train',
      id: 99,
      model: XOR_SPEC,
      x: XOR_X,
      y: XOR_Y,
      fitOptions: {},
      batchEvents: false,
      weightsEachEpoch: false,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(0);
  });
});
