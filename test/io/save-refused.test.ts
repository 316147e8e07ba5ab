// A save the system refuses part way (a full disk): the error is 'io_failed' with the system's words, the model saved
// before still loads as it was, and the failed save leaves no file behind. node:fs/promises is wrapped so that writes
// to a weights file fail with ENOSPC while `diskFull` is set.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Sequential } from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { fileHandler } from '../../src/node.js';

const disk = vi.hoisted(() => ({ full: false }));

vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (path, ...rest) => {
    const handle = await fs.open(path, ...rest);
    if (!disk.full || !String(path).endsWith('.bin')) return handle;
    return new Proxy(handle, {
      get(target, key) {
        if (key === 'write')
          return async () => {
            throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
          };
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { ...fs, open, default: { ...fs, open } };
});

const { mkdtemp, readdir, rm } = await import('node:fs/promises');
let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'scratchnet-refused-'));
});
afterAll(async () => {
  disk.full = false;
  await rm(root, { recursive: true, force: true });
});

it("a save refused by a full disk is 'io_failed', keeps the model saved before, and leaves no file of its own", async () => {
  const model = new Sequential([new Dense(3, { inputShape: [2] })], { seed: 1, backend: 'js' });
  const dir = join(root, 'model');
  await model.save(fileHandler(dir));
  const before = await readdir(dir);
  const saved = model.getWeights();
  model.setWeights(saved.map((w) => w.map((v) => v + 1)));
  disk.full = true;
  await expect(model.save(fileHandler(dir))).rejects.toMatchObject({
    code: 'io_failed',
    message: expect.stringMatching(/^scratchnet: could not save the model to .*model\.json: ENOSPC: no space left/),
  });
  disk.full = false;
  expect((await readdir(dir)).sort()).toEqual(before.sort());
  const loaded = await loadModel(fileHandler(dir), { backend: 'js' });
  expect(loaded.getWeights()).toEqual(saved);
  loaded.dispose();
  model.dispose();
});
