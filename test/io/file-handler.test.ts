// Models in files (scratchnet/node): the forms of target, the files a save leaves, the Keras converter's shards, and
// the errors for missing or broken files.
import { mkdtemp, readdir, readFile, rm, symlink, truncate, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dense, Sequential } from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { fileHandler } from '../../src/node.js';
import { ORPHAN_AGE_MS } from '../../src/io/node-files.js';

let root = '';
let model: Sequential;
const x = [
  [0.5, -1, 2],
  [1, 1, 1],
];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'scratchnet-files-'));
  model = new Sequential([new Dense(4, { inputShape: [3], activation: 'tanh' }), new Dense(2)], {
    seed: 4,
    backend: 'js',
  });
  model.compile({ optimizer: 'adam', loss: 'mse' });
  await model.fit(
    x,
    [
      [1, 0],
      [0, 1],
    ],
    { epochs: 2, verbose: 0 },
  );
});
afterAll(async () => {
  model.dispose();
  await rm(root, { recursive: true, force: true });
});

const weightFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith('.bin'));

describe('targets', () => {
  let targets = 0;
  it.each([
    ['fileHandler(dir)', (d: string) => fileHandler(d), (d: string) => fileHandler(join(d, 'model.json'))],
    ["'file://' + absolute path", (d: string) => `file://${d}`, (d: string) => `file://${d}/model.json`],
    ['a file: URL object', (d: string) => fileHandler(pathToFileURL(d)), (d: string) => fileHandler(pathToFileURL(d))],
    ['a plain path (scratchnet/node is imported)', (d: string) => d, (d: string) => d],
  ])('%s saves and loads back bit for bit', async (_name, saveTo, loadFrom) => {
    const dir = join(root, `target-${++targets}`);
    await model.save(saveTo(dir) as string);
    const back = await loadModel(loadFrom(dir) as string, { backend: 'js' });
    expect(back.getWeights()).toEqual(model.getWeights());
    expect(back.predict(x)).toEqual(model.predict(x));
    back.dispose();
  });

  it("TensorFlow.js's relative form 'file://models/x' is a path relative to the working directory", async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      await model.save('file://rel/m');
      expect(await readdir(join(root, 'rel', 'm'))).toContain('model.json');
      (await loadModel('file://rel/m', { backend: 'js' })).dispose();
    } finally {
      process.chdir(cwd);
    }
  });

  it('a path ending in .json names the model file; its weights are named after it', async () => {
    const dir = join(root, 'named');
    await model.save(join(dir, 'classifier.json'));
    const files = (await readdir(dir)).sort();
    expect(files[0]).toMatch(/^classifier\.json$/);
    expect(files[1]).toMatch(/^classifier\.weights\.[0-9a-z]+-[0-9a-f]+\.bin$/);
    const json = JSON.parse(await readFile(join(dir, 'classifier.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual([files[1]]);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      'dense/kernel',
      'dense/bias',
      'dense_1/kernel',
      'dense_1/bias',
    ]);
  });
});

describe('the files a save leaves', () => {
  it('one model.json and one weights file; saving again replaces the weights file and leaves no .tmp', async () => {
    const dir = join(root, 'again');
    await model.save(dir);
    const first = await weightFiles(dir);
    await model.save(dir, { includeOptimizer: true });
    const second = await weightFiles(dir);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(second[0]).not.toBe(first[0]);
    expect((await readdir(dir)).sort()).toEqual(['model.json', second[0]]);
  });

  it('saves started without awaiting the previous one (from a callback, say) all complete, and the last one started is on disk', async () => {
    const dir = join(root, 'overlapping');
    const m = new Sequential([new Dense(3, { inputShape: [2] })], { seed: 1, backend: 'js' });
    m.predict([[0, 0]]);
    const saves: Promise<unknown>[] = [];
    const versions: Float32Array[][] = [];
    for (let i = 0; i < 12; i++) {
      m.setWeights([new Float32Array(6).fill(i), new Float32Array(3).fill(-i)]);
      versions.push(m.getWeights());
      saves.push(m.save(dir, { includeOptimizer: false }), m.save(`file://${join(dir, 'model.json')}`));
    }
    const results = await Promise.allSettled(saves);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const back = await loadModel(dir, { backend: 'js' });
    expect(back.getWeights()).toEqual(versions[11]);
    expect((await readdir(dir)).sort()).toEqual(['model.json', ...(await weightFiles(dir))]);
    expect(await weightFiles(dir)).toHaveLength(1);
    back.dispose();
    m.dispose();
  });

  it('files of saves that no model.json names are removed by a later save once nothing has written them for ten minutes; newer ones and other files are not touched', async () => {
    const dir = join(root, 'orphans');
    await model.save(dir);
    const [own] = await weightFiles(dir);
    const old = new Date(Date.now() - ORPHAN_AGE_MS - 60_000);
    const aged = [
      'model.weights.zzz1-00ff.bin', // a save killed before it committed, or whose commit another writer replaced
      'model.json.zzz1-00ff.tmp',
      'model.json.tmp', // an earlier version's temporary name
    ];
    const kept = [
      'model.weights.zzz2-00ff.bin', // written just now: a save in progress, here or in another thread or process
      'model.json.zzz2-00ff.tmp',
      'notes.txt',
      'other.weights.abc-12.bin', // another model's
    ];
    for (const name of [...aged, ...kept]) await writeFile(join(dir, name), 'half a save');
    for (const name of [...aged, 'notes.txt', 'other.weights.abc-12.bin']) await utimes(join(dir, name), old, old);
    await model.save(dir);
    const files = await readdir(dir);
    for (const name of aged) expect(files).not.toContain(name);
    for (const name of kept) expect(files).toContain(name);
    expect(files).not.toContain(own); // the weights the replaced model.json named, at once
    (await loadModel(dir, { backend: 'js' })).dispose();
  });

  it('a folder written by tfjs-node (model.json + weights.bin) loads, and saving over it removes the old weights.bin', async () => {
    const dir = join(root, 'tfjs-node');
    const h = memoryHandler();
    await model.save(h);
    await mkdir(dir, { recursive: true });
    const a = h.artifacts!;
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: a.modelTopology,
        format: 'layers-model',
        weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }],
      }),
    );
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(a.weightData as ArrayBuffer));
    const back = await loadModel(dir, { backend: 'js' });
    expect(back.getWeights()).toEqual(model.getWeights());
    await back.save(dir);
    expect(await readdir(dir)).not.toContain('weights.bin');
    back.dispose();
  });
});

describe('loading', () => {
  it("the Keras converter's layout: several shard files named in the manifest", async () => {
    const dir = join(root, 'shards');
    await mkdir(dir, { recursive: true });
    const h = memoryHandler();
    await model.save(h);
    const a: ModelArtifacts = h.artifacts!;
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    const cuts = [0, 10, 50, bytes.byteLength];
    const paths = cuts.slice(1).map((_, i) => `group1-shard${i + 1}of3.bin`);
    for (let i = 0; i < 3; i++) await writeFile(join(dir, paths[i]), bytes.slice(cuts[i], cuts[i + 1]));
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        generatedBy: 'keras v2.12.0',
        convertedBy: 'TensorFlow.js Converter v4.6.0',
        modelTopology: { keras_version: '2.12.0', backend: 'tensorflow', model_config: a.modelTopology },
        weightsManifest: [{ paths, weights: a.weightSpecs }],
      }),
    );
    const back = await loadModel(join(dir, 'model.json'), { backend: 'js' });
    expect(back.predict(x)).toEqual(model.predict(x));
    back.dispose();
  });

  it('errors name the file: no model, bad JSON, a missing weights file, a weights path outside the folder', async () => {
    await expect(loadModel(join(root, 'nothing-here'))).rejects.toThrow(
      /^scratchnet: there is no model at .*nothing-here\/model\.json \(file not found\)/,
    );
    const dir = join(root, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {');
    await expect(loadModel(dir)).rejects.toThrow(/^scratchnet: .*broken\/model\.json is not valid JSON/);
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }),
    );
    await expect(loadModel(dir)).rejects.toThrow(
      /^scratchnet: .*model\.json names the weights file .*gone\.bin, which does not exist/,
    );
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'corrupt_file' });
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }] }),
    );
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(
        /^scratchnet: [^:]*names the weights file '\.\.\/\.\.\/etc\/passwd', outside its folder/,
      ),
    });
    await writeFile(join(dir, 'model.json'), JSON.stringify({ modelTopology: {} }));
    await expect(loadModel(dir)).rejects.toThrow(/^scratchnet: .*has no weightsManifest list/);
  });

  it('a save that cannot write says where', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'not a folder');
    await expect(model.save(join(file, 'inside'))).rejects.toThrow(
      /^scratchnet: could not save the model to .*a-file\/inside\/model\.json: .*; a file stands where a folder of that path should be/,
    );
    // the file itself given as the model's folder, to save and to load
    await expect(model.save(file)).rejects.toThrow(
      /^scratchnet: could not save the model to .*a-file\/model\.json: .*; a file stands where a folder of that path should be \(a model is a folder holding model\.json and its weights: give the folder, or the path of its \.json file\)$/,
    );
    await expect(loadModel(file)).rejects.toThrow(
      /^scratchnet: there is no model at .*a-file\/model\.json: a file stands where a folder/,
    );
    expect(await readFile(file, 'utf8')).toBe('not a folder');
    // a folder where model.json should be: the path's fault too, and the saved weights do not stay behind
    const folderInTheWay = join(root, 'json-is-a-folder');
    await mkdir(join(folderInTheWay, 'model.json', 'inside'), { recursive: true });
    await expect(model.save(folderInTheWay)).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/: EISDIR: .*; a folder stands where the model's \.json file should be$/),
    });
    expect(await readdir(folderInTheWay)).toEqual(['model.json']);
    await expect(loadModel(folderInTheWay)).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/: a folder stands where the model's \.json file should be$/),
    });
  });

  it('a weights file larger than all the weights its manifest names, or a device, is refused before it is read', async () => {
    const dir = join(root, 'oversized');
    await model.save(dir);
    const [weights] = await weightFiles(dir);
    const path = join(dir, weights);
    // a sparse 1.5 GB file: read whole, it would take 1.5 GB of memory before the byte check
    await truncate(path, 1_500_000_000);
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'corrupt_file',
      message: expect.stringMatching(
        /weights\.[0-9a-z-]+\.bin is 1500000000 bytes, more than the weights of .* can be \(\d+ bytes\)/,
      ),
    });
    await rm(path);
    await symlink('/dev/zero', path);
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'corrupt_file',
      message: expect.stringMatching(/is not a regular file \(a device or a pipe\)/),
    });
    await rm(join(dir, 'model.json'));
    await symlink('/dev/zero', join(dir, 'model.json'));
    await expect(loadModel(dir)).rejects.toMatchObject({ code: 'corrupt_file' });
  });

  it.runIf(existsSync('/proc/self'))(
    "a folder the file system will not make (/proc/x: Node's recursive mkdir spins there) fails at once",
    async () => {
      await expect(model.save('file:///proc/scratchnet-x/inside')).rejects.toMatchObject({
        code: 'io_failed',
        message: expect.stringMatching(/could not save the model to \/proc\/scratchnet-x\/inside\/model\.json: ENOENT/),
      });
    },
  );

  it("'file://' with no path after it is refused, not taken for the working directory", async () => {
    await expect(model.save('file://')).rejects.toThrow("fileHandler takes a path after 'file://'");
  });

  it("what the system refuses to read is 'io_failed', with its words (a weights file that is a folder)", async () => {
    const dir = join(root, 'weights-a-folder');
    await model.save(dir);
    const [weights] = await weightFiles(dir);
    await rm(join(dir, weights));
    await mkdir(join(dir, weights));
    await expect(loadModel(dir)).rejects.toMatchObject({
      code: 'io_failed',
      message: expect.stringMatching(/^scratchnet: could not read the weights of .*model\.json: EISDIR/),
    });
  });
});
