#!/usr/bin/env bash
# Trains softmax4j (L-BFGS, CPU engine) and scikit-learn (lbfgs) on the same split of the built-in digits (80/20,
# seed 1, binarized at 8) at C = 0.1, 1, 10 and prints, side by side: the objective F = Σ ln p − ‖W‖²/(2C) (sum
# form, in double), iterations, fit time and test accuracy. softmax4j's time is in process after warm-up, the fastest
# of 10 runs, to max|∂F| ≤ 1e-6, with the default preconditioner (centring) and, on the lines "(none)", without;
# scikit-learn's is the fastest of 10 fits with its defaults (tol 1e-4 on the mean loss's gradient). Then L1 at
# C = 1: OWL-QN against scikit-learn's saga (fastest of 3 fits; tol 1e-4 on the change of the weights). Not part of CI. Needs Debian's python3-sklearn: apt-get install -y python3-sklearn.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && ./mvnw -B -q -DskipTests package test-compile) >&2
# The CLI jar holds the library and its dependencies (picocli and Gson relocated, which TimeToOptimum does not use).
java -cp "$(ls "$root"/target/softmax4j-*-cli.jar | head -1):$root/target/test-classes" org.softmax4j.train.TimeToOptimum "$work" "$@"
"$python" - "$work" <<'PY'
import sys, time, warnings
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
work = sys.argv[1]
train = np.loadtxt(work + "/train.csv", delimiter=",")
test = np.loadtxt(work + "/test.csv", delimiter=",")
X, y = train[:, :-1], train[:, -1].astype(int)
Xt, yt = test[:, :-1], test[:, -1].astype(int)
warnings.simplefilter("ignore")
for C in (0.1, 1.0, 10.0):
    best = float("inf")
    for _ in range(10):
        started = time.perf_counter()
        model = LogisticRegression(C=C, max_iter=10000).fit(X, y)
        best = min(best, time.perf_counter() - started)
    W, b = model.coef_, model.intercept_
    Z = X @ W.T + b
    Z -= Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    P = np.exp(logp)
    F = logp[np.arange(len(y)), y].sum() - (W * W).sum() / (2 * C)
    R = np.eye(W.shape[0])[y] - P
    grad = max(np.abs(R.T @ X - W / C).max(), np.abs(R.sum(axis=0)).max())
    print("sklearn   C=%-4s objective %.12f iterations %4d fit %.4fs test-accuracy %.4f max|dF| %.2e (%s)"
          % (C, F, model.n_iter_[0], best, model.score(Xt, yt), grad, sklearn.__version__))
# L1 at C = 1: scikit-learn's saga (the multinomial solver that takes an L1 penalty), default tol 1e-4.
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    model = LogisticRegression(C=1.0, penalty="l1", solver="saga", max_iter=100000).fit(X, y)
    best = min(best, time.perf_counter() - started)
W, b = model.coef_, model.intercept_
Z = X @ W.T + b
Z -= Z.max(axis=1, keepdims=True)
logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
P = np.exp(logp)
F = logp[np.arange(len(y)), y].sum() - np.abs(W).sum()
G = np.eye(W.shape[0])[y] - P
GW = G.T @ X
pg = np.where(W > 0, GW - 1, np.where(W < 0, GW + 1, np.sign(GW) * np.maximum(np.abs(GW) - 1, 0)))
grad = max(np.abs(pg).max(), np.abs(G.sum(axis=0)).max())
print("sklearn   L1 C=1.0 objective %.12f iterations %4d fit %.4fs test-accuracy %.4f max|dF| %.2e zeros %d (saga)"
      % (F, model.n_iter_[0], best, model.score(Xt, yt), grad, (W == 0).sum()))
PY
