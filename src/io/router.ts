/**
 * Save targets and load sources given as strings: 'indexeddb://name', 'downloads://name', 'https://…/model.json',
 * and — once `scratchnet/node` is imported — 'file://dir' and plain paths. In a browser (a page or a worker, where
 * `location` is the page's address) a plain path or relative URL loads over fetch, as TF.js's loadLayersModel does.
 * The table lives on globalThis so that the Node entry (a separate bundle) can add its handler to the main entry's.
 */
import { fail } from '../util/errors.js';
import { downloadHandler } from './download.js';
import { httpHandler } from './http.js';
import { indexedDbHandler } from './indexeddb.js';
import type { IOHandler } from './types.js';

/** Makes a handler for the part of the URL after the scheme (and the whole URL). */
export type HandlerFactory = (path: string, url: string) => IOHandler;

/** The scheme for strings without one (plain paths), registered by scratchnet/node. */
export const PATH_SCHEME = '';

const KEY = Symbol.for('scratchnet.io.schemes');

function table(): Map<string, HandlerFactory> {
  const g = globalThis as { [KEY]?: Map<string, HandlerFactory> };
  return (g[KEY] ??= new Map());
}

const BUILTIN: Record<string, HandlerFactory> = {
  'indexeddb://': (path) => indexedDbHandler(path),
  'downloads://': (path) => downloadHandler(path),
  'http://': (_path, url) => httpHandler(url),
  'https://': (_path, url) => httpHandler(url),
};

/** In a page or a worker: a path or relative URL names a file of the site, loaded over fetch (never saved). */
function sitePathFactory(): HandlerFactory | undefined {
  const page = (globalThis as { location?: { href?: unknown } }).location?.href;
  if (typeof page !== 'string') return undefined;
  return (path) => ({
    load: httpHandler(path).load,
    save: () =>
      fail(
        `cannot save to '${path}': in a browser a path is a URL of the site (${new URL(path, page).href}), ` +
          `which a page cannot write. Save to 'indexeddb://name' or 'downloads://name'.`,
      ),
  });
}

/** Route strings that start with `scheme` (e.g. 'file://'; '' for plain paths) to `factory`. */
export function registerScheme(scheme: string, factory: HandlerFactory): void {
  if (typeof scheme !== 'string' || typeof factory !== 'function')
    fail('registerScheme(scheme, factory) takes a string and a function');
  table().set(scheme, factory);
}

/** The handler for a target string or handler object; refuses what cannot do `purpose`. */
export function handlerFor(target: unknown, purpose: 'save' | 'load'): IOHandler {
  let handler: IOHandler;
  if (typeof target === 'string') {
    if (target === '') fail(`${purpose}: the target is an empty string`);
    const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(target);
    const scheme = match ? `${match[1].toLowerCase()}://` : PATH_SCHEME;
    const factory = table().get(scheme) ?? BUILTIN[scheme] ?? (scheme === PATH_SCHEME ? sitePathFactory() : undefined);
    if (!factory) {
      if (scheme === 'file://' || scheme === PATH_SCHEME) {
        fail(
          `cannot ${purpose} '${target}': file paths need Node's file system; import 'scratchnet/node' first ` +
            `(it handles file:// URLs and paths). A model on a server loads from its 'https://…/model.json' URL. ` +
            `In browsers use 'indexeddb://name' or 'downloads://name'.`,
        );
      }
      fail(
        `cannot ${purpose} '${target}': unknown scheme '${scheme}'. Known: ${[...new Set([...Object.keys(BUILTIN), ...table().keys()])].filter(Boolean).join(', ')}`,
      );
    }
    handler = factory(match ? target.slice(scheme.length) : target, target);
  } else if (target !== null && typeof target === 'object') {
    handler = target as IOHandler;
  } else {
    fail(
      `${purpose} takes a URL string ('indexeddb://name', 'file://dir', …) or an IOHandler, got ${target === null ? 'null' : typeof target}`,
    );
  }
  if (typeof handler[purpose] !== 'function') {
    fail(
      `the ${typeof target === 'string' ? `target '${target}'` : 'handler'} cannot ${purpose} (it has no ${purpose}() method)`,
    );
  }
  return handler;
}
