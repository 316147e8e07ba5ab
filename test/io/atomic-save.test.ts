// "Never lose a model": a child process saves into one folder in a loop and is killed with SIGKILL at random moments
// (from a seeded generator). After every kill the folder must load, and hold either the model of the last save the
// child reported or the one it was writing — never a mix, never nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, expect, it } from 'vitest';
import { loadModel } from '../../src/io/load-model.js';
import { ORPHAN_AGE_MS, fileHandler } from '../../src/io/node-files.js';
import { Random } from '../../src/util/random.js';

const CHILD = fileURLToPath(new URL('./save-loop-child.ts', import.meta.url));
const KILLS = 10;
/** a save's weights file: model.weights.<time>-<random>.bin */
const WEIGHTS_NAME = /^model\.weights\.[0-9a-z]+-[0-9a-f]+\.bin$/;

/** A save once what killed writers left has aged past ORPHAN_AGE_MS (every file in `folder` made to look as if
 *  nothing had written it since) leaves exactly one model.json and one weights file (node-files.ts). */
async function expectCleanSave(folder: string): Promise<void> {
  const then = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
  for (const name of await readdir(folder)) await utimes(join(folder, name), then, then);
  const model = await loadModel(fileHandler(folder), { backend: 'js' });
  await model.save(fileHandler(folder));
  model.dispose();
  const files = (await readdir(folder)).sort();
  expect(files).toHaveLength(2);
  expect(files[0]).toBe('model.json');
  expect(files[1]).toMatch(WEIGHTS_NAME);
}
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Run the child until it has printed `ready` (or, with `afterSave`, its first `saved` line: a loaded machine may take
 * longer than any fixed delay to finish one), wait `delay` ms more, SIGKILL it; returns the saves it reported.
 */
function runAndKill(folder: string, start: number, delay: number, afterSave = false): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, folder, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!timer && out.includes(afterSave ? 'saved ' : 'ready\n'))
        timer = setTimeout(() => child.kill('SIGKILL'), delay);
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the child ended by itself (code ${code}): ${err}`));
      resolve([...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1])));
    });
  });
}

it(`a model saved in a loop survives ${KILLS} SIGKILLs at random moments: the old or the complete new model always loads`, async () => {
  dir = await mkdtemp(join(tmpdir(), 'scratchnet-atomic-'));
  const folder = join(dir, 'model');
  const rng = new Random(Number(process.env.ATOMIC_SEED ?? 20240601));
  let current: number | undefined; // the value every weight of the model on disk holds
  let leftovers = 0;
  for (let k = 0; k < KILLS; k++) {
    const start = (k + 1) * 1_000_000;
    // The first run is killed only after its first save; later ones anywhere from before their first save on.
    const delay = Math.floor(rng.uniform(0, 120));
    const reported = await runAndKill(folder, start, delay, k === 0);
    const files = await readdir(folder).catch(() => [] as string[]);
    if (files.some((f) => f.endsWith('.tmp')) || files.filter((f) => f.endsWith('.bin')).length > 1) leftovers++;

    const allowed =
      reported.length > 0
        ? [reported[reported.length - 1], reported[reported.length - 1] + 1] // the last reported save, or the one after it
        : [current, start + 1]; // nothing reported: the previous model, or this child's first save
    if (allowed[0] === undefined && !files.includes('model.json')) continue; // killed before the very first save finished
    const model = await loadModel(fileHandler(folder), { backend: 'js' });
    const values = new Set(model.getWeights().flatMap((w) => [...new Set(w)]));
    model.dispose();
    expect(values.size, `after kill ${k} (delay ${delay} ms) the weights mix saves: ${[...values].slice(0, 4)}`).toBe(
      1,
    );
    const [value] = values;
    expect(allowed, `after kill ${k} (delay ${delay} ms) the model holds ${value}`).toContain(value);
    current = value;
  }
  expect(current).toBeDefined();
  await expectCleanSave(folder);
  console.log(
    `atomic saves: ${KILLS} kills, ${leftovers} of them mid-save (left a .tmp or a second weights file), every one loaded`,
  );
}, 60_000);

/** Load the model in `folder` over and over while `going()`: how many loads gave one save's weights, and what went
 *  wrong in the others (a load before the first save finds no model yet, which is no failure) */
async function loadWhile(folder: string, going: () => boolean): Promise<{ loads: number; failures: string[] }> {
  let loads = 0;
  const failures: string[] = [];
  while (going()) {
    try {
      const model = await loadModel(fileHandler(folder), { backend: 'js' });
      const values = new Set(model.getWeights().flatMap((w) => [...new Set(w)]));
      model.dispose();
      if (values.size !== 1) failures.push(`a load mixed saves: ${[...values].slice(0, 4)}`);
      loads++;
    } catch (e) {
      if (!/there is no model at/.test((e as Error).message)) failures.push((e as Error).message);
    }
  }
  return { loads, failures };
}

/** Start the child saving in a loop; resolves once it has reported its first save, with a way to SIGKILL it that
 *  resolves once it has ended (rejects if it ended by itself, a save having thrown). */
function startSaving(folder: string, start: number): Promise<{ saves: () => number; kill: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, folder, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    const ended = new Promise<void>((done, failed) =>
      child.on('close', (code) => (killed ? done() : failed(new Error(`a saving child ended (code ${code}): ${err}`)))),
    );
    ended.catch(reject);
    child.stdout.on('data', (d: Buffer) => {
      const first = !out.includes('saved ');
      out += d;
      if (first && out.includes('saved '))
        resolve({
          saves: () => out.match(/saved /g)?.length ?? 0,
          kill: () => {
            killed = true;
            child.kill('SIGKILL');
            return ended;
          },
        });
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
  });
}

it('two processes saving to one folder at once, while this one loads it: every load is one complete save, and a later save leaves two files', async () => {
  dir ||= await mkdtemp(join(tmpdir(), 'scratchnet-atomic-'));
  const folder = join(dir, 'shared');
  const writers = await Promise.all([startSaving(folder, 1_000_000), startSaving(folder, 2_000_000)]);
  const until = Date.now() + 1500;
  const { loads, failures } = await loadWhile(folder, () => Date.now() < until);
  const saves = writers.map((w) => w.saves());
  await Promise.all(writers.map((w) => w.kill())); // throws if a save of either failed
  expect(failures).toEqual([]);
  expect(loads).toBeGreaterThan(10);
  expect(Math.min(...saves)).toBeGreaterThan(5); // both wrote all along
  await expectCleanSave(folder);
  console.log(`two writers: ${saves.join(' and ')} saves, ${loads} loads, none failed`);
}, 60_000);

it('two worker threads of this process saving to one folder, while this thread loads it: no save fails, every load is one complete save', async () => {
  dir ||= await mkdtemp(join(tmpdir(), 'scratchnet-atomic-'));
  const folder = join(dir, 'threads');
  const script = join(dir, 'save-loop-worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./save-loop-worker.ts', import.meta.url))],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const count = 60;
  const done = [1_000_000, 2_000_000].map(
    (start) =>
      new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(script, { workerData: { dir: folder, start, count } });
        worker.once('message', (failures: string[]) => void worker.terminate().then(() => resolve(failures)));
        worker.once('error', reject);
      }),
  );
  let finished = false;
  const all = Promise.all(done).finally(() => (finished = true));
  const { loads, failures } = await loadWhile(folder, () => !finished);
  expect(await all).toEqual([[], []]);
  expect(failures).toEqual([]);
  expect(loads).toBeGreaterThan(5);
  console.log(`two writer threads: ${2 * count} saves, ${loads} loads, none failed`);
}, 60_000);
