/**
 * How many threads the wasm kernels use: `setThreads(n | 'auto')` and `getThreads()`, and the pools that follow them.
 */
import { fail, shown, warn } from '../../../util/errors.js';
import { coreCount, threadsUnavailableReason } from './environment.js';

/** what a pool must do when the count changes */
export interface Resizable {
  resize(workers: number): void;
  whenReady(): Promise<void>;
  /** calls it has run as chunks open to the workers */
  readonly splitCalls: number;
}

/** most threads setThreads accepts: more would only cost memory (0.8 MB of scratch each) */
export const MAX_THREADS = 256;

interface State {
  requested: number | 'auto';
  /** a cap on the threads a call may use, without stopping workers (benchmarks compare 1 and N in one run) */
  limit: number;
  pools: Set<Resizable>;
  noticeShown: boolean;
  /** setThreads asked for more threads than cores, and was told so once */
  beyondCoresShown?: boolean;
  /** why worker threads could not start here (then everything runs on one thread), once a pool found out */
  cannotStart?: string;
}

/**
 * One state per JavaScript realm, kept on globalThis: dist/index.js and dist/relaxed.js are separate bundles, each
 * with its own copy of this module, and setThreads from one must reach the pools of both.
 */
const state: State = ((globalThis as { [key: symbol]: State })[Symbol.for('scratchnet.threads')] ??= {
  requested: 'auto',
  limit: Infinity,
  pools: new Set(),
  noticeShown: false,
});

/** threads are possible here (workers and shared memory, and workers that start); on a page that is not
 *  cross-origin isolated this says once on the console which two headers would enable them (not after
 *  setThreads(1): one thread was asked for) */
export function threadsAvailable(): boolean {
  if (state.cannotStart !== undefined) return false;
  const reason = threadsUnavailableReason();
  if (reason !== undefined && !state.noticeShown && state.requested !== 1 && reason.includes('Cross-Origin')) {
    state.noticeShown = true;
    console.info(`scratchnet: running on one thread: ${reason}`);
  }
  return reason === undefined;
}

/** the thread count now in force for threaded backends: the request resolved ('auto': the core count), or 1 where
 *  workers could not start */
export function resolvedThreads(): number {
  if (state.cannotStart !== undefined) return 1;
  return state.requested === 'auto' ? Math.min(coreCount(), MAX_THREADS) : state.requested;
}

/**
 * A pool found that its workers could not start (pool.ts: a worker that stopped before it ever ran), for `why`. From
 * then on every pool here runs on the calling thread, getThreads() says 1, and the console says why, once. Not
 * tried again: what refuses a worker (a page's Content-Security-Policy) refuses the next one too.
 */
export function workersCannotStart(why: string): void {
  if (state.cannotStart !== undefined) return;
  state.cannotStart = why;
  warn(`running on one thread: its worker threads could not start (${why})`);
  for (const pool of state.pools) pool.resize(0);
}

/**
 * Use `n` threads for the wasm kernels (the calling thread and n − 1 workers), or `'auto'`: one per core
 * (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers). 'auto' is the default in Node
 * and on cross-origin-isolated pages. Where threads cannot run (a page without cross-origin isolation, an engine
 * without SharedArrayBuffer or workers) everything runs on one thread and getThreads() says 1.
 *
 * Results are bit-identical whatever the count: each output is computed by one thread in the single-thread order.
 * `setThreads(1)` stops every worker. Small kernel calls always run on the calling thread.
 *
 * Workers start in the background; until one has, calls run without it. The returned promise resolves once every
 * worker has started or failed to (awaiting it is optional): where they cannot start (a page whose
 * Content-Security-Policy refuses workers from blob: URLs), everything runs on one thread, getThreads() says 1 and
 * the console says why, once. A count that is not 'auto' or a whole number from 1 to 256 throws at
 * once, at the call, rather than rejecting the promise: the call is often not awaited.
 */
export function setThreads(n: number | 'auto'): Promise<void> {
  if (n !== 'auto' && (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_THREADS)) {
    fail(`setThreads expects 'auto' or a whole number from 1 to ${MAX_THREADS}, got ${shown(n)}`);
  }
  state.requested = n;
  const cores = coreCount();
  if (n !== 'auto' && n > cores && !state.beyondCoresShown && threadsUnavailableReason() === undefined) {
    state.beyondCoresShown = true;
    warn(
      `setThreads(${n}) on a machine with ${cores} core(s): threads beyond the cores take turns ` +
        "on them and make large kernel calls slower, not faster ('auto' uses one per core)",
    );
  }
  const count = resolvedThreads();
  for (const pool of state.pools) pool.resize(count - 1);
  return Promise.all([...state.pools].map((pool) => pool.whenReady())).then(() => undefined);
}

/** The number of threads the wasm kernels use: 1 where threads are not available, else what setThreads asked for
 *  ('auto': the core count). */
export function getThreads(): number {
  return threadsAvailable() ? resolvedThreads() : 1;
}

/** the threads a kernel call may use now: the resolved count, under the benchmark's cap */
export function activeThreads(): number {
  return Math.min(resolvedThreads(), state.limit);
}

/** Cap the threads kernel calls use without stopping or starting workers (Infinity: no cap). Not public: the
 *  benchmarks switch between one thread and all of them between samples, which setThreads would make slow. */
export function setThreadLimit(n: number): void {
  state.limit = n;
}

/** Kernel calls split over the workers so far, by every pool. Not public: the benchmarks report whether a row split
 *  anything (one that did not runs the same code on one thread and on N). */
export function splitCallCount(): number {
  let calls = 0;
  for (const pool of state.pools) calls += pool.splitCalls;
  return calls;
}

/** A threaded backend's pool follows setThreads from now on (and is sized at once). */
export function registerPool(pool: Resizable): void {
  state.pools.add(pool);
  pool.resize(resolvedThreads() - 1);
}
