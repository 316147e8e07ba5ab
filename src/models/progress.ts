import type { Logs, Reporter } from './fit-loop.js';

type Write = (text: string) => void;

/** Where progress goes: a terminal that can redraw a line, or a plain line-by-line log (browsers, pipes, CI). */
function terminal(host: object = globalThis): { write: Write; tty: boolean } | null {
  const proc = (host as { process?: { stdout?: { isTTY?: boolean; write(s: string): boolean } } }).process;
  const out = proc?.stdout;
  if (!out || typeof out.write !== 'function') return null;
  return { write: (s) => void out.write(s), tty: out.isTTY === true };
}

/**
 * fit's default verbosity: progress where the process has a standard output (Node, Deno, Bun: a terminal, a log
 * file or CI), none in browsers and their workers, whose console is the developer's (TF.js prints nothing there).
 */
export function defaultVerbose(host: object = globalThis): 0 | 1 {
  return terminal(host) ? 1 : 0;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${formatValue(v as number)}`)
    .join('');
}

/** A log value as Keras's progress bar prints it: 4 decimals, or 4 in e-notation from 1e-3 down (a small regression
 *  loss or learning rate reads 2.5000e-04, not 0.0003), its exponent with two digits at least as Python's */
export function formatValue(v: number): string {
  if (Math.abs(v) > 1e-3) return v.toFixed(4);
  return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatSeconds(s: number): string {
  if (s >= 3600)
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  if (s >= 60) return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
  return `${Math.round(s)}s`;
}

function bar(done: number, total: number, width = 30): string {
  const filled = Math.floor((done / total) * width);
  if (done >= total) return `[${'='.repeat(width)}]`;
  return `[${'='.repeat(filled)}>${'.'.repeat(width - filled - 1)}]`;
}

/**
 * Keras-style progress. verbose 1: a live bar per epoch (batches done, ETA, loss, accuracy) on a terminal, one
 * line per epoch with a full bar elsewhere; verbose 2: one line per epoch, without a bar; verbose 0: nothing. When an
 * epoch's batch count is not known before it runs (a batch source), the live line counts batches as Keras does
 * (`12/Unknown`), without a bar.
 */
export function kerasReporter(verbose: 0 | 1 | 2, log: (line: string) => void = console.log): Reporter {
  const term = verbose === 1 ? terminal() : null;
  const live = term?.tty === true;
  let batches: number | undefined;
  let done = 0;
  let started = 0;
  let lastDraw = 0;
  let width = 0;
  return {
    epochStart(epoch, epochs, n) {
      batches = n;
      done = 0;
      started = Date.now();
      lastDraw = 0;
      if (verbose > 0) log(`Epoch ${epoch + 1}/${epochs}`);
    },
    batchEnd(batch, logs) {
      done = batch + 1;
      if (!live) return;
      const now = Date.now();
      if (now - lastDraw < 100 && (batches === undefined || done < batches)) return; // at most ten times a second
      lastDraw = now;
      const elapsed = (now - started) / 1000;
      let line: string;
      if (batches === undefined) {
        line = `${done}/Unknown - ${formatSeconds(elapsed)}${formatLogs(logs)}`;
      } else {
        const eta = (elapsed / done) * (batches - done);
        const count = `${String(done).padStart(String(batches).length)}/${batches}`;
        line = `${count} ${bar(done, batches)} - ETA: ${formatSeconds(eta)}${formatLogs(logs)}`;
      }
      width = Math.max(width, line.length);
      term!.write(`\r${line.padEnd(width)}`);
    },
    epochEnd(_epoch, _epochs, logs, seconds) {
      if (verbose === 0) return;
      const steps = batches ?? done;
      const perStep = steps > 0 ? (seconds * 1000) / steps : 0;
      // as Keras prints it: milliseconds per step, microseconds below one
      const step = perStep >= 1 ? `${perStep.toFixed(0)}ms/step` : `${(perStep * 1000).toFixed(0)}us/step`;
      // verbose 2 as in Keras: the counts without the bar
      const shown = verbose === 2 ? `${steps}/${steps}` : `${steps}/${steps} ${bar(1, 1)}`;
      const line = `${shown} - ${formatSeconds(seconds)} ${step}${formatLogs(logs)}`;
      if (live) term!.write(`\r${line.padEnd(width)}\n`);
      else log(line);
      width = 0;
    },
  };
}
