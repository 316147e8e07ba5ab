import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { readmeBlocks } from '../../scripts/readme-blocks.mjs';

// scripts/check-readme.mjs runs what readmeBlocks finds (CI: `npm run check:readme` against dist/); here, the finding.
describe('readmeBlocks', () => {
  it('finds fenced blocks with their language, line, mode and file name', () => {
    const md = [
      '# t',
      '',
      '```sh',
      'npm ci',
      '```',
      '',
      '```ts',
      "import { ready } from 'scratchnet';",
      'await ready();',
      '```',
      '<!-- readme-check: browser -->',
      '```ts',
      "const w = new Worker('w.js');",
      '```',
      '<!-- readme-check: file -->',
      '```js',
      '// train-worker.mjs',
      "import 'x';",
      '```',
      '```js',
      '// main.mjs',
      '```',
    ].join('\n');
    const blocks = readmeBlocks(md);
    expect(blocks.map(({ line, lang, mode, fileName }) => ({ line, lang, mode, fileName }))).toEqual([
      { line: 3, lang: 'sh', mode: 'skip', fileName: null },
      { line: 7, lang: 'ts', mode: 'run', fileName: null },
      { line: 12, lang: 'ts', mode: 'browser', fileName: null },
      { line: 16, lang: 'js', mode: 'file', fileName: 'train-worker.mjs' },
      { line: 20, lang: 'js', mode: 'run', fileName: 'main.mjs' },
    ]);
    expect(blocks[1].code).toBe("import { ready } from 'scratchnet';\nawait ready();\n");
  });

  it('refuses unknown modes, modes on shell blocks and unclosed fences', () => {
    expect(() => readmeBlocks('<!-- readme-check: skip -->\n```ts\nx\n```')).toThrow(
      "unknown readme-check mode 'skip'",
    );
    expect(() => readmeBlocks('<!-- readme-check: browser -->\n```sh\nx\n```')).toThrow('not run anyway');
    expect(() => readmeBlocks('```ts\nx\n')).toThrow('README line 1: a code block that is never closed');
  });

  it('in this README: every TypeScript and JavaScript block runs in node, except the ones that need a browser', async () => {
    const blocks = readmeBlocks(await readFile(new URL('../../README.md', import.meta.url), 'utf8'));
    const code = blocks.filter((b) => b.mode !== 'skip');
    expect(code.length).toBeGreaterThanOrEqual(10);
    // the browser-only blocks are the Web Worker pair; the Node worker script is started by the block after it
    expect(code.filter((b) => b.mode === 'browser').map((b) => b.code.split('\n')[0])).toEqual([
      '// train.worker.ts',
      "import { trainInWorker, modelFromSpec, type ModelSpec } from 'scratchnet';",
    ]);
    expect(code.filter((b) => b.mode === 'file').map((b) => b.fileName)).toEqual(['train-worker.mjs']);
    expect(blocks.filter((b) => b.mode === 'skip').every((b) => b.lang === 'sh')).toBe(true);
  });
});
