// The tutorial's convolutional MNIST example (its conv sequel: ConvLayer, FlattenLayer), trained the tutorial's way:
// the first 1000 training images as [28, 28, 1], per-sample SGD, learning rate 0.1, mean squared error on one-hot
// targets, tanh throughout. Then three predictions against the true values, and the accuracy on all 10,000 test images.
//   npm run example:mnist-conv-tutorial -- --epochs 100 --backend wasm
import { ActivationLayer, ConvLayer, FCLayer, FlattenLayer, Network, toCategorical } from 'scratchnet';
import { loadMnist } from 'scratchnet/node';
import { backendFlag, numberFlag } from './args.js';

const epochs = numberFlag('epochs', 100);
const { trainX, trainY, testX, testY } = await loadMnist({ trainLimit: 1000, asImages: true });
const yTrain = toCategorical(trainY, 10);

const net = new Network({ seed: 1, backend: backendFlag() });
net.add(new ConvLayer([28, 28, 1], [3, 3], 1)); // input_shape=(28, 28, 1)   ;   output_shape=(26, 26, 1)
net.add(new ActivationLayer('tanh'));
net.add(new FlattenLayer()); //                   input_shape=(26, 26, 1)   ;   output_shape=(1, 26*26*1)
net.add(new FCLayer(26 * 26 * 1, 100)); //        input_shape=(1, 26*26*1)  ;   output_shape=(1, 100)
net.add(new ActivationLayer('tanh'));
net.add(new FCLayer(100, 10)); //                 input_shape=(1, 100)      ;   output_shape=(1, 10)
net.add(new ActivationLayer('tanh'));

net.use('mse');
const started = performance.now();
await net.fit(trainX, yTrain, { epochs, learningRate: 0.1 });
const seconds = (performance.now() - started) / 1000;

// test on 3 samples, as the tutorial does
const first3 = { data: testX.data.subarray(0, 3 * 784), shape: [3, 28, 28, 1] };
const out = net.predict(first3);
console.log('\npredicted values : ');
for (let i = 0; i < 3; i++)
  console.log(`[${Array.from(out.data.subarray(i * 10, i * 10 + 10), (v) => v.toFixed(2)).join(' ')}]`);
console.log('true values : ');
console.log(`[${Array.from(testY.subarray(0, 3)).join(' ')}]`);

// and on the whole test set
const all = net.predict(testX);
let correct = 0;
for (let i = 0; i < testY.length; i++) {
  const row = all.data.subarray(i * 10, i * 10 + 10);
  if (row.indexOf(Math.max(...row)) === testY[i]) correct++;
}
console.log(`\ntest accuracy on ${testY.length} images: ${((100 * correct) / testY.length).toFixed(2)}%`);
console.log(`training: ${seconds.toFixed(2)} s, ${Math.round((epochs * 1000) / seconds)} samples/s on ${net.backend}`);
