// A tiny static server for the browser demo, on localhost only, with node:http and nothing else.
//   node scripts/serve-demo.mjs [--port 8080]        (PORT=0 or --port 0 picks a free port)
// It serves build/demo/ (the page, built by scripts/build-demo.mjs) at / and build/demo-data/ (the MNIST subset,
// from scripts/prepare-demo-data.mjs) at /data/, gzipped when the browser accepts it. The tests import `serve` to
// mount other folders too. The demo is served cross-origin isolated (COOP same-origin + COEP require-corp), which
// is what lets a page use SharedArrayBuffer and so scratchnet's threads; `serve()` sends COEP only with
// `isolated: true`, so that the tests can serve pages of both kinds.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

/** the default mounts: URL prefix → folder */
export const DEMO_MOUNTS = {
  '/data/': join(root, 'build/demo-data'),
  '/': join(root, 'build/demo'),
};

/**
 * Serve `mounts` (URL prefix → folder; the longest matching prefix wins) on 127.0.0.1:`port`, cross-origin
 * isolated or not, and with `csp` as the pages' Content-Security-Policy if given. Resolves with the server and its
 * URL once it listens.
 */
export async function serve({ port = 8080, mounts = DEMO_MOUNTS, isolated = false, csp } = {}) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const gzipCache = new Map();

  const server = createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      const prefix = prefixes.find((p) => path.startsWith(p));
      if (!prefix) return send(res, 404, 'not found');
      const base = resolve(mounts[prefix]);
      let file = normalize(join(base, path.slice(prefix.length)));
      if (file !== base && !file.startsWith(base + sep)) return send(res, 403, 'forbidden');
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info?.isFile()) return send(res, 404, `not found: ${path}`);

      const headers = {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        // lets the page measure long tasks precisely and keeps workers same-origin
        'cross-origin-opener-policy': 'same-origin',
        // with COOP, makes the page cross-origin isolated: SharedArrayBuffer, so scratchnet runs on every core
        ...(isolated ? { 'cross-origin-embedder-policy': 'require-corp' } : {}),
        // tests serve pages under a Content-Security-Policy of their own
        ...(csp ? { 'content-security-policy': csp } : {}),
        vary: 'accept-encoding',
      };
      let body = await readFile(file);
      if (/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') && !file.endsWith('.png')) {
        const key = `${file}:${info.mtimeMs}`;
        let gz = gzipCache.get(key);
        if (!gz) gzipCache.set(key, (gz = gzipSync(body)));
        body = gz;
        headers['content-encoding'] = 'gzip';
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      send(res, 500, String(e?.message ?? e));
    }
  });

  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  const url = `http://localhost:${server.address().port}/`;
  return {
    server,
    url,
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = Number(i > 0 ? process.argv[i + 1] : (process.env.PORT ?? 8080));
  for (const dir of Object.values(DEMO_MOUNTS)) {
    if (!(await stat(dir).catch(() => null))) {
      console.error(
        `serve-demo: ${dir} is missing; run \`npm run build:demo\` first (\`npm run demo\` does everything)`,
      );
      process.exit(1);
    }
  }
  const { url } = await serve({ port, isolated: true });
  console.log(`scratchnet demo: ${url}  (Ctrl-C to stop; cross-origin isolated, so scratchnet uses every core)`);
}
