import { afterEach, describe, expect, it, vi } from 'vitest';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { serveTraining, trainInWorker, type MessageEndpoint } from '../../src/index.js';
import { XOR_SPEC, XOR_X, XOR_Y } from './fixtures/xor.js';

// How trainInWorker fails when the worker does: a browser worker whose script does not load, one that never calls
// serveTraining, one that exits first; and fitOptions.verbose, which the README's Node snippet passes.

const request = { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions: { epochs: 1 } };

/** A browser Worker as trainInWorker sees one: an EventTarget with postMessage, here one that never answers. */
class SilentBrowserWorker extends EventTarget {
  posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
}

const open: MessagePort[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
});

describe('trainInWorker when the worker fails', () => {
  it("says the script did not load when a browser reports a bare error Event (a 404), not '[object Event]'", async () => {
    const worker = new SilentBrowserWorker();
    const result = trainInWorker(worker as unknown as MessageEndpoint, request);
    worker.dispatchEvent(new Event('error'));
    const error = await result.catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^scratchnet: the training worker failed before answering: its script did not load or start/,
    );
    expect((error as Error).message).toContain("Check the worker's URL (a 404");
    expect((error as Error).message).not.toContain('[object');
  });

  it('passes on what an ErrorEvent says, with the file and line', async () => {
    const worker = new SilentBrowserWorker();
    const result = trainInWorker(worker as unknown as MessageEndpoint, request);
    worker.dispatchEvent(
      Object.assign(new Event('error'), {
        message: 'Uncaught SyntaxError: Unexpected token',
        filename: 'http://localhost/train.worker.js',
        lineno: 3,
      }),
    );
    await expect(result).rejects.toThrow(
      'scratchnet: the training worker failed: Uncaught SyntaxError: Unexpected token (http://localhost/train.worker.js:3)',
    );
  });

  it('times out with a message when the worker never calls serveTraining', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2); // nobody serves port2
    const result = trainInWorker(port1, { ...request, startTimeout: 100 });
    await expect(result).rejects.toThrow(
      'scratchnet: the training worker did not answer within 0.1 s. Does its script call serveTraining() (in Node: serveTraining(parentPort))?',
    );
    await expect(result).rejects.toMatchObject({ name: 'ScratchnetError', code: 'worker_failed' });
  });

  it('does not time out once the worker has accepted, however long training takes', async () => {
    // a worker that accepts at once and finishes after 150 ms, against a 20 ms start timeout
    const listeners = new Set<(data: unknown) => void>();
    const emit = (data: unknown) => {
      for (const l of listeners) l(data);
    };
    const worker: MessageEndpoint = {
      postMessage(message) {
        const { id } = message as { id: number };
        queueMicrotask(() => emit({ type: 'scratchnet:accepted', id }));
        setTimeout(
          () =>
            emit({
              type: 'scratchnet:done',
              id,
              history: { epoch: [0], history: {} },
              weights: [],
              stopped: false,
              backend: 'js',
            }),
          150,
        );
      },
      on: (type, listener) => {
        if (type === 'message') listeners.add(listener);
      },
      off: (_type, listener) => listeners.delete(listener),
    };
    const result = await trainInWorker(worker, { ...request, startTimeout: 20 });
    expect(result.history.epoch).toEqual([0]);
  });

  it('serveTraining accepts a request before anything else', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    const sent: string[] = [];
    serveTraining({
      postMessage: (m: any, t) => {
        sent.push(m.type);
        port2.postMessage(m, t as ArrayBuffer[]);
      },
      on: (t, l) => port2.on(t, l),
      off: (t, l) => port2.off(t, l),
    });
    await trainInWorker(port1, request);
    expect(sent[0]).toBe('scratchnet:accepted');
    expect(sent.at(-1)).toBe('scratchnet:done');
  });

  it('refuses a startTimeout that is not a positive number', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    await expect(trainInWorker(port1, { ...request, startTimeout: 0 })).rejects.toThrow(
      'scratchnet: startTimeout must be a number of milliseconds > 0, got 0',
    );
  });

  it('in Node: a worker that exits without serving, or whose script is missing, says so', async () => {
    const exits = new Worker('const x = 1;', { eval: true });
    const exited = trainInWorker(exits, request);
    await expect(exited).rejects.toThrow(
      'scratchnet: the training worker exited: exit code 0, before answering. Does its script call serveTraining(parentPort)?',
    );
    await expect(exited).rejects.toMatchObject({ code: 'worker_failed' });
    const idle = new Worker('setInterval(() => {}, 1000);', { eval: true });
    try {
      await expect(trainInWorker(idle, { ...request, startTimeout: 200 })).rejects.toThrow(
        'did not answer within 0.2 s',
      );
    } finally {
      await idle.terminate();
    }
    const missing = new Worker(new URL('./fixtures/no-such-worker.mjs', import.meta.url));
    await expect(trainInWorker(missing, request)).rejects.toThrow(
      /^scratchnet: the training worker failed: Cannot find module .*no-such-worker\.mjs/,
    );
  });
});

describe('trainInWorker fitOptions.verbose', () => {
  it('is accepted (the README passes verbose: 0) and prints in the worker when asked', async () => {
    const { port1, port2 } = new MessageChannel();
    open.push(port1, port2);
    serveTraining(port2);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await trainInWorker(port1, { ...request, fitOptions: { epochs: 2, verbose: 0 } });
      expect(log).not.toHaveBeenCalled();
      await trainInWorker(port1, { ...request, fitOptions: { epochs: 2, verbose: 2 } });
      // here the "worker" shares this thread's console: its fit printed an Epoch line per epoch
      expect(log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('Epoch'))).toEqual([
        'Epoch 1/2',
        'Epoch 2/2',
      ]);
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
    await expect(trainInWorker(port1, { ...request, fitOptions: { verbose: 3 as never } })).rejects.toThrow(
      'verbose must be 0, 1 or 2, got 3',
    );
  });
});
