// The browser targets, tested in Node with stand-ins for what the browser provides (IndexedDB, a document to click
// download links in, fetch). The real thing runs in Chromium with the browser tests.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Dense, Dropout, Sequential } from '../../src/index.js';
import { browserFiles, downloadHandler } from '../../src/io/download.js';
import { httpHandler } from '../../src/io/http.js';
import { indexedDbHandler } from '../../src/io/indexeddb.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { FakeIndexedDB } from './fake-indexeddb.js';
import { tfjs, tfLoad, tfPredict, maxAbsDiff } from './tfjs.js';

const x = [
  [0.1, 0.2, 0.3, 0.4],
  [1, -1, 1, -1],
];
let model: Sequential;
beforeAll(() => {
  model = new Sequential(
    [new Dense(5, { inputShape: [4], activation: 'relu' }), new Dropout(0.5), new Dense(3, { activation: 'softmax' })],
    { seed: 6, backend: 'js' },
  );
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('indexeddb://', () => {
  it('saves into TensorFlow.js’s database layout and loads back bit for bit', async () => {
    const idb = new FakeIndexedDB();
    await model.save(indexedDbHandler('my-model', { indexedDB: idb as unknown as IDBFactory }));
    const row = idb.row('tensorflowjs', 'models_store', 'my-model') as {
      modelPath: string;
      modelArtifacts: ModelArtifacts;
      modelArtifactsInfo: { weightDataBytes: number };
    };
    expect(row.modelPath).toBe('my-model');
    expect(row.modelArtifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect(row.modelArtifactsInfo.weightDataBytes).toBe((5 * 4 + 5 + 5 * 3 + 3) * 4);
    expect(idb.row('tensorflowjs', 'model_info_store', 'my-model')).toMatchObject({
      modelPath: 'my-model',
      modelArtifactsInfo: { modelTopologyType: 'JSON' },
    });
    // What is stored is what tf.loadLayersModel('indexeddb://my-model') reads back: TF.js artifacts.
    await tfjs();
    expect(
      maxAbsDiff(
        tfPredict(await tfLoad(row.modelArtifacts), x),
        model.predict({ data: Float32Array.from(x.flat()), shape: [2, 4] }).data,
      ),
    ).toBeLessThan(1e-6);
    const back = await loadModel(indexedDbHandler('my-model', { indexedDB: idb as unknown as IDBFactory }), {
      backend: 'js',
    });
    expect(back.getWeights()).toEqual(model.getWeights());
    expect(idb.openConnections).toBe(0);
    back.dispose();
  });

  it("'indexeddb://name' routes to the global indexedDB; a model TF.js stored loads", async () => {
    const idb = new FakeIndexedDB();
    vi.stubGlobal('indexedDB', idb);
    const h = memoryHandler();
    await model.save(h);
    // A record as TF.js's BrowserIndexedDB writes it.
    await indexedDbHandler('from-tfjs').save({ ...h.artifacts!, generatedBy: 'TensorFlow.js tfjs-layers v4.22.0' });
    const back = await loadModel('indexeddb://from-tfjs', { backend: 'js' });
    expect(back.predict(x)).toEqual(model.predict(x));
    back.dispose();
  });

  it('a failed save (a full disk) leaves the previous model in place, and says why', async () => {
    const idb = new FakeIndexedDB();
    const handler = indexedDbHandler('m', { indexedDB: idb as unknown as IDBFactory });
    await model.save(handler);
    const before = model.getWeights();
    const other = new Sequential(
      [
        new Dense(5, { inputShape: [4], activation: 'relu' }),
        new Dropout(0.5),
        new Dense(3, { activation: 'softmax' }),
      ],
      { seed: 99, backend: 'js' },
    );
    other.predict(x);
    idb.failPuts = true;
    await expect(other.save(handler)).rejects.toMatchObject({
      code: 'io_failed', // the storage refused, as a full disk does
      message: expect.stringMatching(/^scratchnet: indexeddb:\/\/m: could not save the model: QuotaExceededError/),
    });
    idb.failPuts = false;
    const back = await loadModel(handler, { backend: 'js' });
    expect(back.getWeights()).toEqual(before);
    expect(idb.openConnections).toBe(0);
    [other, back].forEach((m) => m.dispose());
  });

  it('errors: no model under the name, no IndexedDB in this environment', async () => {
    const idb = new FakeIndexedDB();
    await expect(loadModel(indexedDbHandler('absent', { indexedDB: idb as unknown as IDBFactory }))).rejects.toThrow(
      /^scratchnet: indexeddb:\/\/absent: there is no model saved under this name/,
    );
    await expect(model.save('indexeddb://x')).rejects.toThrow(
      /^scratchnet: indexeddb:\/\/x: this environment has no IndexedDB/,
    );
  });
});

describe('downloads:// and browserFiles', () => {
  it('downloads name.json and name.weights.bin, which browserFiles loads back', async () => {
    const clicked: { download: string; href: string }[] = [];
    const blobs = new Map<string, Blob>();
    const document = {
      createElement: () => {
        const a = { download: '', href: '', click: () => clicked.push({ download: a.download, href: a.href }) };
        return a;
      },
    };
    const URL = {
      createObjectURL: (b: Blob) => {
        const u = `blob:${blobs.size}`;
        blobs.set(u, b);
        return u;
      },
      revokeObjectURL: () => {},
    };
    await model.save(downloadHandler('classifier', { document: document as never, URL: URL as never }));
    expect(clicked.map((c) => c.download)).toEqual(['classifier.json', 'classifier.weights.bin']);
    const json = JSON.parse(await blobs.get(clicked[0].href)!.text());
    expect(json.weightsManifest[0].paths).toEqual(['./classifier.weights.bin']);
    expect(json.format).toBe('layers-model');
    const files = clicked.map((c) => new File([blobs.get(c.href)!], c.download));
    const back = await loadModel(browserFiles(files), { backend: 'js' });
    expect(back.getWeights()).toEqual(model.getWeights());
    back.dispose();
    await expect(loadModel(browserFiles(files.slice(0, 1)))).rejects.toThrow(
      /^scratchnet: browserFiles: classifier\.json names the weights file 'classifier\.weights\.bin', which was not among the files given/,
    );
  });

  it('outside a page, and for loading, downloads:// says what to use instead', async () => {
    await expect(model.save('downloads://m')).rejects.toThrow(
      /^scratchnet: downloads:\/\/m: downloads need a browser page/,
    );
    await expect(loadModel('downloads://m')).rejects.toThrow(
      /^scratchnet: downloads:\/\/m can only save; load the downloaded files with browserFiles/,
    );
  });
});

describe('https://', () => {
  function server(files: Record<string, BodyInit>) {
    return vi.fn(async (url: string) =>
      url in files ? new Response(files[url]) : new Response('not found', { status: 404, statusText: 'Not Found' }),
    );
  }

  it('loads model.json and the weight files it names, relative to it', async () => {
    const h = memoryHandler();
    await model.save(h);
    const a = h.artifacts!;
    const bytes = new Uint8Array(a.weightData as ArrayBuffer);
    const fetch = server({
      'https://example.org/models/m/model.json': JSON.stringify({
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['shard1.bin', '../m/shard2.bin'], weights: a.weightSpecs }],
      }),
      'https://example.org/models/m/shard1.bin': bytes.slice(0, 30),
      'https://example.org/models/m/shard2.bin': bytes.slice(30),
    });
    vi.stubGlobal('fetch', fetch);
    const back = await loadModel('https://example.org/models/m/model.json', { backend: 'js' });
    expect(back.getWeights()).toEqual(model.getWeights());
    expect(fetch).toHaveBeenCalledTimes(3);
    back.dispose();
  });

  it("in a browser, a path or relative URL loads over fetch from the page's site (as TF.js's loadLayersModel)", async () => {
    const h = memoryHandler();
    await model.save(h);
    const a = h.artifacts!;
    const files = {
      'https://example.org/models/m/model.json': JSON.stringify({
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }],
      }),
      'https://example.org/models/m/w.bin': new Uint8Array(a.weightData as ArrayBuffer),
    };
    const fetch = server(files);
    vi.stubGlobal('fetch', fetch);
    // Node's scratchnet/node routes plain paths to files; a page has no such handler, only its address
    const schemes = (globalThis as Record<symbol, Map<string, unknown>>)[Symbol.for('scratchnet.io.schemes')];
    const pathHandler = schemes?.get('');
    schemes?.delete('');
    try {
      await expect(loadModel('/models/m/model.json')).rejects.toThrow("import 'scratchnet/node' first"); // Node, no location
      vi.stubGlobal('location', { href: 'https://example.org/models/index.html' });
      for (const source of ['/models/m/model.json', 'm/model.json', './m/model.json']) {
        fetch.mockClear();
        const back = await loadModel(source, { backend: 'js' });
        expect(back.getWeights()).toEqual(model.getWeights());
        expect(fetch.mock.calls.map((c) => c[0])).toEqual(Object.keys(files));
        back.dispose();
      }
      await expect(model.save('/models/m')).rejects.toThrow(
        "scratchnet: cannot save to '/models/m': in a browser a path is a URL of the site (https://example.org/models/m), which a page cannot write.",
      );
    } finally {
      if (pathHandler) schemes.set('', pathHandler);
    }
  });

  it("HTTP errors name the URL and status ('bad_input' for a model.json not found, 'corrupt_file' for a weights file not found, 'io_failed' for other statuses and a fetch that fails); saving over HTTP is refused", async () => {
    const fetch = server({});
    await expect(
      loadModel(httpHandler('https://example.org/nope/model.json', { fetch: fetch as never })),
    ).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(
        /^scratchnet: fetching https:\/\/example\.org\/nope\/model\.json failed with HTTP 404 Not Found/,
      ),
    });
    // model.json there, but not a weights file it names: the saved model is incomplete, as a missing file's
    const h = memoryHandler();
    await model.save(h);
    const half = server({
      'https://example.org/half/model.json': JSON.stringify({
        modelTopology: h.artifacts!.modelTopology,
        weightsManifest: [{ paths: ['gone.bin'], weights: h.artifacts!.weightSpecs }],
      }),
    });
    await expect(
      loadModel(httpHandler('https://example.org/half/model.json', { fetch: half as never })),
    ).rejects.toMatchObject({
      code: 'corrupt_file',
      message:
        'scratchnet: fetching https://example.org/half/gone.bin failed with HTTP 404 Not Found: ' +
        'https://example.org/half/model.json names a weights file the server does not have',
    });
    const failing = vi.fn(async () => new Response('busy', { status: 503, statusText: 'Service Unavailable' }));
    await expect(
      loadModel(httpHandler('https://example.org/m/model.json', { fetch: failing as never })),
    ).rejects.toMatchObject({ code: 'io_failed', message: expect.stringContaining('HTTP 503 Service Unavailable') });
    const offline = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(
      loadModel(httpHandler('https://example.org/m/model.json', { fetch: offline as never })),
    ).rejects.toMatchObject({
      code: 'io_failed',
      message: 'scratchnet: could not fetch https://example.org/m/model.json: fetch failed',
    });
    await expect(model.save('https://example.org/upload')).rejects.toThrow(
      /^scratchnet: saving to https:\/\/example\.org\/upload is not supported/,
    );
  });
});
