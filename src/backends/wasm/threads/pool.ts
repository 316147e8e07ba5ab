/**
 * A pool of N − 1 workers that run kernels on the caller's shared wasm memory, so that one kernel call uses N threads.
 *
 * Each worker instantiates the same kernels module over the same `WebAssembly.Memory` (shared) and owns a slot of the
 * control block (layout.ts) and a matmul scratch block, both allocated in the arena. A call writes each worker's part
 * (kernel and arguments) into its slot, bumps the slot's SEQ and notifies; the caller runs its own part, then waits
 * for every DONE. Waiting blocks with Atomics.wait where the thread may block (Node, workers) and spins on
 * Atomics.load on a browser's main thread, where it may not.
 *
 * Workers never hold a Node process open (unref), spin briefly after a call and then sleep in Atomics.wait. A kernel
 * that throws in a worker, or a worker that dies, makes the call throw a ScratchnetError in the caller once every part
 * has answered; it never hangs.
 */
import type { WasmArena } from '../arena.js';
import { scratchnetError } from '../../../util/errors.js';
import { isBrowserMainThread, isNode, nodeBuiltin } from './environment.js';
import {
  ARGC,
  ARGS_BYTE,
  DEAD,
  DONE,
  EXIT,
  FAILED,
  KERNEL,
  MAX_ARGS,
  MESSAGE_BYTE,
  MESSAGE_CHARS,
  READY,
  SEQ,
  SLOT_BYTES,
  STARTING,
  STATUS,
} from './layout.js';
import { WORKER_SOURCE, type WorkerInit } from './worker-source.js';

/** Atomics.load polls before a worker sleeps (about 0.1–0.3 ms): a training step's calls come faster than that */
const WORKER_SPIN = 1 << 16;
/** polls of DONE before the caller blocks */
const CALLER_SPIN = 1 << 12;

/** What stops a worker: worker_threads' Worker and the browser's Worker both have terminate(). */
interface WorkerHandle {
  terminate(): unknown;
}

interface PoolWorker {
  handle: WorkerHandle;
  /** the slot and the scratch blocks in the arena */
  slot: number;
  scratch: number;
  /** a per-worker block for kernels that need room of their own (the conv patch matrix), or 0 */
  extra: number;
  i32: Int32Array;
  args: Float64Array;
  text: Uint16Array;
  /** stopped by the pool: its blocks may already belong to someone else, so its events must not touch them */
  stopped: boolean;
}

/** One part of a call: the kernel's index in `names` and its arguments. */
export interface Part {
  kernel: number;
  args: number[];
}

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  private seq = 0;
  /** calls that ran on more than one thread (tests check that a split happened) */
  splitCalls = 0;
  private url: string | undefined;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly arena: WasmArena,
    /** export names the workers resolve, in the order of Part.kernel */
    readonly names: readonly string[],
    /** bytes of a worker's matmul scratch (the module's `scratchBytes()`) */
    private readonly scratchBytes: number,
    /** floats of each worker's extra block */
    readonly extraFloats: number,
  ) {}

  /** workers started (ready or not) */
  get size(): number {
    return this.workers.length;
  }

  /**
   * The workers that have finished starting, in order: a call uses only these. A worker found dead (it crashed or
   * its thread was ended from outside) is taken out of the pool, and this throws a ScratchnetError saying so; the
   * calls after it run on the threads left (setThreads starts a replacement).
   */
  ready(): number {
    let n = 0;
    while (n < this.workers.length) {
      const status = Atomics.load(this.workers[n].i32, STATUS);
      if (status === DEAD) this.dropDead(n);
      if (status !== READY) break;
      n++;
    }
    return n;
  }

  private dropDead(i: number): never {
    const [worker] = this.workers.splice(i, 1);
    worker.stopped = true;
    void worker.handle.terminate();
    throw scratchnetError(
      `a kernel worker thread stopped (${this.message(worker)}); scratchnet goes on with ` +
        `${this.workers.length + 1} threads, and setThreads(n) starts new workers`,
      'internal',
    );
  }

  /** Resolves once every worker has started or failed to (polled: a browser's main thread cannot block). */
  async whenReady(): Promise<void> {
    for (;;) {
      const settled = this.workers.every((w) => Atomics.load(w.i32, STATUS) !== STARTING);
      if (settled) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** why each worker that stopped did (empty when all run) */
  failures(): string[] {
    return this.workers.filter((w) => Atomics.load(w.i32, STATUS) === DEAD).map((w) => this.message(w));
  }

  /** the extra block of worker `i` (0-based) */
  extraOf(i: number): number {
    return this.workers[i].extra;
  }

  /** Start or stop workers so that there are `count`. */
  resize(count: number): void {
    while (this.workers.length > count) this.stop(this.workers.pop()!);
    while (this.workers.length < count) this.workers.push(this.start());
  }

  private start(): PoolWorker {
    const slot = this.arena.alloc(SLOT_BYTES / 4);
    const scratch = this.arena.alloc(this.scratchBytes / 4, false);
    const extra = this.extraFloats > 0 ? this.arena.alloc(this.extraFloats, false) : 0;
    const buffer = this.memory.buffer;
    const worker: PoolWorker = {
      handle: { terminate() {} },
      slot,
      scratch,
      extra,
      i32: new Int32Array(buffer, slot, ARGS_BYTE / 4),
      args: new Float64Array(buffer, slot + ARGS_BYTE, MAX_ARGS),
      text: new Uint16Array(buffer, slot + MESSAGE_BYTE, MESSAGE_CHARS),
      stopped: false,
    };
    const init: WorkerInit = {
      module: this.module,
      memory: this.memory,
      slot,
      scratch,
      names: [...this.names],
      spin: WORKER_SPIN,
    };
    try {
      worker.handle = this.spawn(init, worker);
    } catch (e) {
      Atomics.store(worker.i32, STATUS, DEAD);
      this.report(worker, e);
    }
    return worker;
  }

  private spawn(init: WorkerInit, worker: PoolWorker): WorkerHandle {
    if (isNode) {
      type NodeWorker = WorkerHandle & {
        unref(): void;
        on(event: string, listener: (arg: unknown) => void): void;
      };
      const threads = nodeBuiltin<{ Worker: new (source: string, options: object) => NodeWorker }>(
        'node:worker_threads',
      )!;
      const handle = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: init });
      // an idle worker must not keep the process alive; one that fails to start is marked dead
      handle.unref();
      handle.on('error', (e) => this.markDead(worker, e));
      handle.on('exit', () => this.markDead(worker, 'the worker thread exited'));
      return handle;
    }
    this.url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const handle = new Worker(this.url, { type: 'module', name: 'scratchnet kernels' });
    handle.onerror = (e) => this.markDead(worker, e.message);
    handle.postMessage(init);
    return handle;
  }

  private markDead(worker: PoolWorker, why: unknown): void {
    if (worker.stopped) return;
    const status = Atomics.load(worker.i32, STATUS);
    if (status === DEAD) return;
    this.report(worker, why);
    Atomics.store(worker.i32, STATUS, DEAD);
  }

  private report(worker: PoolWorker, why: unknown): void {
    const message = String((why as Error)?.message ?? why).slice(0, MESSAGE_CHARS);
    for (let c = 0; c < MESSAGE_CHARS; c++) worker.text[c] = c < message.length ? message.charCodeAt(c) : 0;
  }

  private stop(worker: PoolWorker): void {
    worker.stopped = true;
    const ready = Atomics.load(worker.i32, STATUS) === READY;
    if (ready) {
      const seq = (this.seq = (this.seq + 1) | 0);
      worker.i32[KERNEL] = EXIT;
      Atomics.store(worker.i32, SEQ, seq);
      Atomics.notify(worker.i32, SEQ);
      this.waitFor(worker, seq); // it answers EXIT as it leaves its loop: then it no longer touches its blocks
    }
    void worker.handle.terminate();
    // A worker still starting could write to its slot later: its blocks stay allocated (a rare setThreads race).
    if (ready || Atomics.load(worker.i32, STATUS) === DEAD) {
      this.arena.free(worker.slot);
      this.arena.free(worker.scratch);
      if (worker.extra) this.arena.free(worker.extra);
    }
  }

  /**
   * Run `own` on this thread and parts[i] on worker i, all at once; return when every part is done. Throws a
   * ScratchnetError naming the kernel if a part threw in its worker or a worker stopped.
   */
  run(own: () => void, parts: Part[], what: string): void {
    const seq = (this.seq = (this.seq + 1) | 0);
    this.splitCalls++;
    for (let i = 0; i < parts.length; i++) {
      const w = this.workers[i];
      const { kernel, args } = parts[i];
      w.i32[KERNEL] = kernel;
      w.i32[ARGC] = args.length;
      for (let a = 0; a < args.length; a++) w.args[a] = args[a];
      Atomics.store(w.i32, SEQ, seq);
      Atomics.notify(w.i32, SEQ);
    }
    let error: unknown;
    try {
      own();
    } catch (e) {
      error = e;
    }
    let failed: string | undefined;
    for (let i = 0; i < parts.length; i++) {
      const w = this.workers[i];
      this.waitFor(w, seq);
      const status = Atomics.load(w.i32, STATUS);
      if (status !== READY && failed === undefined) {
        failed = `${status === FAILED ? 'threw' : 'stopped'}: ${this.message(w)}`;
        // a kernel that threw leaves its worker able to run the next call
        if (status === FAILED) Atomics.store(w.i32, STATUS, READY);
      }
    }
    if (error !== undefined) throw error;
    if (failed !== undefined) {
      throw scratchnetError(`a worker thread running ${what} ${failed}`, 'internal');
    }
  }

  private message(w: PoolWorker): string {
    let text = '';
    for (let c = 0; c < MESSAGE_CHARS && w.text[c] !== 0; c++) text += String.fromCharCode(w.text[c]);
    return text || 'no message';
  }

  private waitFor(w: PoolWorker, seq: number): void {
    let spins = 0;
    for (;;) {
      const done = Atomics.load(w.i32, DONE);
      if (done === seq) return;
      const status = Atomics.load(w.i32, STATUS);
      if (status === DEAD || status === STARTING) return; // it will never answer: the caller reports it
      if (++spins > CALLER_SPIN && !isBrowserMainThread) Atomics.wait(w.i32, DONE, done, 100);
    }
  }

  /** Stop every worker (their blocks stay allocated, see stop()). */
  dispose(): void {
    this.resize(0);
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
  }
}
