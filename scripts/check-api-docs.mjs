// Every name the package exports (from '.', './node' and './relaxed') has a doc comment: reads TypeDoc's JSON
// model (`npm run docs:api` writes it beside the HTML) and lists the exported names without one. Members are not
// required here; the names a user imports are.
import { readFile } from 'node:fs/promises';

const project = JSON.parse(await readFile(new URL('../build/api/api.json', import.meta.url), 'utf8'));

/** whether a reflection, or one of its signatures, carries a comment with text */
const documented = (r) =>
  [r, ...(r.signatures ?? []), ...(r.type?.declaration?.signatures ?? [])].some((x) =>
    x.comment?.summary?.some((part) => part.text.trim() !== ''),
  );

const missing = [];
for (const module of project.children ?? []) {
  for (const r of module.children ?? []) {
    // a re-export under another name points at its target, which is checked where it is declared
    if (r.variant === 'reference') continue;
    if (!documented(r))
      missing.push(`${module.name}: ${r.name} (${r.sources?.[0]?.fileName ?? '?'}:${r.sources?.[0]?.line ?? '?'})`);
  }
}
if (missing.length > 0) {
  console.error(`check-api-docs: ${missing.length} exported name(s) without a doc comment:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
const count = (project.children ?? []).reduce((n, m) => n + (m.children?.length ?? 0), 0);
console.log(`check-api-docs: all ${count} exported names are documented; the reference is in build/api/index.html`);
