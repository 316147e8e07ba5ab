/**
 * Models in files (Node only): `fileHandler('dir')`, and — registered when 'scratchnet/node' is imported —
 * `model.save('file://dir')`, `model.save('dir')`, `loadModel('file://dir/model.json')`.
 *
 * Saves are atomic, with model.json as the single commit point (docs/TESTING.md): the weights go to a new, uniquely
 * named file, which is flushed; then a uniquely named model.json.….tmp is written and flushed and renamed over
 * model.json; only then is the previous weights file removed. A crash at any moment leaves either the old model or
 * the complete new one. Saves to one model.json from this process run one after another, in the order they were
 * started, so saves that overlap (not awaited) all complete and the last one started is the model on disk.
 *
 * Processes and worker threads may save to one folder at once (replicas writing one checkpoint): each save writes
 * only files of its own, uniquely named, and removes only the weights the model.json it replaced named, so the model
 * on disk is always one writer's complete save (the last to commit). A writer's own weights that another writer's
 * commit replaced at once go at its next save; other files no model.json names (left by a save whose process died)
 * are removed by a later save once nothing has written them for ORPHAN_AGE_MS: a save writes its files within
 * seconds of committing them, and whether another writer (another thread, process, container or host) still runs
 * cannot be asked reliably.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeightBytes } from './bytes.js';
import { locateWeights } from './weights.js';
import { MAX_ARENA_BYTES } from '../backends/backend.js';
import { artifactsFromModelJson, artifactsInfo, readManifest, toModelJson } from './model-json.js';
import { PATH_SCHEME, registerScheme } from './router.js';
import type { IOHandler, ModelArtifacts, SaveResult } from './types.js';
import { parseJson } from './validate.js';
import { fail, ScratchnetError } from '../util/errors.js';

/** A directory (model.json inside it) or a path ending in .json; `file://` URLs (strings or URL objects) too. */
export function fileHandler(target: string | URL): Required<IOHandler> {
  const path = toPath(target);
  const jsonPath = path.endsWith('.json') ? path : join(path, 'model.json');
  const dir = dirname(jsonPath);
  const stem = basename(jsonPath, '.json');
  const files = savedFiles(stem);

  async function save(artifacts: ModelArtifacts): Promise<SaveResult> {
    const bytes = new WeightBytes(artifacts.weightData ?? new ArrayBuffer(0));
    const id = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const weightsName = `${stem}.weights.${id}.bin`;
    const weightsPath = join(dir, weightsName);
    const tmpPath = join(dir, `${stem}.json.${id}.tmp`);
    try {
      await makeFolder(resolve(dir));
      await writeDurably(weightsPath, bytes.parts, 'wx');
      await writeDurably(
        tmpPath,
        [new TextEncoder().encode(JSON.stringify(toModelJson(artifacts, weightsName)))],
        'wx',
      );
      const previous = await previousWeights(jsonPath); // read last, so that a save committed meanwhile is seen
      await rename(tmpPath, jsonPath); // the commit point
      written.add(resolve(weightsPath));
      await syncDir(dir);
      // The new model is complete and current: the weights of the one it replaced can go, and so can files that no
      // model.json names and nothing has written for a while (never those of a save still running, here or elsewhere).
      for (const name of previous) if (name !== weightsName) await removeQuietly(join(dir, name));
      const named = await previousWeights(jsonPath);
      for (const name of await readdir(dir)) {
        const path = join(dir, name);
        if (!files.ours(name) || named.includes(name)) continue;
        // this isolate's own committed weights, which another writer's commit replaced at once, need not wait (no
        // other save of this model runs here meanwhile: oneAtATime)
        if (written.has(resolve(path)) || (await orphaned(path))) await removeQuietly(path);
      }
    } catch (e) {
      await removeQuietly(tmpPath);
      if (!(await references(jsonPath, weightsName))) await removeQuietly(weightsPath);
      if (e instanceof Error && e.message.startsWith('scratchnet:')) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      // a file where the path needs a folder, or a folder where model.json goes, is the path's fault; anything else
      // the system refused (disk full, access). The folder is asked for, not read from the code: renaming over a
      // folder is EISDIR on Linux and macOS, EPERM on Windows.
      const why =
        code === 'EEXIST' || code === 'ENOTDIR'
          ? `; ${FILE_IN_THE_WAY}`
          : (await isFolder(jsonPath))
            ? `; ${FOLDER_IN_THE_WAY}`
            : '';
      const inTheWay = why !== '';
      fail(
        `could not save the model to ${jsonPath}: ${(e as Error).message}${why}`,
        inTheWay ? 'bad_input' : 'io_failed',
        e,
      );
    }
    return { modelArtifactsInfo: artifactsInfo(artifacts, bytes.byteLength) };
  }

  return {
    save: (artifacts: ModelArtifacts) => oneAtATime(resolve(jsonPath), () => save(artifacts)),
    async load(): Promise<ModelArtifacts> {
      // A save that commits while we read may remove the weights we were about to read: read model.json again, for as
      // long as it keeps changing (saves in a loop) and at most LOAD_ATTEMPTS times.
      for (let attempt = 1, seen = ''; ; attempt++) {
        let text: string;
        try {
          text = (await readBounded(jsonPath, MAX_MODEL_JSON_BYTES, 'a model.json')).toString('utf8');
        } catch (e) {
          if (e instanceof ScratchnetError) throw e;
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') fail(`there is no model at ${jsonPath} (file not found)`);
          if (code === 'ENOTDIR') fail(`there is no model at ${jsonPath}: ${FILE_IN_THE_WAY}`);
          if (code === 'EISDIR') fail(`there is no model at ${jsonPath}: ${FOLDER_IN_THE_WAY}`);
          fail(`could not read ${jsonPath}: ${(e as Error).message}`, 'io_failed', e);
        }
        const json = parseJson(text, jsonPath);
        const { specs, paths } = readManifest(json, jsonPath);
        try {
          const files = paths.map((p) => join(dir, safeRelative(p, jsonPath)));
          // no weights file is larger than all the weights the manifest names: a file that is (or a device, such as a
          // link to /dev/zero) fails before it is read into memory
          const most = manifestBytes(specs);
          const data = await Promise.all(files.map((f) => readBounded(f, most, `the weights of ${jsonPath}`)));
          return artifactsFromModelJson(json, specs, data);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          const changed = text !== seen;
          seen = text;
          if (code === 'ENOENT' && (attempt === 1 || changed) && attempt < LOAD_ATTEMPTS) continue;
          if (code === 'ENOENT')
            fail(
              `${jsonPath} names the weights file ${(e as NodeJS.ErrnoException).path ?? ''}, which does not exist`,
              'corrupt_file', // the saved model is incomplete, as a truncated weights file is
            );
          if (e instanceof ScratchnetError || code === undefined) throw e; // a check of ours (a path outside the folder)
          fail(`could not read the weights of ${jsonPath}: ${(e as Error).message}`, 'io_failed', e);
        }
      }
    },
  };
}

/** the largest model.json a load reads: its topology and manifest take kilobytes; the weights are in other files */
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of the file at `path`, refusing (as 'corrupt_file') one that is not a regular file or is larger than
 * `limit`, before reading it: `what` names it. Node's errors (ENOENT, EISDIR, …) pass through for the caller.
 */
async function readBounded(path: string, limit: number, what: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const info = await file.stat();
    if (info.isDirectory()) {
      const e: NodeJS.ErrnoException = new Error(`EISDIR: ${path} is a folder`);
      e.code = 'EISDIR';
      throw e;
    }
    if (!info.isFile())
      fail(`${path} is not a regular file (a device or a pipe), so it cannot be ${what}`, 'corrupt_file');
    if (info.size > limit)
      fail(
        `${path} is ${info.size} bytes, more than ${what} can be (${limit} bytes): it belongs to another model or is corrupted`,
        'corrupt_file',
      );
    return await file.readFile();
  } finally {
    await file.close();
  }
}

/** the bytes of every weight the manifest names (4 each), or the most a file may hold when its specs are malformed
 *  (readModelWeights then names what is wrong with them) */
function manifestBytes(specs: unknown): number {
  try {
    return locateWeights(specs).reduce((sum, w) => sum + w.size * 4, 0);
  } catch {
    return MAX_ARENA_BYTES;
  }
}

/** what EISDIR means for a model's path: its .json file is a folder */
const FOLDER_IN_THE_WAY = "a folder stands where the model's .json file should be";

/** what EEXIST and ENOTDIR mean for a model's path: a part of it that should be a folder is a file */
const FILE_IN_THE_WAY =
  'a file stands where a folder of that path should be (a model is a folder holding model.json and its weights: ' +
  'give the folder, or the path of its .json file)';

/** times a load reads model.json again when the weights it names vanish under it (a save committed meanwhile) */
const LOAD_ATTEMPTS = 20;

/**
 * How long nothing must have written a file that no model.json names before a save takes it for an orphan. A save
 * writes its weights, then its model.json.….tmp, then commits within seconds; a writer stopped for longer between the
 * two (a process paused in a debugger) could lose its weights to another writer's clean-up.
 */
export const ORPHAN_AGE_MS = 10 * 60 * 1000;

/** the weights files this isolate's saves have committed and not removed (absolute paths): once no model.json names
 *  one, it is left over, whatever its age */
const written = new Set<string>();

/** The files saves of `<stem>.json` write: `<stem>.weights.<time>-<random>.bin` and `<stem>.json.<time>-<random>.tmp`
 *  (and the `<stem>.json.tmp` of earlier versions). */
function savedFiles(stem: string): { ours(name: string): boolean } {
  const s = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${s}\\.(?:weights\\.[0-9a-z]+-[0-9a-f]+\\.bin|json(?:\\.[0-9a-z]+-[0-9a-f]+)?\\.tmp)$`);
  return { ours: (name) => pattern.test(name) };
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdir(dir, { recursive: true })` never settles (it spins a core) where a
 * file system answers ENOENT for a folder it will not create (/proc/x on Linux); here that ENOENT comes back after one
 * retry, once the parent is known to exist.
 */
async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return; // a file there is met by the write into it, with its own error
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw e;
    await makeFolder(parent);
    try {
      await mkdir(dir);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again; // another save made it meanwhile
    }
  }
}

/** whether `path` is a folder (false if it is not there) */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** whether nothing has written the file for ORPHAN_AGE_MS (false if it is gone or cannot be read) */
async function orphaned(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ORPHAN_AGE_MS;
  } catch {
    return false;
  }
}

/** the last save started for each model.json (absolute path) in this process */
const saving = new Map<string, Promise<unknown>>();

/** Run `work` after every save already started for `key` has ended (however it ended). */
function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const run = (saving.get(key) ?? Promise.resolve()).then(work, work);
  const settled = run.catch(() => undefined);
  saving.set(key, settled);
  void settled.then(() => {
    if (saving.get(key) === settled) saving.delete(key);
  });
  return run;
}

function toPath(target: string | URL): string {
  if (target instanceof URL) return fileURLToPath(target);
  if (typeof target !== 'string' || target === '')
    fail(`fileHandler takes a path or a file:// URL, got ${target === '' ? 'an empty string' : typeof target}`);
  if (target.startsWith('file:///')) return fileURLToPath(target);
  // 'file://models/x' (as TensorFlow.js writes it): a relative path after the scheme.
  if (!target.startsWith('file://')) return target;
  const path = target.slice('file://'.length);
  if (path === '') fail("fileHandler takes a path after 'file://' (file://models/mnist), got none");
  return path;
}

/** A weight path from a manifest: relative, inside the model's folder. */
function safeRelative(p: string, jsonPath: string): string {
  const n = normalize(p);
  if (isAbsolute(n) || n === '..' || n.startsWith(`..${sep}`) || n.startsWith('../'))
    fail(`${jsonPath} names the weights file '${p}', outside its folder; weight paths must be relative to model.json`);
  return n;
}

/** Write `parts` to a file and flush it to the disk before closing. */
async function writeDurably(path: string, parts: Uint8Array[], flags: 'w' | 'wx'): Promise<void> {
  const handle = await open(path, flags);
  try {
    for (const part of parts) {
      let at = 0;
      while (at < part.byteLength) at += (await handle.write(part, at, part.byteLength - at)).bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flush a directory entry (the rename) where the platform allows it. */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot open or flush directories; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** The weight files the current model.json names (plain names in its folder only). */
async function previousWeights(jsonPath: string): Promise<string[]> {
  try {
    const json = JSON.parse((await readBounded(jsonPath, MAX_MODEL_JSON_BYTES, 'a model.json')).toString('utf8'));
    return readManifest(json, jsonPath)
      .paths.map((p) => normalize(p))
      .filter((p) => !isAbsolute(p) && !p.includes(sep) && !p.includes('/') && p !== '..');
  } catch {
    return []; // no model yet, or an unreadable one: nothing of ours to remove
  }
}

async function references(jsonPath: string, name: string): Promise<boolean> {
  return (await previousWeights(jsonPath)).includes(name);
}

async function removeQuietly(path: string): Promise<void> {
  written.delete(resolve(path));
  try {
    await unlink(path);
  } catch {
    // already gone
  }
}

registerScheme('file://', (_path, url) => fileHandler(url));
registerScheme(PATH_SCHEME, (path) => fileHandler(path));
