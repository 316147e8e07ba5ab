// The browser demo: XOR and MNIST (a dense network or a CNN) trained in a Web Worker (or, for comparison, on the
// main thread) with live charts, a drawing pad that asks the trained model, and the wasm-vs-JS benchmark. Built by scripts/build-demo.mjs,
// served by `npm run demo`.
import {
  benchmark,
  getThreads,
  mnistFromIdx,
  modelFromSpec,
  ready,
  trainInWorker,
  type BenchmarkRow,
  type Logs,
  type MnistData,
  type MnistImageData,
  type ModelSpec,
  type Sequential,
} from 'scratchnet';
import { LineChart } from './chart.js';
import { DrawingPad } from './draw.js';
import { JankMonitor } from './jank.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
};

const COLORS = { train: '#4f46e5', test: '#f97316' };

const XOR_SPEC: ModelSpec = {
  layers: [
    { type: 'dense', units: 8, activation: 'tanh', inputShape: [2] },
    { type: 'dense', units: 1, activation: 'sigmoid' },
  ],
  compile: { optimizer: { name: 'adam', learningRate: 0.05 }, loss: 'binary_crossentropy', metrics: ['accuracy'] },
  seed: 3,
};
const XOR_X = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const XOR_Y = [[0], [1], [1], [0]];
const XOR_EPOCHS = 300;

const DIGITS_COMPILE = (learningRate: number): ModelSpec['compile'] => ({
  optimizer: { name: 'adam', learningRate },
  loss: 'sparse_categorical_crossentropy',
  metrics: ['accuracy'],
});

/** A model the digits card offers: its spec, whether it takes images [n, 28, 28, 1] (or rows [n, 784]), its line. */
interface DigitsModel {
  spec: ModelSpec;
  images: boolean;
  /** the architecture as the card's first line says it */
  arch: string;
  /** what the drawing pad's hint calls it */
  name: string;
}

const DIGITS_MODELS: Record<string, DigitsModel> = {
  dense: {
    spec: {
      layers: [
        { type: 'dense', units: 128, activation: 'relu', inputShape: [784] },
        { type: 'dropout', rate: 0.1 },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      compile: DIGITS_COMPILE(0.002),
      seed: 7,
    },
    images: false,
    arch: '784 → 128 relu → dropout → 10 softmax (101,770 weights)',
    name: 'the dense network',
  },
  // Small enough that an epoch of 20,000 images takes a few seconds in a worker; 95% on the test images after one.
  cnn: {
    spec: {
      layers: [
        { type: 'conv2d', filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] },
        { type: 'max_pooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
        { type: 'max_pooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      compile: DIGITS_COMPILE(0.002),
      seed: 7,
    },
    images: true,
    arch: 'images 28×28×1 → Conv2D 8 3×3 relu → max pool 2 → Conv2D 16 3×3 relu → max pool 2 → 10 softmax (5,258 weights)',
    name: 'the small CNN',
  },
  // keras.io/examples/vision/mnist_convnet: about 7× the small CNN's time per epoch
  convnet: {
    spec: {
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] },
        { type: 'max_pooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'max_pooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      compile: DIGITS_COMPILE(0.001),
      seed: 7,
    },
    images: true,
    arch: "Keras's MNIST convnet: Conv2D 32 3×3 → max pool → Conv2D 64 3×3 → max pool → dropout 0.5 → 10 softmax (34,826 weights)",
    name: "Keras's convnet",
  },
};
const BATCH = 32;

// ---------------------------------------------------------------------------------------------- shared state

let worker: Worker | undefined;
/** the page's one training worker, started on first use */
function trainingWorker(): Worker {
  return (worker ??= new Worker(new URL('./worker.js', import.meta.url), {
    type: 'module',
    name: 'scratchnet-training',
  }));
}

const jankBadge = $('jank');
let training = 0;
const jank = new JankMonitor((m) => {
  jankBadge.textContent = `main thread: longest pause ${Math.round(m.longest)} ms${training ? '' : ' (last training)'}`;
  jankBadge.dataset.level = m.longest < 50 ? 'good' : m.longest < 100 ? 'fair' : 'poor';
  // for the browser tests
  jankBadge.dataset.longestGap = String(Math.round(m.longestGap));
  jankBadge.dataset.longTasks = m.tasks.join(',');
});
function trainingStarted(): void {
  if (training++ === 0) jank.start();
}
function trainingEnded(): void {
  training = Math.max(0, training - 1);
  if (training === 0) jank.stop();
}

const fmt = {
  loss: (v?: number) => (v === undefined ? '–' : v.toFixed(4)),
  pct: (v?: number) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`),
  int: (v: number) => String(Math.round(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ','),
};

// ---------------------------------------------------------------------------------------------- XOR

const xorChart = new LineChart($('xor-chart'), { title: 'loss', xLabel: 'epoch', xMax: XOR_EPOCHS }, [
  { name: 'training loss', color: COLORS.train },
]);

$('xor-train').addEventListener('click', async () => {
  const button = $<HTMLButtonElement>('xor-train');
  const section = $('xor');
  button.disabled = true;
  section.dataset.state = 'training';
  $('xor-status').textContent = 'training in a Web Worker…';
  xorChart.clear(XOR_EPOCHS);
  trainingStarted();
  const started = performance.now();
  try {
    const result = await trainInWorker(trainingWorker(), {
      model: XOR_SPEC,
      x: XOR_X,
      y: XOR_Y,
      fitOptions: { epochs: XOR_EPOCHS, batchSize: 4 },
      onEpochEnd: (epoch, logs) => xorChart.push(0, epoch + 1, logs.loss),
    });
    const model = modelFromSpec(XOR_SPEC);
    model.setWeights(result.weights);
    const outputs = model.predict(XOR_X).map((row) => row[0]);
    model.dispose();
    $('xor-table')
      .querySelectorAll<HTMLTableCellElement>('td.out')
      .forEach((cell, i) => {
        cell.textContent = outputs[i].toFixed(3);
        cell.dataset.rounded = String(Math.round(outputs[i]));
        cell.classList.toggle('right', Math.round(outputs[i]) === XOR_Y[i][0]);
        cell.classList.toggle('wrong', Math.round(outputs[i]) !== XOR_Y[i][0]);
      });
    const seconds = (performance.now() - started) / 1000;
    $('xor-status').textContent =
      `${XOR_EPOCHS} epochs in ${seconds.toFixed(2)} s on ${result.backend}; final loss ${fmt.loss(result.history.history.loss.at(-1))}`;
    section.dataset.state = 'done';
  } catch (e) {
    $('xor-status').textContent = `failed: ${(e as Error).message}`;
    section.dataset.state = 'error';
  } finally {
    trainingEnded();
    button.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------------- MNIST data

type IdxFiles = Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', ArrayBuffer>;
let idxFiles: Promise<IdxFiles> | undefined;

/** The four IDX files of the subset prepared by scripts/prepare-demo-data.mjs, fetched once. */
async function mnistFiles(): Promise<IdxFiles> {
  idxFiles ??= (async () => {
    const get = async (name: string) => {
      const response = await fetch(`data/${name}`);
      if (!response.ok)
        throw new Error(`data/${name}: ${response.status} (run \`npm run build:demo\` to prepare the data)`);
      return response.arrayBuffer();
    };
    const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
      get('train-images-idx3-ubyte'),
      get('train-labels-idx1-ubyte'),
      get('t10k-images-idx3-ubyte'),
      get('t10k-labels-idx1-ubyte'),
    ]);
    return { trainImages, trainLabels, testImages, testLabels };
  })();
  try {
    return await idxFiles;
  } catch (e) {
    idxFiles = undefined;
    throw e;
  }
}

/**
 * The subset decoded by scratchnet's mnistFromIdx into fresh arrays for every run (they are moved to the worker, so
 * each run needs its own): rows [n, 784] for a dense model, images [n, 28, 28, 1] for a CNN — the same pixels in
 * [0, 1], the same order.
 */
async function mnist(images: boolean): Promise<MnistData | MnistImageData> {
  return mnistFromIdx(await mnistFiles(), { asImages: images });
}

let testDigits: Promise<MnistData> | undefined;
/** the held-out test images alone, decoded once, for the drawing pad's "Test digit" */
function heldOutDigits(): Promise<MnistData> {
  if (!testDigits) {
    testDigits = mnistFiles().then((files) => mnistFromIdx(files, { trainLimit: 0 }));
    testDigits.catch(() => (testDigits = undefined)); // fetched again on the next click
  }
  return testDigits;
}

// ---------------------------------------------------------------------------------------------- MNIST training

const lossChart = new LineChart($('mnist-loss'), { title: 'loss', xLabel: 'epoch', xMax: 5 }, [
  { name: 'training', color: COLORS.train },
  { name: 'test', color: COLORS.test, dashed: true },
]);
const accChart = new LineChart(
  $('mnist-acc'),
  { title: 'accuracy', xLabel: 'epoch', xMax: 5, yRange: [0, 1], yFormat: (v) => `${Math.round(v * 100)}%` },
  [
    { name: 'training', color: COLORS.train },
    { name: 'test', color: COLORS.test, dashed: true },
  ],
);

/** the model the drawing pad asks (the last one trained): built once per kind, given new weights after every epoch */
let predictor: { model: Sequential; kind: DigitsModel } | undefined;
function usePredictorWeights(kind: DigitsModel, weights: Float32Array[]): void {
  if (predictor?.kind !== kind) {
    predictor?.model.dispose();
    predictor = { model: modelFromSpec(kind.spec), kind };
  }
  predictor.model.setWeights(weights);
  $('draw').dataset.state = 'ready';
  $('draw').dataset.model = kind.images ? 'cnn' : 'dense';
  $('draw-hint').textContent =
    `Draw with a mouse, a pen or a finger, or take a test digit. The pad asks ${kind.name}; it updates after every epoch.`;
  predictDrawing();
}

const modelSelect = $<HTMLSelectElement>('mnist-model');
const chosenModel = (): DigitsModel => DIGITS_MODELS[modelSelect.value] ?? DIGITS_MODELS.dense;
modelSelect.addEventListener('change', () => {
  $('mnist-arch').textContent = chosenModel().arch;
});

let stopTraining: (() => void) | undefined;
const trainButton = $<HTMLButtonElement>('mnist-train');

trainButton.addEventListener('click', () => {
  if (stopTraining) {
    stopTraining();
    trainButton.disabled = true;
    trainButton.textContent = 'Stopping…';
    return;
  }
  void trainMnist();
});

async function trainMnist(): Promise<void> {
  const section = $('mnist');
  const kind = chosenModel();
  const epochs = Number($<HTMLSelectElement>('mnist-epochs').value);
  const where = (document.querySelector<HTMLInputElement>('input[name="where"]:checked')?.value ?? 'worker') as
    'worker' | 'main';
  const status = $('mnist-status');
  const progress = $('mnist-progress');
  section.dataset.state = 'loading';
  status.textContent = 'loading MNIST…';
  trainButton.disabled = true;
  modelSelect.disabled = true;
  let data: MnistData | MnistImageData;
  try {
    data = await mnist(kind.images);
  } catch (e) {
    status.textContent = `could not load the data: ${(e as Error).message}`;
    section.dataset.state = 'error';
    trainButton.disabled = false;
    modelSelect.disabled = false;
    return;
  }
  const n = data.trainX.shape[0];
  const batches = Math.ceil(n / BATCH);
  lossChart.clear(epochs);
  accChart.clear(epochs);
  for (const id of ['stat-epoch', 'stat-loss', 'stat-acc', 'stat-val', 'stat-speed']) $(id).textContent = '–';
  progress.style.transform = 'scaleX(0)';

  let seen = 0;
  let lastBatchChart = 0;
  // fit reports running means over the epoch so far; the charts show a moving average of the batches themselves
  let prev = { loss: 0, correct: 0, rows: 0 };
  let smooth: { loss: number; accuracy: number } | undefined;
  const started = performance.now();
  const onBatchEnd = (batch: number, logs: Logs, epoch: number) => {
    seen++;
    const rows = Math.min(BATCH * (batch + 1), n);
    if (batch === 0) prev = { loss: 0, correct: 0, rows: 0 };
    const batchRows = rows - prev.rows;
    const batchLoss = (logs.loss * rows - prev.loss) / batchRows;
    const batchAccuracy = ((logs.accuracy ?? 0) * rows - prev.correct) / batchRows;
    prev = { loss: logs.loss * rows, correct: (logs.accuracy ?? 0) * rows, rows };
    smooth = smooth
      ? { loss: 0.9 * smooth.loss + 0.1 * batchLoss, accuracy: 0.9 * smooth.accuracy + 0.1 * batchAccuracy }
      : { loss: batchLoss, accuracy: batchAccuracy };
    const x = epoch + (batch + 1) / batches;
    // a point every few batches keeps the charts light
    if (batch === batches - 1 || seen - lastBatchChart >= 4) {
      lastBatchChart = seen;
      lossChart.push(0, x, smooth.loss);
      accChart.push(0, x, smooth.accuracy);
    }
    latest = { epoch, logs, samples: epoch * n + rows };
    scheduleStats();
  };
  // the numbers above the charts change at most ten times a second
  let latest: { epoch: number; logs: Logs; samples: number } | undefined;
  let statsPending = false;
  const scheduleStats = () => {
    if (statsPending) return;
    statsPending = true;
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          statsPending = false;
          if (!latest) return;
          const { epoch, logs, samples } = latest;
          progress.style.transform = `scaleX(${Math.min(1, samples / (n * epochs)).toFixed(4)})`; // no layout: the compositor scales it
          $('stat-epoch').textContent = `${epoch + 1} / ${epochs}`;
          $('stat-loss').textContent = fmt.loss(logs.loss);
          $('stat-acc').textContent = fmt.pct(logs.accuracy);
          $('stat-speed').textContent = fmt.int(samples / ((performance.now() - started) / 1000));
        }),
      100,
    );
  };
  const onEpochEnd = (epoch: number, logs: Logs, weights?: Float32Array[]) => {
    lossChart.push(1, epoch + 1, logs.val_loss ?? NaN);
    accChart.push(1, epoch + 1, logs.val_accuracy ?? NaN);
    $('stat-val').textContent = fmt.pct(logs.val_accuracy);
    if (weights) usePredictorWeights(kind, weights);
  };

  await new Promise((resolve) => setTimeout(resolve, 0)); // the data is ready: training starts on a fresh turn
  section.dataset.state = 'training';
  section.dataset.where = where;
  section.dataset.model = modelSelect.value;
  trainButton.textContent = 'Stop';
  trainButton.disabled = false;
  trainingStarted();
  status.textContent =
    where === 'worker'
      ? 'training in a Web Worker — the page stays free'
      : 'training on the main thread — fit yields every 50 ms';
  try {
    let stopped: boolean;
    let backend: string;
    let history: { val_accuracy?: number[] };
    if (where === 'worker') {
      const controller = new AbortController();
      stopTraining = () => controller.abort();
      const result = await trainInWorker(trainingWorker(), {
        model: kind.spec,
        x: data.trainX,
        y: data.trainY,
        fitOptions: { epochs, batchSize: BATCH, validationData: [data.testX, data.testY] },
        // moved to the worker, not cloned: cloning 70 MB would hold up this thread for about 100 ms
        transfer: true,
        weightsEachEpoch: true,
        onBatchEnd,
        onEpochEnd,
        signal: controller.signal,
      });
      usePredictorWeights(kind, result.weights);
      ({ stopped, backend } = result);
      history = result.history.history;
    } else {
      const model = modelFromSpec(kind.spec);
      let epoch = 0;
      stopTraining = () => {
        model.stopTraining = true;
      };
      const result = await model.fit(data.trainX, data.trainY, {
        epochs,
        batchSize: BATCH,
        validationData: [data.testX, data.testY],
        verbose: 0,
        callbacks: {
          onBatchEnd: (batch, logs) => onBatchEnd(batch, logs, epoch),
          onEpochEnd: (e, logs) => {
            epoch = e + 1;
            onEpochEnd(e, logs, model.getWeights());
          },
        },
      });
      stopped = model.stopTraining;
      backend = model.backend;
      history = result.history;
      model.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const accuracy = history.val_accuracy?.at(-1);
    status.textContent =
      `${stopped ? 'stopped' : 'done'}: ${history.val_accuracy?.length ?? 0} epoch(s) in ${seconds.toFixed(1)} s on ${backend}` +
      `${where === 'worker' ? ' in a Web Worker' : ' on the main thread'}; test accuracy ${fmt.pct(accuracy)}`;
    section.dataset.state = 'done';
    section.dataset.accuracy = String(accuracy ?? '');
  } catch (e) {
    status.textContent = `failed: ${(e as Error).message}`;
    section.dataset.state = 'error';
  } finally {
    trainingEnded();
    stopTraining = undefined;
    trainButton.textContent = 'Train';
    trainButton.disabled = false;
    modelSelect.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------- drawing

const probs = $('probs');
for (let d = 0; d < 10; d++) {
  const item = document.createElement('li');
  item.innerHTML = `<span class="d">${d}</span><span class="bar"><span></span></span><span class="p">–</span>`;
  probs.append(item);
}

const pad = new DrawingPad($<HTMLCanvasElement>('pad'), () => predictDrawing());
/** which test image is on the pad, if one is (drawing over it or clearing makes it a drawing) */
function showLabel(label?: { index: number; digit: number }): void {
  if (label) $('draw').dataset.label = String(label.digit);
  else delete $('draw').dataset.label;
  $('pad-label').textContent = label ? `test image ${label.index + 1}: a ${label.digit}` : '';
}
$('pad').addEventListener('pointerdown', () => showLabel());
$('pad-clear').addEventListener('click', () => {
  pad.clear();
  showLabel();
  predictDrawing();
});

// The held-out test images in turn, put on the pad as if drawn: the pad's preprocessing then sees what the model
// was trained on, so a good model should be as right here as its test accuracy says.
let nextTestDigit = 0;
$('pad-sample').addEventListener('click', async () => {
  let digits: MnistData;
  try {
    digits = await heldOutDigits();
  } catch (e) {
    $('pad-label').textContent = `could not load the test images: ${(e as Error).message}`;
    return;
  }
  const { testX, testY } = digits;
  const index = nextTestDigit++ % testY.length;
  pad.show(testX.data.subarray(index * 784, (index + 1) * 784));
  showLabel({ index, digit: testY[index] });
  predictDrawing();
});

function predictDrawing(): void {
  const image = pad.toMnist($<HTMLCanvasElement>('preview'));
  const items = Array.from(probs.children) as HTMLElement[];
  if (!image) $<HTMLCanvasElement>('preview').getContext('2d')!.clearRect(0, 0, 28, 28);
  if (!image || !predictor) {
    items.forEach((item) => {
      (item.querySelector('.bar > span') as HTMLElement).style.width = '0';
      item.querySelector('.p')!.textContent = '–';
      item.classList.remove('best');
    });
    $('predicted').textContent = '?';
    $('confidence').textContent = '';
    $('draw').dataset.prediction = '';
    return;
  }
  // the same 784 values either way: one row for a dense model, one 28×28×1 image for a CNN
  const shape = predictor.kind.images ? [1, 28, 28, 1] : [1, 784];
  const p = predictor.model.predict({ data: image, shape }).data;
  let best = 0;
  for (let d = 1; d < 10; d++) if (p[d] > p[best]) best = d;
  items.forEach((item, d) => {
    (item.querySelector('.bar > span') as HTMLElement).style.width = `${(p[d] * 100).toFixed(1)}%`;
    item.querySelector('.p')!.textContent = `${(p[d] * 100).toFixed(1)}%`;
    item.classList.toggle('best', d === best);
  });
  $('predicted').textContent = String(best);
  $('confidence').textContent = `${(p[best] * 100).toFixed(0)}% sure`;
  $('draw').dataset.prediction = String(best);
}

// ---------------------------------------------------------------------------------------------- wasm vs JS

$('bench-run').addEventListener('click', async () => {
  const button = $<HTMLButtonElement>('bench-run');
  const section = $('bench');
  const rows = $('bench-rows');
  button.disabled = true;
  section.dataset.state = 'running';
  rows.replaceChildren();
  $('bench-headline').textContent = '';
  $('bench-status').textContent = 'measuring… (the page may pause briefly)';
  const number = (v: number | null, unit: string) =>
    v === null ? 'n/a' : unit === 'GFLOP/s' ? `${v.toFixed(2)} GFLOP/s` : `${fmt.int(v)} ${unit}`;
  const add = (row: BenchmarkRow) => {
    const tr = document.createElement('tr');
    tr.innerHTML = `<td></td><td></td><td></td><td class="ratio"></td><td class="ratio"></td>`;
    const cells = tr.querySelectorAll('td');
    cells[0].textContent = row.name;
    cells[1].textContent = number(row.wasm, row.unit);
    cells[2].textContent = number(row.js, row.unit);
    cells[3].textContent = row.ratio === null ? 'n/a' : `${row.ratio.toFixed(1)}×${row.noisy ? ' (noisy)' : ''}`;
    if (row.ratioRange)
      cells[3].title = `${row.ratioRange[0].toFixed(1)}× to ${row.ratioRange[1].toFixed(1)}× over the samples`;
    // the wasm kernels on every thread against one (n/a on one thread: a page that is not cross-origin isolated)
    cells[4].textContent = row.threadsRatio === null ? 'n/a' : `${row.threadsRatio.toFixed(2)}×`;
    if (row.wasmThreads !== null) cells[4].title = `${number(row.wasmThreads, row.unit)} on ${row.threads} threads`;
    tr.dataset.ratio = String(row.ratio ?? '');
    rows.append(tr);
  };
  try {
    await new Promise((r) => setTimeout(r, 30)); // let the status paint first
    const result = await benchmark({ onProgress: add });
    const train = result.find((r) => r.name.startsWith('train'));
    const ratio = train?.ratio ?? null;
    const threaded = train?.threadsRatio ?? null;
    $('bench-headline').textContent =
      ratio === null
        ? 'This browser has no WebAssembly SIMD: scratchnet runs on its JS backend here.'
        : `Training runs ${ratio.toFixed(1)}× faster with WebAssembly SIMD than with plain JavaScript on this device.` +
          (threaded === null ? '' : ` On ${train!.threads} threads: ${threaded.toFixed(2)}× one thread.`);
    section.dataset.ratio = String(ratio ?? '');
    section.dataset.state = 'done';
    $('bench-status').textContent = result.some((r) => r.noisy)
      ? 'The device was busy during some measurements (marked noisy): run again for steadier figures.'
      : '';
  } catch (e) {
    $('bench-status').textContent = `failed: ${(e as Error).message}`;
    section.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------------- start

const backend = await ready();
const badge = $('backend-badge');
badge.textContent = backend === 'wasm' ? 'WebAssembly SIMD' : 'JS backend (no SIMD here)';
badge.dataset.backend = backend;
// threads need a cross-origin-isolated page (npm run demo serves it so); elsewhere scratchnet says why on the console
const threads = getThreads();
const threadsBadge = $('threads-badge');
threadsBadge.textContent =
  threads > 1 ? `${threads} threads` : crossOriginIsolated ? '1 thread' : '1 thread (page not cross-origin isolated)';
threadsBadge.dataset.threads = String(threads);
document.body.dataset.ready = 'true';
