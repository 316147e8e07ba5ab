// "Never lose a model": a child process saves into one folder in a loop and is killed with SIGKILL at random moments
// (from a seeded generator). After every kill the folder must load, and hold either the model of the last save the
// child reported or the one it was writing — never a mix, never nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { loadModel } from '../../src/io/load-model.js';
import { fileHandler } from '../../src/io/node-files.js';
import { Random } from '../../src/util/random.js';

const CHILD = fileURLToPath(new URL('./save-loop-child.ts', import.meta.url));
const KILLS = 10;
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
  // A clean save afterwards leaves exactly one model.json and one weights file.
  const model = await loadModel(fileHandler(folder), { backend: 'js' });
  await model.save(fileHandler(folder));
  model.dispose();
  const files = (await readdir(folder)).sort();
  expect(files).toHaveLength(2);
  expect(files[0]).toBe('model.json');
  expect(files[1]).toMatch(/^model\.weights\.[0-9a-z]+-[0-9a-f]+\.bin$/);
  console.log(
    `atomic saves: ${KILLS} kills, ${leftovers} of them mid-save (left a .tmp or a second weights file), every one loaded`,
  );
}, 60_000);
