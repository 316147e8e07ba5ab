// The code blocks of a Markdown file, and what scripts/check-readme.mjs does with each.
//
// A ```ts or ```js block runs in Node by default. An HTML comment on the line before the fence (invisible on GitHub
// and npm) says otherwise:
//   <!-- readme-check: browser -->  type-checked only: it needs a browser (a module Worker, a page);
//   <!-- readme-check: file -->     written for the blocks after it (e.g. a worker script they start), not run alone.
// A block whose first line is a comment naming a file (`// train-worker.mjs`) is written under that name, so the
// blocks after it can import or start it. Blocks in other languages (```sh) are shell commands, not run.

const MODES = ['browser', 'file'];

/**
 * @param {string} markdown
 * @returns {{ index: number, line: number, lang: string, code: string, mode: 'run' | 'browser' | 'file' | 'skip', fileName: string | null }[]}
 */
export function readmeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`README line ${start + 1}: a code block that is never closed`);
    const lang = open[1].toLowerCase();
    const code = lines.slice(start + 1, end).join('\n') + '\n';
    const marker = /^<!--\s*readme-check:\s*(\S+)\s*-->\s*$/.exec(lines[start - 1] ?? '');
    if (marker && !MODES.includes(marker[1])) {
      throw new Error(
        `README line ${start}: unknown readme-check mode '${marker[1]}'; expected ${MODES.map((m) => `'${m}'`).join(' or ')}`,
      );
    }
    const isCode = lang === 'ts' || lang === 'js';
    if (marker && !isCode)
      throw new Error(`README line ${start}: a readme-check mode on a \`\`\`${lang} block, which is not run anyway`);
    const named = /^\/\/\s*([\w.-]+\.(?:[cm]?[jt]s))\s*$/.exec(code.split('\n')[0]);
    blocks.push({
      index: blocks.length,
      line: start + 1,
      lang,
      code,
      mode: !isCode ? 'skip' : marker ? marker[1] : 'run',
      fileName: named ? named[1] : null,
    });
    i = end;
  }
  return blocks;
}
