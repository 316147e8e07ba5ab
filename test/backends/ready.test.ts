import { afterEach, describe, expect, it, vi } from 'vitest';

// ready(), and what happens on engines that refuse synchronous compilation or lack SIMD. Each test loads fresh
// copies of the modules (vi.resetModules), since the backend choice and the compiled module are cached per load.

type Index = typeof import('../../src/index.js');
const fresh = async (): Promise<Index> => {
  vi.resetModules();
  return import('../../src/index.js');
};

const OriginalModule = WebAssembly.Module;
const originalValidate = WebAssembly.validate;

afterEach(() => {
  WebAssembly.Module = OriginalModule;
  WebAssembly.validate = originalValidate;
  vi.restoreAllMocks();
});

/** Make `new WebAssembly.Module` throw as Chrome does on the main thread above its size limit. */
function refuseSyncCompile(): void {
  WebAssembly.Module = new Proxy(OriginalModule, {
    construct() {
      throw new RangeError(
        'WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 8MB. Use WebAssembly.compile, compile on a worker thread, or use the flag `--enable-features=WebAssemblyUnlimitedSyncCompilation`.',
      );
    },
  });
}

const xorModel = (s: Index) =>
  new s.Sequential([new s.Dense(4, { inputShape: [2], activation: 'tanh' }), new s.Dense(1)]);

describe('ready()', () => {
  it("resolves with the default backend, 'wasm' here, and models work after it", async () => {
    const s = await fresh();
    await expect(s.ready()).resolves.toBe('wasm');
    await expect(s.ready()).resolves.toBe('wasm'); // again: free
    const model = xorModel(s);
    expect(model.backend).toBe('wasm');
    expect(model.predict([[1, 0]])[0]).toHaveLength(1);
    model.dispose();
  });

  it('where synchronous compilation is refused: a clear error before ready(), working models after it', async () => {
    refuseSyncCompile();
    const s = await fresh();
    expect(() => xorModel(s)).toThrow(
      /scratchnet: this browser will not compile WebAssembly synchronously here \(WebAssembly\.Compile is disallowed on the main thread.*\)\. Call `await ready\(\)` \(exported by scratchnet\) once before creating a model, or choose the JS backend with setBackend\('js'\)/,
    );
    await expect(s.ready()).resolves.toBe('wasm');
    const model = xorModel(s);
    expect(model.backend).toBe('wasm');
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await model.fit([[0, 1]], [[1]], { epochs: 2, verbose: 0 });
    model.dispose();
  });

  it('without WebAssembly SIMD: the JS backend, announced once on the console', async () => {
    WebAssembly.validate = () => false;
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    const s = await fresh();
    await expect(s.ready()).resolves.toBe('js');
    expect(s.getBackend()).toBe('js');
    const model = xorModel(s);
    expect(model.backend).toBe('js');
    model.dispose();
    xorModel(s).dispose();
    expect(info).toHaveBeenCalledTimes(1);
    expect(info.mock.calls[0][0]).toBe(
      'scratchnet: WebAssembly SIMD is not available in this engine; using the JS backend (same results, slower)',
    );
    expect(() => s.setBackend('wasm')).toThrow("the 'wasm' backend needs WebAssembly SIMD");
  });
});
