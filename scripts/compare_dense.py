"""The dense and large cases of scripts/compare-sklearn.sh: softmax4j (L-BFGS, defaults of `train`, to max|dF| <= 1e-6)
against scikit-learn's LogisticRegression (lbfgs, its defaults, C = 1/lambda, max_iter raised so that its own tolerance
stops it), in one run, the fits alternating (ours, theirs, ours, theirs, ...) so that the load of a shared machine falls
on both alike; medians of the rounds, and their ratio.

softmax4j runs in a JVM per case (org.softmax4j.train.DenseTimeToOptimum, a line protocol on stdin/stdout) that loads
the data once; its first fit of each data set is reported apart ("cold": with the JIT's warm-up) and not counted in the
median. A JVM per case, as `train` has one per fit: after a dense fit in the same JVM the binary double evaluation can
run the Vector API's boxed fallback at ~2.3x its CPU (docs/PERFORMANCE.md, "The mixed-JVM slowdown"); each fit line
gives the JVM's CPU time and the bytes allocated, so that this shows when it happens.

Every softmax4j line names the solver that ran: lbfgs, or newton for the case binary1m-newton (the binary1m data,
`train --solver newton`: L-BFGS on the Hessian of 16,384 sampled rows, docs/PERFORMANCE.md "Newton with a sampled
Hessian").

usage: compare_dense.py JAVA_CMD_JSON DATA_DIR WORK_DIR ROUNDS CASES [THREADS]
  CASES: comma-separated of mnist, fashion, fashion01, binary1m, binary1m-newton, dense100k (and first-order: sgd on binary1m)
"""
import json
import subprocess
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

java_cmd = json.loads(sys.argv[1])
data_dir = sys.argv[2]
work = sys.argv[3]
rounds = int(sys.argv[4])
cases = sys.argv[5].split(",")
warnings.simplefilter("ignore")

threads = sys.argv[6:7]
java = None


def start_server():
    global java
    java = subprocess.Popen(java_cmd + ["org.softmax4j.train.DenseTimeToOptimum"] + threads, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def stop_server():
    java.stdin.write("quit\n")
    java.stdin.flush()
    java.wait()


def ask(command):
    java.stdin.write(command + "\n")
    java.stdin.flush()
    line = java.stdout.readline().strip()
    if not line:
        sys.exit("softmax4j's server ended on: " + command)
    return line


def field(line, name):
    words = line.split()
    return words[words.index(name) + 1]


def objective_and_gradient(X, y, W, b, lam):
    """F = sum ln p_y - lam/2 |W|^2 (sum form) and max|dF| over W and b, in float64."""
    F = 0.0
    GW = np.zeros_like(W)
    Gb = np.zeros_like(b)
    for start in range(0, len(y), 20000):
        Xs = X[start:start + 20000]
        ys = y[start:start + 20000]
        Z = Xs @ W.T + b
        Z -= Z.max(axis=1, keepdims=True)
        logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        F += logp[np.arange(len(ys)), ys].sum()
        R = -np.exp(logp)
        R[np.arange(len(ys)), ys] += 1
        GW += R.T @ Xs
        Gb += R.sum(axis=0)
    F -= lam / 2 * (W * W).sum()
    GW -= lam * W
    return F, max(np.abs(GW).max(), np.abs(Gb).max())


def sklearn_fit(X, y, lam):
    started = time.perf_counter()
    model = LogisticRegression(C=1.0 / lam, max_iter=100000).fit(X, y)
    return model, time.perf_counter() - started


def compare(name, X, y, Xt, yt, lam, load_line, solver="lbfgs"):
    print("== %s: %d x %d, K = %d, lambda = %g (C = %g), softmax4j --solver %s"
          % (name, X.shape[0], X.shape[1], len(np.unique(y)), lam, 1 / lam, solver), flush=True)
    if load_line:
        print("softmax4j " + load_line, flush=True)
    cold = ask("fit %s %g %s" % (name, lam, solver))
    print("softmax4j %s cold   %s" % (solver, cold), flush=True)
    ours, theirs = [], []
    model = None
    for r in range(rounds):
        line = ask("fit %s %g %s" % (name, lam, solver))
        ours.append(float(field(line, "fit")[:-1]))
        print("softmax4j %s round %d %s" % (solver, r + 1, line), flush=True)
        model, seconds = sklearn_fit(X, y, lam)
        theirs.append(seconds)
        print("sklearn   round %d fit %.3fs iterations %d" % (r + 1, seconds, model.n_iter_[0]), flush=True)
    F, grad = objective_and_gradient(X, y, model.coef_, model.intercept_, lam)
    ours_m, theirs_m = float(np.median(ours)), float(np.median(theirs))
    print("sklearn   objective %.9f iterations %d max|dF| %.2e test-accuracy %.4f (%s)"
          % (F, model.n_iter_[0], grad, model.score(Xt, yt), sklearn.__version__))
    print("RESULT %s softmax4j (%s) median %.3fs  sklearn median %.3fs  ratio %.3f  (F ours %s, F sklearn %.9f)"
          % (name, solver, ours_m, theirs_m, ours_m / theirs_m, field(line, "objective"), F), flush=True)
    return float(field(line, "objective")), ours_m


def first_order(name, lam, optimum, lbfgs_seconds):
    """SGD and Adam with mini-batches: when F first comes within 1e-3 relative of L-BFGS's F (one run each)."""
    for solver, batch, epochs in (("sgd", 1000, 30), ("adam", 1000, 30), ("sgd", 10000, 30)):
        line = ask("fit %s %g %s batch=%d iterations=%d target=%.12f" % (name, lam, solver, batch, epochs, optimum))
        print("softmax4j %-4s batch %5d: %s" % (solver, batch, line), flush=True)
        if "reached-1e-3 never" not in line:
            seconds = float(field(line, "reached-1e-3")[:-1])
            print("FIRST-ORDER %s %s batch %d: within 1e-3 of F* after %.3fs = %.2f x L-BFGS's time to 1e-6"
                  % (name, solver, batch, seconds, seconds / lbfgs_seconds), flush=True)


def planted(n, d, k, binary, seed):
    """Rows drawn as bench draws them (bits on with p = 0.323, or dense image-like values), labels drawn from the
    softmax of a planted W (entries N(0, 1/ d_eff)) so that the optimum is a meaningful model."""
    rng = np.random.RandomState(seed)
    if binary:
        X = (rng.random_sample((n, d)) < 0.323).astype(np.float32)
    else:
        X = np.where(rng.random_sample((n, d)) < 0.8, 0, rng.random_sample((n, d))).astype(np.float32)
    W = rng.normal(0, 3 / np.sqrt(d * X.var()), (k, d))
    Z = X @ W.T
    Z -= Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    u = rng.random_sample(n)[:, None]
    y = (P.cumsum(axis=1) < u).sum(axis=1).clip(0, k - 1).astype(np.uint8)
    return X, y


for case in cases:
    start_server()
    if case in ("mnist", "fashion"):
        train = np.load("%s/%s-train.npz" % (data_dir, case))
        test = np.load("%s/%s-test.npz" % (data_dir, case))
        X, y = train["X"].astype(np.float64), train["y"].astype(int)
        Xt, yt = test["X"].astype(np.float64), test["y"].astype(int)
        load = ask("csv %s %s/%s-train.csv %s/%s-test.csv" % (case, data_dir, case, data_dir, case))
        compare(case, X, y, Xt, yt, 1.0, load)
    elif case == "fashion01":
        # Fashion-MNIST as most users feed it: the pixels divided by 255, into [0, 1] (float32, as the JVM reads them).
        train = np.load("%s/fashion-train.npz" % data_dir)
        test = np.load("%s/fashion-test.npz" % data_dir)
        X32 = (train["X"].astype(np.float32) / np.float32(255)).astype(np.float32)
        Xt32 = (test["X"].astype(np.float32) / np.float32(255)).astype(np.float32)
        for part, values, labels in (("train", X32, train["y"]), ("test", Xt32, test["y"])):
            values.tofile("%s/fashion01-%s.f32" % (work, part))
            labels.astype(np.uint8).tofile("%s/fashion01-%s.u8" % (work, part))
        load = ask("raw fashion01 %s/fashion01-train.f32 %s/fashion01-train.u8 %d 784 10 dense %s/fashion01-test.f32 "
                   "%s/fashion01-test.u8 %d" % (work, work, len(X32), work, work, len(Xt32)))
        compare(case, X32.astype(np.float64), train["y"].astype(int), Xt32.astype(np.float64),
                test["y"].astype(int), 1.0, load)
    elif case in ("binary1m", "binary1m-newton", "dense100k"):
        binary = case.startswith("binary1m")
        solver = "newton" if case.endswith("-newton") else "lbfgs"
        n, d = (1000000, 64) if binary else (100000, 784)
        X32, y = planted(n, d, 10, binary, 7)
        X32.tofile("%s/%s.f32" % (work, case))
        y.tofile("%s/%s.u8" % (work, case))
        load = ask("raw %s %s/%s.f32 %s/%s.u8 %d %d 10 %s" % (case, work, case, work, case, n, d,
                                                            "binary" if binary else "dense"))
        X = X32.astype(np.float64)
        del X32
        optimum, seconds = compare(case, X, y.astype(int), X[:1000], y[:1000].astype(int), 1.0, load, solver)
        if solver == "lbfgs":
            first_order(case, 1.0, optimum, seconds)
    else:
        sys.exit("unknown case " + case)
    stop_server()
