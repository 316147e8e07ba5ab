/**
 * A pool of N − 1 workers that run kernels on the caller's shared wasm memory, so that one kernel call uses N threads.
 *
 * Each worker instantiates the same kernels module over the same `WebAssembly.Memory` (shared) and has a slot in the
 * control block (layout.ts) and a matmul scratch block, both in the region below the arena (region.ts). The memory is
 * the pool's for its whole life: a threaded arena never replaces it (instance.ts says why). A call writes the chunks'
 * arguments, tags
 * CLAIM, bumps SEQ and notifies; then the caller claims and runs chunks like any worker, and waits until every chunk
 * has finished. It blocks with Atomics.wait where the thread may (Node, workers) and spins on Atomics.load on a
 * browser's main thread, where it may not.
 *
 * A call handed over with `defer` (fit's gather of the next batch) is posted after the next split call and left to
 * the workers; each split call after it takes back its unclaimed chunks first and posts them again after itself.
 *
 * Workers never hold a Node process open (unref), poll for WORKER_SPIN_MS after a call and then sleep in
 * Atomics.wait. A kernel that throws in a worker makes the call throw a ScratchnetError in the caller once every chunk
 * has finished; a worker found dead is taken out of the pool with a ScratchnetError. Nothing waits for an answer that
 * cannot come.
 */
import type { WasmArena } from '../arena.js';
import type { PoolRegion } from './region.js';
import { scratchnetError } from '../../../util/errors.js';
import { isBrowserMainThread, isNode, nodeBuiltin } from './environment.js';
import {
  ARGC,
  CHUNKS,
  CLAIM,
  DEAD,
  EXIT,
  FAILED,
  FINISHED,
  HEADER_BYTES,
  KERNEL,
  MAX_ARGS,
  MAX_CHUNKS,
  MESSAGE_BYTE,
  MESSAGE_CHARS,
  progressByte,
  READY,
  SCRATCH_ARG,
  SEQ,
  SLOT_BYTES,
  STARTING,
  STATUS,
  unclaimedChunks,
} from './layout.js';
import { WORKER_SOURCE, type WorkerInit } from './worker-source.js';
import { activeThreads, workersCannotStart } from './settings.js';
import type { StepLearner } from './step-learner.js';

/**
 * Milliseconds a worker polls for the next call before it sleeps in Atomics.wait. Waking a sleeping worker (a futex
 * wake, then the OS scheduling it) costs tens of microseconds on our VMs, as much as a split saves on a layer of a
 * one-image predict; so the worker keeps polling across the gaps between the split calls of a predict or a training
 * step, and sleeps only when the program has stopped calling. Measured on the 2-core AMD VM, quiet (docs/threads.md):
 * the Keras convnet's one-image predict took 127 µs on one thread and, on two, 96 µs polling 0.5 ms against no gain
 * with some 4,096 polls (about 10–20 µs), after which the worker slept between predicts.
 */
export const WORKER_SPIN_MS = 0.5;
/** polls before the caller blocks when it stops a worker */
const CALLER_SPIN = 1 << 12;
/**
 * Milliseconds the caller polls for the workers' chunks to finish before it blocks in Atomics.wait. A caller asleep
 * in Atomics.wait is woken by the last worker's notify, tens of microseconds later on our VMs: on the path of every
 * call it slept in. With 4,096 polls (10–20 µs) the caller slept in many calls of an MNIST step at batch 64, and the
 * MLP trained at 0.96× one thread on two; polling 2 ms, at 1.24× (docs/threads.md). The caller has nothing else to do
 * meanwhile.
 */
const CALLER_WAIT_SPIN_MS = 2;

/** a kernel call as chunks: the kernel's index, each chunk's arguments, and how this thread runs one */
interface Call {
  kernel: number;
  chunks: number[][];
  run: (args: number[]) => void;
}

/** What stops a worker: worker_threads' Worker and the browser's Worker both have terminate(). */
interface WorkerHandle {
  terminate(): unknown;
}

interface PoolWorker {
  handle: WorkerHandle;
  index: number;
  scratch: number;
  extra: number;
  /** its blocks lie in the pool's region (else they are arena blocks, freed when it stops) */
  inRegion: boolean;
  slot: Int32Array;
  text: Uint16Array;
  /** stopped by the pool: its blocks may already be reused, so its events must not touch them */
  stopped: boolean;
  /** seen READY: a worker that stops after this crashed; one that stops before it could not start */
  started: boolean;
  /** why this thread marked it dead, in full (its slot keeps MESSAGE_CHARS of it) */
  why?: string;
}

/** a worker that stopped before it was ever seen running (WorkerPool.dropUnstarted) */
const stoppedBeforeStart = (w: PoolWorker): boolean => !w.started && Atomics.load(w.slot, STATUS) === DEAD;

/**
 * Why a browser worker made from our blob: URL did not start when its error event carries no message: the script is
 * in memory, so what refuses it is the page's Content-Security-Policy (Chromium fires a bare error event then).
 */
const BLOB_REFUSED =
  "the browser did not start a worker from the bundle's blob: URL; a Content-Security-Policy whose worker-src (or " +
  'script-src) leaves out blob: refuses it: add blob: to worker-src to use every core';

export class WorkerPool {
  private readonly workers: PoolWorker[] = [];
  /** slot numbers not in use */
  private readonly freeSlots: number[];
  private readonly control: number;
  private readonly memory: WebAssembly.Memory;
  private readonly head: Int32Array;
  private readonly args: Float64Array;
  private readonly progressWord: Int32Array;
  /** the byte address of the int32 through which a chained call's stages hand on their work (split.ts) */
  readonly progress: number;
  /** this (the calling) thread's block for SCRATCH_ARG */
  private readonly ownExtra: number;
  private seq = 0;
  /** performance.now() when the last call ended */
  private lastEnd = -Infinity;
  private url: string | undefined;
  /** a call is running: its chunks own the control block until it returns */
  private running = false;
  /** a call handed over by `defer`, to be posted after the next call that splits (or run at `settle`) */
  private deferred: Call | undefined;
  /** a call posted to the workers that the caller has not waited for: it owns the control block until joined */
  private posted: Call | undefined;
  /** a training step is running (fit sets it; split.ts, STEPS_NOT_LEARNT) */
  training = false;
  /** the next batch is being gathered ahead: a gather large enough to split is handed to `defer` (split.ts) */
  ahead = false;
  /** this training step runs every call on the calling thread: the step learner found whole steps faster */
  stepWhole = false;
  /** the step learner chose a way for the step running */
  private stepLearnt = false;
  /** calls that ran as chunks open to the workers, in all and by kernel (tests check that a split happened) */
  splitCalls = 0;
  /** splitCalls when the training step running began */
  private splitsBeforeStep = 0;
  readonly splitsByKernel: Record<string, number> = {};

  constructor(
    private readonly module: WebAssembly.Module,
    /** the arena over the pool's memory */
    private readonly arena: WasmArena,
    /** export names the workers resolve, indexed by KERNEL */
    readonly names: readonly string[],
    /** bytes of a worker's matmul scratch (the module's `scratchBytes()`) */
    private readonly scratchBytes: number,
    /** floats of each worker's own block for SCRATCH_ARG */
    readonly extraFloats: number,
    /** most workers this pool can hold */
    private readonly maxWorkers: number,
    /** where the control block and the workers' blocks lie, below the arena (region.ts) */
    private readonly region: PoolRegion,
    /** whether a training step's calls split, learnt from the steps' times (step-learner.ts) */
    private readonly steps: StepLearner,
  ) {
    this.control = region.control;
    this.progress = region.control + progressByte(maxWorkers);
    this.ownExtra = region.ownExtra;
    // views of the control block, with every slot free
    this.memory = arena.memory;
    arena.span(region.end); // the region must lie in memory before a worker writes there
    const buffer = this.memory.buffer; // shared memory: these views stay valid as the memory grows
    this.head = new Int32Array(buffer, this.control, HEADER_BYTES / 4);
    this.head.fill(0);
    this.args = new Float64Array(buffer, this.control + HEADER_BYTES + maxWorkers * SLOT_BYTES, MAX_CHUNKS * MAX_ARGS);
    this.progressWord = new Int32Array(buffer, this.progress, 1);
    this.freeSlots = Array.from({ length: maxWorkers }, (_, i) => maxWorkers - 1 - i);
  }

  /** whether the workers have stopped polling since the last call (the next call pays for waking them) */
  asleep(): boolean {
    return performance.now() - this.lastEnd > WORKER_SPIN_MS;
  }

  /**
   * A training step of `owner` (a model) at `rows` rows begins: the step learner chooses whether its calls split
   * (stepWhole), where there is a worker to split with; `endStep` gives it the step's time.
   */
  beginStep(owner: object, rows: number): void {
    this.stepWhole = false;
    this.stepLearnt = activeThreads() >= 2 && this.workers.length > 0;
    this.splitsBeforeStep = this.splitCalls;
    if (this.stepLearnt) this.stepWhole = !this.steps.begin(owner, rows);
  }

  /** The step has ended, in `ms` milliseconds of its own work (undefined: not a typical step, not counted). */
  endStep(ms: number | undefined): void {
    if (this.stepLearnt && ms !== undefined) this.steps.end(ms, this.splitCalls - this.splitsBeforeStep);
    this.stepLearnt = false;
    this.stepWhole = false;
  }

  /** Set the progress word of a chained call (split.ts, runStages: 0 before it; after its first stage failed, a
   *  value that lets the stage waiting on it end). */
  setProgress(rows: number): void {
    Atomics.store(this.progressWord, 0, rows);
  }

  /** workers started (ready or not) */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Workers that have finished starting. A worker found dead (it crashed, or its thread was ended from outside) is
   * taken out of the pool, and this throws a ScratchnetError saying so; the calls after it run on the threads left
   * (setThreads starts a replacement).
   */
  ready(): number {
    this.dropUnstarted();
    let n = 0;
    for (let i = 0; i < this.workers.length; i++) {
      const status = Atomics.load(this.workers[i].slot, STATUS);
      if (status === DEAD) this.dropDead(i);
      // FAILED: a chunk of a posted call threw; it is reported by the next call (takeBack) or settle
      if (status === READY || status === FAILED) {
        this.workers[i].started = true;
        n++;
      }
    }
    return n;
  }

  /**
   * Take out the workers that stopped before they ever ran (a worker the environment would not start: a page's
   * Content-Security-Policy, a failed instantiation). Unlike a crash, this is not an error of any call: the calls run
   * on this thread, and settings.ts says once on the console why there are no threads (getThreads() then says 1).
   */
  private dropUnstarted(): void {
    if (!this.workers.some(stoppedBeforeStart)) return; // the usual case, without an array per call
    const dropped = this.workers.filter(stoppedBeforeStart);
    for (const w of dropped) {
      this.workers.splice(this.workers.indexOf(w), 1);
      this.stop(w);
    }
    workersCannotStart(dropped[0].why ?? this.message(dropped[0])); // resizes every pool to no workers
  }

  private dropDead(i: number): never {
    const [worker] = this.workers.splice(i, 1);
    worker.stopped = true;
    void worker.handle.terminate();
    throw scratchnetError(
      `a kernel worker thread stopped (${this.message(worker)}); scratchnet goes on with ` +
        `${this.workers.length + 1} threads, and setThreads(n) starts new workers`,
      'worker_failed',
    );
  }

  /** Resolves once every worker has started or failed to (polled: a browser's main thread cannot block). */
  async whenReady(): Promise<void> {
    while (this.workers.some((w) => Atomics.load(w.slot, STATUS) === STARTING)) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    for (const w of this.workers) if (Atomics.load(w.slot, STATUS) === READY) w.started = true;
    this.dropUnstarted();
  }

  /** why each worker that stopped did (empty when all run) */
  failures(): string[] {
    return this.workers.filter((w) => Atomics.load(w.slot, STATUS) === DEAD).map((w) => this.message(w));
  }

  /** Start or stop workers so that there are `count` (at most maxWorkers). */
  resize(count: number): void {
    this.settle(); // a call handed over by defer may be running on the workers this stops
    count = Math.min(count, this.maxWorkers);
    while (this.workers.length > count) this.stop(this.workers.pop()!);
    while (this.workers.length < count) this.workers.push(this.start());
  }

  private start(): PoolWorker {
    const index = this.freeSlots.pop()!;
    const at = this.control + HEADER_BYTES + index * SLOT_BYTES;
    const buffer = this.memory.buffer;
    const worker: PoolWorker = {
      handle: { terminate() {} },
      index,
      ...this.blocks(index),
      slot: new Int32Array(buffer, at, MESSAGE_BYTE / 4),
      text: new Uint16Array(buffer, at + MESSAGE_BYTE, MESSAGE_CHARS),
      stopped: false,
      started: false,
    };
    worker.slot.fill(0); // STARTING, not holding, not told to exit
    const init: WorkerInit = {
      module: this.module,
      memory: this.memory,
      control: this.control,
      workers: this.maxWorkers,
      index,
      scratch: worker.scratch,
      extra: worker.extra,
      names: [...this.names],
      spin: WORKER_SPIN_MS,
    };
    try {
      worker.handle = this.spawn(init, worker);
    } catch (e) {
      this.markDead(worker, e);
    }
    return worker;
  }

  /** a worker's blocks: in the region for the first slots, else from the arena */
  private blocks(index: number): Pick<PoolWorker, 'scratch' | 'extra' | 'inRegion'> {
    if (index < this.region.workers) {
      return { scratch: this.region.scratch(index), extra: this.region.extra(index), inRegion: true };
    }
    return {
      scratch: this.arena.alloc(this.scratchBytes / 4, false),
      extra: this.extraFloats > 0 ? this.arena.alloc(this.extraFloats, false) : 0,
      inRegion: false,
    };
  }

  private spawn(init: WorkerInit, worker: PoolWorker): WorkerHandle {
    if (isNode) {
      type NodeWorker = WorkerHandle & { unref(): void; on(event: string, listener: (arg: unknown) => void): void };
      const threads = nodeBuiltin<{ Worker: new (source: string, options: object) => NodeWorker }>(
        'node:worker_threads',
      )!;
      const handle = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: init });
      handle.unref(); // an idle worker must not keep the process alive
      handle.on('error', (e) => this.markDead(worker, e));
      handle.on('exit', () => this.markDead(worker, 'the worker thread exited'));
      return handle;
    }
    this.url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const handle = new Worker(this.url, { type: 'module', name: 'scratchnet kernels' });
    handle.onerror = (e) => this.markDead(worker, e.message || BLOB_REFUSED);
    handle.postMessage(init);
    return handle;
  }

  private markDead(worker: PoolWorker, why: unknown): void {
    if (worker.stopped || Atomics.load(worker.slot, STATUS) === DEAD) return;
    worker.why = String((why as Error)?.message ?? why);
    const message = worker.why.slice(0, MESSAGE_CHARS);
    for (let c = 0; c < MESSAGE_CHARS; c++) worker.text[c] = c < message.length ? message.charCodeAt(c) : 0;
    Atomics.store(worker.slot, STATUS, DEAD);
  }

  private stop(worker: PoolWorker): void {
    worker.stopped = true;
    const ready = Atomics.load(worker.slot, STATUS) === READY;
    if (ready) {
      Atomics.store(worker.slot, EXIT, 1);
      this.wake();
      // it marks itself DEAD as it leaves its loop: from then on it touches neither its slot nor its blocks
      for (let spins = 0; Atomics.load(worker.slot, STATUS) === READY; spins++) {
        if (spins > CALLER_SPIN && !isBrowserMainThread) Atomics.wait(worker.slot, STATUS, READY, 10);
      }
    }
    void worker.handle.terminate();
    // A worker still starting could yet write to its slot and blocks: those stay allocated (a rare setThreads race).
    if (Atomics.load(worker.slot, STATUS) === DEAD) {
      this.freeSlots.push(worker.index);
      if (!worker.inRegion) {
        this.arena.free(worker.scratch);
        if (worker.extra) this.arena.free(worker.extra);
      }
    }
  }

  private wake(): number {
    const seq = (this.seq = (this.seq + 1) | 0);
    Atomics.store(this.head, SEQ, seq);
    Atomics.notify(this.head, SEQ);
    return seq;
  }

  /**
   * Run `kernel` once per entry of `chunks` (each its arguments), spread over this thread and the workers; return
   * when all have finished. `run` calls the kernel on this thread. With `scratchArg` ≥ 0 each thread passes its own
   * block of extraFloats floats there. Throws a ScratchnetError naming the kernel if a chunk threw in a worker.
   * `run` must call the wasm export itself, not a split kernel: a call from inside a chunk would take over the
   * control block while the workers run this call's chunks, and chunks nobody had claimed yet would never run; so
   * such a call throws instead. A posted call (`defer`) is finished first, and a deferred one is posted after.
   */
  run(kernel: number, chunks: number[][], run: (args: number[]) => void, scratchArg = -1): void {
    if (this.running) {
      throw scratchnetError(
        `${this.names[kernel]} was split from inside a chunk of another split call; a chunk must call the wasm ` +
          'export itself',
        'internal',
      );
    }
    this.running = true;
    try {
      if (this.posted) this.takeBack();
      this.publish(kernel, chunks, scratchArg);
      this.finish(kernel, chunks, run, scratchArg);
      if (this.deferred) {
        this.posted = this.deferred;
        this.deferred = undefined;
        this.publish(this.posted.kernel, this.posted.chunks, -1);
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Hand a call to the workers without waiting for it: it is posted right after the next call that splits, and the
   * workers run it while this thread goes on alone (fit gathers the next batch so, while a training step runs the
   * layers too small to split: fit-loop.ts). Each later split call takes back the chunks no worker has claimed and
   * posts them again after itself (takeBack); `settle` runs what is left and waits for the rest. Its chunks must not
   * read what this thread writes meanwhile, nor write what it reads. One call at a time: a second `defer` of the
   * same kernel before the first is posted joins its chunks to it (fit's gathers of a batch's inputs and targets),
   * any other settles the first.
   */
  defer(kernel: number, chunks: number[][], run: (args: number[]) => void): void {
    const waiting = this.deferred;
    if (waiting && waiting.kernel === kernel && waiting.chunks.length + chunks.length <= MAX_CHUNKS) {
      waiting.chunks.push(...chunks);
      return;
    }
    this.settle();
    this.deferred = { kernel, chunks: [...chunks], run };
  }

  /** Finish the call handed to `defer`: wait for it if posted, else run it now. Throws as `run` does. */
  settle(): void {
    if (this.posted) {
      this.running = true;
      try {
        this.join();
      } finally {
        this.running = false;
      }
    }
    const deferred = this.deferred;
    if (deferred) {
      this.deferred = undefined;
      this.run(deferred.kernel, deferred.chunks, deferred.run);
    }
  }

  /**
   * Before another call: take the posted call's chunks that no worker has claimed back into `deferred` (posted again
   * after that call), and wait for the claimed ones. So the workers run a posted call's chunks only in the gaps
   * between split calls, where they would otherwise poll, and this thread never runs them until `settle`.
   */
  private takeBack(): void {
    const { kernel, chunks, run } = this.posted!;
    this.posted = undefined;
    const head = this.head;
    let back: number;
    for (;;) {
      const claim = Atomics.load(head, CLAIM);
      back = (claim >>> 8) & 0xff; // this thread claims none of a posted call's chunks: its front stays at 0
      if (back === 0 || Atomics.compareExchange(head, CLAIM, claim, claim & ~0xff00) === claim) break;
    }
    const claimed = Math.min(chunks.length, MAX_CHUNKS) - back;
    if (Atomics.load(head, FINISHED) < claimed) this.waitForChunks(claimed);
    this.throwFailed(kernel);
    if (back > 0) this.deferred = { kernel, chunks: chunks.slice(0, back), run };
  }

  /** finish the posted call (this thread owns the control block) */
  private join(): void {
    const { kernel, chunks, run } = this.posted!;
    this.posted = undefined;
    this.finish(kernel, chunks, run, -1);
  }

  /** Write a call's chunks into the control block and wake the workers: from here they may claim its chunks. */
  private publish(kernel: number, chunks: number[][], scratchArg: number): void {
    const head = this.head;
    const n = Math.min(chunks.length, MAX_CHUNKS);
    for (let c = 0; c < n; c++) {
      const args = chunks[c];
      for (let i = 0; i < args.length; i++) this.args[c * MAX_ARGS + i] = args[i];
    }
    head[KERNEL] = kernel;
    head[ARGC] = chunks[0].length;
    head[SCRATCH_ARG] = scratchArg;
    Atomics.store(head, CHUNKS, n);
    Atomics.store(head, FINISHED, 0);
    const tag = (this.seq + 1) & 0xffff;
    Atomics.store(head, CLAIM, (tag << 16) | (n << 8)); // front 0, back n (layout.ts)
    this.wake();
    this.splitCalls++;
    this.splitsByKernel[this.names[kernel]] = (this.splitsByKernel[this.names[kernel]] ?? 0) + 1;
  }

  /** Claim and run the published call's chunks left, wait for the workers' ones, and throw what any of them threw. */
  private finish(kernel: number, chunks: number[][], run: (args: number[]) => void, scratchArg: number): void {
    const head = this.head;
    const n = Math.min(chunks.length, MAX_CHUNKS);
    let error: unknown;
    let mine = 0;
    for (;;) {
      // from the front (layout.ts): the first chunk not yet taken
      const claim = Atomics.load(head, CLAIM);
      if (unclaimedChunks(claim) <= 0) break;
      const chunk = claim & 0xff;
      if (Atomics.compareExchange(head, CLAIM, claim, claim + 1) !== claim) continue;
      try {
        if (scratchArg >= 0) chunks[chunk][scratchArg] = this.ownExtra;
        if (error === undefined) run(chunks[chunk]);
      } catch (e) {
        error = e;
      }
      mine++;
    }
    if (Atomics.add(head, FINISHED, mine) + mine !== n) this.waitForChunks(n);
    this.lastEnd = performance.now();
    if (error !== undefined) {
      this.throwFailed(kernel, false);
      throw error;
    }
    this.throwFailed(kernel);
  }

  /** Throw a ScratchnetError naming `kernel` if a chunk threw in a worker (`report`), and ready those workers again. */
  private throwFailed(kernel: number, report = true): void {
    let failed: string | undefined;
    for (const w of this.workers) {
      if (Atomics.load(w.slot, STATUS) === FAILED) {
        failed ??= this.message(w);
        Atomics.store(w.slot, STATUS, READY); // a kernel that threw leaves its worker able to run the next call
      }
    }
    if (failed !== undefined && report) {
      throw scratchnetError(`a worker thread running ${this.names[kernel]} threw: ${failed}`, 'internal');
    }
  }

  private waitForChunks(n: number): void {
    let until = -1;
    for (let spins = 1; ; spins++) {
      const finished = Atomics.load(this.head, FINISHED);
      if (finished >= n) return;
      if ((spins & 255) !== 0 || isBrowserMainThread) continue;
      // the clock read every 256 polls
      if (until < 0) until = performance.now() + CALLER_WAIT_SPIN_MS;
      else if (performance.now() > until) Atomics.wait(this.head, FINISHED, finished, 100);
    }
  }

  private message(w: PoolWorker): string {
    let text = '';
    for (let c = 0; c < MESSAGE_CHARS && w.text[c] !== 0; c++) text += String.fromCharCode(w.text[c]);
    return text || 'no message';
  }

  /** Stop every worker. */
  dispose(): void {
    this.resize(0);
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
  }
}
