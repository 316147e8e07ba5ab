/**
 * One CPU for the subjects of a single-threaded comparison that runs in two processes (the tutorial net against numpy
 * in its child process).
 *
 * Why: the CPUs of a VM need not be equally fast, and which one is slower changes. On the 2-core AMD VM of 2026-12-03,
 * pinned with taskset, numpy's tutorial ran 9,350 samples/s on CPU 0 and 6,850 on CPU 1 for a while, and scratchnet's
 * 92 K against 66 K (reading memory was 15–27% slower on CPU 1; a loop of square roots was not); half an hour later
 * both CPUs ran numpy at 8,400–9,500. Left to the scheduler, this process and numpy's each land on either, and
 * "wasm ÷ numpy" read 7.0× or 14.7× by where they landed. On one CPU, taking turns, both meet the same machine.
 *
 * Linux only (taskset, from util-linux); elsewhere the subjects run where the OS puts them, and the notes say so.
 */
import { spawnSync } from 'node:child_process';

/** the CPUs this process may run on now (taskset's list, e.g. "0,1" or "0-3"), or undefined without taskset */
function affinityList(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const p = spawnSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
  if (p.error || p.status !== 0) return undefined;
  return /list:\s*(\S+)/.exec(p.stdout)?.[1];
}

/** Pin this process's main thread (its thread id is the process id; the worker threads keep their CPUs). */
function pinMainThread(list: string): boolean {
  return spawnSync('taskset', ['-p', '-c', list, String(process.pid)]).status === 0;
}

/**
 * Run `f` with this process's main thread pinned to the first CPU it may use, handing `f` that CPU so that it starts
 * its child processes on it too (`taskset -c cpu …`); the main thread's CPUs are restored after. `cpu` is undefined
 * where pinning is not possible.
 */
export async function onOneCpu<T>(f: (cpu: number | undefined) => Promise<T>): Promise<T> {
  const list = affinityList();
  const cpu = list === undefined ? undefined : Number.parseInt(list, 10);
  if (cpu === undefined || Number.isNaN(cpu) || !pinMainThread(String(cpu))) return f(undefined);
  try {
    return await f(cpu);
  } finally {
    pinMainThread(list!);
  }
}

/** The command that runs `command args` on `cpu` (taskset), or as it is where no CPU was pinned. */
export function onCpu(cpu: number | undefined, command: string, args: string[]): [string, string[]] {
  return cpu === undefined ? [command, args] : ['taskset', ['-c', String(cpu), command, ...args]];
}
