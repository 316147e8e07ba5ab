// Types for scripts/readme-blocks.mjs, which test/scripts/readme-blocks.test.ts imports.

export interface ReadmeBlock {
  /** 0-based position among the file's code blocks */
  index: number;
  /** the 1-based line of the opening fence */
  line: number;
  /** the fence's language, lower case ('' when none) */
  lang: string;
  code: string;
  /** run in Node, type-check only (needs a browser), write for later blocks, or not code (shell) */
  mode: 'run' | 'browser' | 'file' | 'skip';
  /** the file name the first line's comment gives (`// train-worker.mjs`), if any */
  fileName: string | null;
}

export declare function readmeBlocks(markdown: string): ReadmeBlock[];
