// The tutorial's MNIST network, 784→100 relu → 50 tanh → 10 sigmoid, trained the way the "neural network from scratch"
// tutorial trains it: the first 1000 training images, per-sample SGD, 35 epochs, learning rate 0.1, mean squared
// error on one-hot targets. Then its three predictions against the true values, and the accuracy on all 10,000 test images.
import { ActivationLayer, FCLayer, Network, toCategorical } from 'scratchnet';
import { loadMnist } from 'scratchnet/node';
import { backendFlag, numberFlag } from './args.js';

const epochs = numberFlag('epochs', 35);
const { trainX, trainY, testX, testY } = await loadMnist({ trainLimit: 1000 });
const yTrain = toCategorical(trainY, 10);

const net = new Network({ seed: 1, backend: backendFlag() });
net.add(new FCLayer(28 * 28, 100)); // input_shape=(1, 28*28); output_shape=(1, 100)
net.add(new ActivationLayer('relu'));
net.add(new FCLayer(100, 50)); // input_shape=(1, 100); output_shape=(1, 50)
net.add(new ActivationLayer('tanh'));
net.add(new FCLayer(50, 10)); // input_shape=(1, 50); output_shape=(1, 10)
net.add(new ActivationLayer('sigmoid'));

net.use('mse');
const started = performance.now();
await net.fit(trainX, yTrain, { epochs, learningRate: 0.1 });
const seconds = (performance.now() - started) / 1000;

// test on 3 samples, as the tutorial does
const first3 = { data: testX.data.subarray(0, 3 * 784), shape: [3, 784] as [number, number] };
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
