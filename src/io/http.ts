/**
 * `https://…/model.json` (and http://): load a model a server hosts — a model.json and the weight files its
 * manifest names, relative to it. In a page or a worker the URL may be relative ('/models/m/model.json',
 * 'model.json'): it resolves against the page's address, as fetch does. Saving over HTTP is not supported.
 */
import { fail } from '../util/errors.js';
import { artifactsFromModelJson, readManifest } from './model-json.js';
import type { IOHandler, ModelArtifacts } from './types.js';
import { parseJson } from './validate.js';

export interface HttpOptions {
  /** default globalThis.fetch */
  fetch?: typeof fetch;
  requestInit?: RequestInit;
}

/** A handler that loads a model over HTTP(S) with fetch, as TF.js's `http` handler (it does not save). */
export function httpHandler(url: string, options: HttpOptions = {}): IOHandler {
  /** `weights`: a file the model's manifest names, whose absence makes the saved model incomplete (as a file's) */
  const get = async (u: string, weights = false): Promise<Response> => {
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') fail(`${url}: this environment has no fetch`);
    let response: Response;
    try {
      response = await f(u, options.requestInit);
    } catch (e) {
      fail(`could not fetch ${u}: ${(e as Error).message}`, 'io_failed', e);
    }
    // 404: nothing at that address (the caller's URL, as a path with no model; a weights file the manifest names, as
    // a missing file's); any other status: the server failed
    if (!response.ok)
      fail(
        `fetching ${u} failed with HTTP ${response.status} ${response.statusText}` +
          (weights && response.status === 404 ? `: ${url} names a weights file the server does not have` : ''),
        response.status !== 404 ? 'io_failed' : weights ? 'corrupt_file' : 'bad_input',
      );
    return response;
  };
  return {
    async load(): Promise<ModelArtifacts> {
      // A relative model URL (in a page) resolves against the page's address.
      const page = (globalThis as { location?: { href?: unknown } }).location?.href;
      let base: URL;
      try {
        base = new URL(url, typeof page === 'string' ? page : undefined);
      } catch {
        fail(
          `cannot load '${url}': it is not a URL, and there is no page address to resolve it against; give an http:// or https:// URL`,
        );
      }
      const json = parseJson(await (await get(base.href)).text(), url);
      const { specs, paths } = readManifest(json, url);
      const data = await Promise.all(
        paths.map(async (p) => new Uint8Array(await (await get(new URL(p, base).href, true)).arrayBuffer())),
      );
      return artifactsFromModelJson(json, specs, data);
    },
    async save(): Promise<never> {
      fail(
        `saving to ${url} is not supported; save to 'downloads://name' or 'indexeddb://name', or to a file from Node`,
      );
    },
  };
}
