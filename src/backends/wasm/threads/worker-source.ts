/**
 * The code each pool worker runs, as a string: Node starts it with `new Worker(source, { eval: true })`, browsers as
 * a module Web Worker from a Blob URL. Being a string, it ships inside the bundle and nothing extra is served.
 *
 * A worker instantiates the kernels module over the shared memory, points its matmul scratch at its own block, marks
 * itself READY and then loops: wait for a new SEQ in its slot (spinning a little first, so that the kernel calls of a
 * training step, microseconds apart, do not each pay a futex wake), run the kernel, publish DONE. Any exception is
 * written to the slot (FAILED) and the call still completes, so the caller never waits for an answer that cannot
 * come; in Node a worker that exits for any reason marks itself DEAD and answers too.
 */
import {
  ARGC,
  ARGS_BYTE,
  DEAD,
  DONE,
  EXIT,
  FAILED,
  KERNEL,
  MESSAGE_BYTE,
  MESSAGE_CHARS,
  READY,
  SEQ,
  STATUS,
} from './layout.js';

/** what a worker is started with (Node: workerData; browsers: the first message) */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** byte offset of this worker's slot */
  slot: number;
  /** this worker's matmul scratch block (`setScratch`) */
  scratch: number;
  /** the kernels' export names, indexed by the slot's KERNEL */
  names: string[];
  /** Atomics.load polls of SEQ before Atomics.wait */
  spin: number;
}

export const WORKER_SOURCE = `'use strict';
const isNode = typeof process === 'object' && typeof require === 'function';
function run(init) {
  const i32 = new Int32Array(init.memory.buffer, init.slot, ${ARGS_BYTE / 4});
  const args = new Float64Array(init.memory.buffer, init.slot + ${ARGS_BYTE}, ${(MESSAGE_BYTE - ARGS_BYTE) / 8});
  const text = new Uint16Array(init.memory.buffer, init.slot + ${MESSAGE_BYTE}, ${MESSAGE_CHARS});
  let seen = Atomics.load(i32, ${SEQ});
  const answer = () => { Atomics.store(i32, ${DONE}, seen); Atomics.notify(i32, ${DONE}); };
  const report = (status, error) => {
    const message = String((error && (error.stack || error.message)) || error).slice(0, ${MESSAGE_CHARS});
    for (let c = 0; c < ${MESSAGE_CHARS}; c++) text[c] = c < message.length ? message.charCodeAt(c) : 0;
    Atomics.store(i32, ${STATUS}, status);
  };
  if (isNode) process.on('exit', () => { if (Atomics.load(i32, ${STATUS}) !== ${DEAD}) { report(${DEAD}, 'the worker thread exited'); seen = Atomics.load(i32, ${SEQ}); answer(); } });
  let fns;
  try {
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory, abort() { throw new Error('abort in a kernel'); } } });
    instance.exports.setScratch(init.scratch);
    fns = init.names.map((name) => instance.exports[name]);
  } catch (e) {
    report(${DEAD}, e);
    answer();
    return;
  }
  Atomics.store(i32, ${STATUS}, ${READY});
  Atomics.notify(i32, ${STATUS});
  const spin = init.spin;
  try {
    for (;;) {
      let s = Atomics.load(i32, ${SEQ});
      for (let n = 0; s === seen && n < spin; n++) s = Atomics.load(i32, ${SEQ});
      while (s === seen) { Atomics.wait(i32, ${SEQ}, seen); s = Atomics.load(i32, ${SEQ}); }
      seen = s;
      const k = i32[${KERNEL}];
      if (k === ${EXIT}) break;
      try {
        const f = fns[k], a = args;
        switch (i32[${ARGC}]) {
          case 7: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6]); break;
          case 8: f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]); break;
          default: f(...Array.from(a.subarray(0, i32[${ARGC}])));
        }
      } catch (e) {
        report(${FAILED}, e);
      }
      answer();
    }
  } catch (e) {
    report(${DEAD}, e);
    answer();
    return;
  }
  report(${DEAD}, 'the pool stopped this worker');
  answer();
}
if (isNode) run(require('node:worker_threads').workerData);
else self.onmessage = (event) => { self.onmessage = null; run(event.data); };
`;
