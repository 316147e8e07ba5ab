/**
 * `https://…/model.json` (and http://): load a model a server hosts — a model.json and the weight files its
 * manifest names, relative to it. Saving over HTTP is not supported.
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

export function httpHandler(url: string, options: HttpOptions = {}): IOHandler {
  const get = async (u: string): Promise<Response> => {
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') fail(`${url}: this environment has no fetch`);
    let response: Response;
    try {
      response = await f(u, options.requestInit);
    } catch (e) {
      fail(`could not fetch ${u}: ${(e as Error).message}`);
    }
    if (!response.ok) fail(`fetching ${u} failed with HTTP ${response.status} ${response.statusText}`);
    return response;
  };
  return {
    async load(): Promise<ModelArtifacts> {
      const json = parseJson(await (await get(url)).text(), url);
      const { specs, paths } = readManifest(json, url);
      // A relative model URL (in a page) resolves against the page's address.
      const base = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
      const data = await Promise.all(paths.map(async (p) => new Uint8Array(await (await get(new URL(p, base).href)).arrayBuffer())));
      return artifactsFromModelJson(json, specs, data);
    },
    async save(): Promise<never> {
      fail(`saving to ${url} is not supported; save to 'downloads://name' or 'indexeddb://name', or to a file from Node`);
    },
  };
}
