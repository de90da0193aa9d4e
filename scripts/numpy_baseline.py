#!/usr/bin/python3
"""The numpy baseline of `scripts/softmax4j bench`: seconds per full-batch evaluation of softmax regression
(log-likelihood, gradient of W and of b) in numpy, on data drawn the way the bench draws it, for ratios measured in
the same session (ours / numpy's samples per second). docs/PERFORMANCE.md quotes its figures.

    apt-get install -y python3-numpy     # Debian's numpy, with OpenBLAS
    /usr/bin/python3 scripts/numpy_baseline.py --n 1000000 --d 64 --kind binary
    /usr/bin/python3 scripts/numpy_baseline.py --n 100000 --d 784 --kind dense

Data (seeded): binary rows have each bit on with probability 0.323 (the binarized digits' density), dense rows are
uniform in [0, 1); labels are uniform over K classes; W and b are 0.01 * N(0, 1). One evaluation:
logits Z = X Wᵀ + b, less each row's max; E = exp(Z); L = Σ_n Z[n, y_n] − Σ_n ln Σ_k E[n, k] (summed in float64);
residuals R = Y − E / rowsum(E); ∂L/∂W = Rᵀ X and ∂L/∂b = column sums of R.
Output: one JSON line with the median and the minimum of --reps timed evaluations (after two untimed ones) and N /
median as samples per second.
"""
import argparse
import json
import os
import time

import numpy as np


def draw(n, d, k, kind, dtype):
    rows = np.random.default_rng(1)
    if kind == "binary":
        x = (rows.random((n, d)) < 0.323).astype(dtype)
    else:
        x = rows.random((n, d), dtype=np.float64).astype(dtype)
    labels = rows.integers(0, k, size=n)
    onehot = np.zeros((n, k), dtype=dtype)
    onehot[np.arange(n), labels] = 1
    params = np.random.default_rng(2)
    weights = (0.01 * params.standard_normal((k, d))).astype(dtype)
    bias = (0.01 * params.standard_normal(k)).astype(dtype)
    return x, labels, onehot, weights, bias


def log_likelihood_and_gradient(x, labels, onehot, weights, bias):
    z = x @ weights.T + bias
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    sums = e.sum(axis=1)
    log_likelihood = (z[np.arange(len(labels)), labels].sum(dtype=np.float64)
                      - np.log(sums).sum(dtype=np.float64))
    residuals = onehot - e / sums[:, None]
    return log_likelihood, residuals.T @ x, residuals.sum(axis=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="examples")
    parser.add_argument("--d", type=int, default=64, help="features")
    parser.add_argument("--k", type=int, default=10, help="classes")
    parser.add_argument("--kind", choices=["binary", "dense"], default="binary")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--reps", type=int, default=7, help="timed evaluations")
    args = parser.parse_args()
    data = draw(args.n, args.d, args.k, args.kind, np.dtype(args.dtype))
    for _ in range(2):
        log_likelihood_and_gradient(*data)
    seconds = []
    for _ in range(args.reps):
        start = time.perf_counter()
        log_likelihood_and_gradient(*data)
        seconds.append(time.perf_counter() - start)
    median = float(np.median(seconds))
    print(json.dumps({"impl": "numpy-" + args.dtype, "kind": args.kind, "n": args.n, "d": args.d, "k": args.k,
                      "median_s": median, "min_s": min(seconds), "samples_per_s": args.n / median,
                      "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
