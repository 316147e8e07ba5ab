/**
 * `downloads://name`: the browser downloads `name.json` (model.json) and `name.weights.bin`, as TensorFlow.js's
 * `downloads://` does; `browserFiles([json, weights])` loads them back from a file input.
 */
import { fail } from '../util/errors.js';
import { joinBytes } from './bytes.js';
import { artifactsFromModelJson, artifactsInfo, readManifest, toModelJson } from './model-json.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';
import { parseJson } from './validate.js';

/** The part of a page's `document` a download uses: declared here, so that these types compile without the DOM
 *  library (a Node or worker project). */
export interface DownloadDocument {
  createElement(tag: 'a'): { download: string; href: string; click(): void };
}

export interface DownloadOptions {
  /** for tests and unusual hosts: the document to click links in and the URL helper; default the globals */
  document?: DownloadDocument;
  URL?: Pick<typeof URL, 'createObjectURL' | 'revokeObjectURL'>;
}

/** A save handler that downloads model.json and the weights file in a browser, as TF.js's `downloads://`. */
export function downloadHandler(name = 'model', options: DownloadOptions = {}): Required<IOHandler> {
  if (typeof name !== 'string' || name === '' || /[\\/]/.test(name))
    fail(`downloads:// needs a file name without slashes, got '${name}'`);
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      const doc = options.document ?? (globalThis as { document?: DownloadDocument }).document;
      const url = options.URL ?? (globalThis as { URL?: typeof URL }).URL;
      if (!doc || typeof url?.createObjectURL !== 'function') {
        fail(
          `downloads://${name}: downloads need a browser page (document and URL.createObjectURL); in Node use a file:// target from 'scratchnet/node'`,
        );
      }
      const weightsFile = `${name}.weights.bin`;
      const weights = artifacts.weightData ? joinBytes(artifacts.weightData) : new ArrayBuffer(0);
      const json = JSON.stringify(toModelJson(artifacts, `./${weightsFile}`));
      const files: [string, Blob][] = [
        [`${name}.json`, new Blob([json], { type: 'application/json' })],
        [weightsFile, new Blob([weights], { type: 'application/octet-stream' })],
      ];
      for (const [file, blob] of files) {
        const href = url.createObjectURL(blob);
        const a = doc.createElement('a');
        a.download = file;
        a.href = href;
        a.click();
        // Give the browser a moment to start the download before the URL goes away.
        setTimeout(() => url.revokeObjectURL?.(href), 1000);
      }
      return { modelArtifactsInfo: artifactsInfo(artifacts, weights.byteLength) };
    },
    async load(): Promise<ModelArtifacts> {
      fail(
        `downloads://${name} can only save; load the downloaded files with browserFiles([jsonFile, weightsFile]) from a file input`,
      );
    },
  };
}

/** Load from files the user picked: the model.json and every weight file its manifest names (matched by name). */
export function browserFiles(files: ArrayLike<Blob & { name: string }>): IOHandler {
  return {
    async load(): Promise<ModelArtifacts> {
      const list = Array.from(files ?? []);
      const jsonFile = list.find((f) => f.name.endsWith('.json'));
      if (!jsonFile) fail(`browserFiles: no .json file among ${list.map((f) => f.name).join(', ') || 'no files'}`);
      const json = parseJson(await jsonFile.text(), jsonFile.name);
      const { specs, paths } = readManifest(json, jsonFile.name);
      const data = await Promise.all(
        paths.map(async (p) => {
          const base = p.split('/').pop()!;
          const file = list.find((f) => f.name === base);
          if (!file)
            fail(
              `browserFiles: ${jsonFile.name} names the weights file '${base}', which was not among the files given`,
            );
          return new Uint8Array(await file.arrayBuffer());
        }),
      );
      return artifactsFromModelJson(json, specs, data);
    },
  };
}
