/**
 * The code each pool worker runs, as a string: Node starts it with `new Worker(source, { eval: true })`, browsers as
 * a module Web Worker from a Blob URL. Being a string, it ships inside the bundle and nothing extra is served.
 *
 * A worker instantiates the kernels module over the shared memory, points its matmul scratch at its own block, marks
 * itself READY and loops: wait for a new SEQ (spinning a little first, so that the kernel calls of a training step,
 * microseconds apart, do not each pay a futex wake), then claim and run chunks of the call until none is left
 * (layout.ts). An exception is written to its slot (FAILED) and the chunk still counts as finished, so the caller
 * never waits for an answer that cannot come; in Node a worker that exits while running a chunk finishes it the same
 * way (DEAD).
 */
import {
  ARGC,
  CHUNKS,
  CLAIM,
  DEAD,
  EXIT,
  FAILED,
  FINISHED,
  HEADER_BYTES,
  HOLDING,
  KERNEL,
  MAX_ARGS,
  MAX_CHUNKS,
  MESSAGE_BYTE,
  MESSAGE_CHARS,
  READY,
  SCRATCH_ARG,
  SEQ,
  SLOT_BYTES,
  STATUS,
} from './layout.js';

/** what a worker is started with (Node: workerData; browsers: the first message) */
export interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** byte offset of the control block, and this worker's slot number in it */
  control: number;
  workers: number;
  index: number;
  /** this worker's matmul scratch block (`setScratch`) and its own block for SCRATCH_ARG */
  scratch: number;
  extra: number;
  /** the kernels' export names, indexed by KERNEL */
  names: string[];
  /** milliseconds of polling SEQ before Atomics.wait */
  spin: number;
}

export const WORKER_SOURCE = `'use strict';
const isNode = typeof process === 'object' && typeof require === 'function';
function run(init) {
  const buffer = init.memory.buffer;
  const head = new Int32Array(buffer, init.control, ${HEADER_BYTES / 4});
  const slotAt = init.control + ${HEADER_BYTES} + init.index * ${SLOT_BYTES};
  const slot = new Int32Array(buffer, slotAt, ${MESSAGE_BYTE / 4});
  const text = new Uint16Array(buffer, slotAt + ${MESSAGE_BYTE}, ${MESSAGE_CHARS});
  const args = new Float64Array(buffer, init.control + ${HEADER_BYTES} + init.workers * ${SLOT_BYTES}, ${MAX_ARGS} * ${MAX_CHUNKS});
  const report = (status, error) => {
    const message = String((error && error.message) || error).slice(0, ${MESSAGE_CHARS});
    for (let c = 0; c < ${MESSAGE_CHARS}; c++) text[c] = c < message.length ? message.charCodeAt(c) : 0;
    Atomics.store(slot, ${STATUS}, status);
  };
  const finish = () => {
    Atomics.store(slot, ${HOLDING}, 0);
    if (Atomics.add(head, ${FINISHED}, 1) + 1 === Atomics.load(head, ${CHUNKS})) Atomics.notify(head, ${FINISHED});
  };
  if (isNode) {
    process.on('exit', () => {
      if (Atomics.load(slot, ${STATUS}) === ${DEAD}) return;
      report(${DEAD}, 'the worker thread exited');
      if (Atomics.load(slot, ${HOLDING}) === 1) finish();
    });
  }
  let fns;
  try {
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory, abort() { throw new Error('abort in a kernel'); } } });
    instance.exports.setScratch(init.scratch);
    fns = init.names.map((name) => instance.exports[name]);
  } catch (e) {
    report(${DEAD}, e);
    return;
  }
  Atomics.store(slot, ${STATUS}, ${READY});
  const spin = init.spin;
  const a = new Array(${MAX_ARGS});
  let seen = Atomics.load(head, ${SEQ});
  try {
    for (;;) {
      let s = Atomics.load(head, ${SEQ});
      if (s === seen) {
        // poll for spin milliseconds (the clock read every 256 polls) before sleeping
        const until = performance.now() + spin;
        for (let n = 1; s === seen; n++) {
          s = Atomics.load(head, ${SEQ});
          if ((n & 255) === 0 && performance.now() > until) break;
        }
      }
      while (s === seen) { Atomics.wait(head, ${SEQ}, seen); s = Atomics.load(head, ${SEQ}); }
      seen = s;
      if (Atomics.load(slot, ${EXIT}) === 1) break;
      const tag = s & 0xffff;
      for (;;) {
        // from the back (layout.ts): the last chunk not yet taken
        const claim = Atomics.load(head, ${CLAIM});
        const back = (claim >>> 8) & 0xff;
        if (claim >>> 16 !== tag || (claim & 0xff) >= back) break;
        if (Atomics.compareExchange(head, ${CLAIM}, claim, claim - 256) !== claim) continue;
        const chunk = back - 1;
        Atomics.store(slot, ${HOLDING}, 1);
        try {
          const argc = head[${ARGC}], at = chunk * ${MAX_ARGS}, scratchArg = head[${SCRATCH_ARG}];
          for (let i = 0; i < argc; i++) a[i] = args[at + i];
          if (scratchArg >= 0) a[scratchArg] = init.extra;
          const f = fns[head[${KERNEL}]];
          // every slot, without an array per call: a wasm function drops the arguments beyond its own
          f(${Array.from({ length: MAX_ARGS }, (_, i) => `a[${i}]`).join(', ')});
        } catch (e) {
          report(${FAILED}, e);
        }
        finish();
      }
    }
  } catch (e) {
    report(${DEAD}, e);
    if (Atomics.load(slot, ${HOLDING}) === 1) finish();
    return;
  }
  report(${DEAD}, 'the pool stopped this worker');
}
if (isNode) run(require('node:worker_threads').workerData);
else self.onmessage = (event) => { self.onmessage = null; run(event.data); };
`;
