#!/usr/bin/env bash
# softmax4j against scikit-learn, in one run, on the same data. Not part of CI. Needs Debian's python3-sklearn
# (apt-get install -y python3-numpy python3-sklearn); the dense cases also need npm and apt-get (scripts/dense-data.sh
# fetches and caches the data outside the repository).
#
#   scripts/compare-sklearn.sh [--cases digits,mnist,fashion,fashion01,binary1m,binary1m-newton,dense100k]
#                              [--rounds R] [--threads T]
#
# digits (the default set also has mnist and fashion01; fashion, the raw pixels, runs only when named: neither side
# reaches its optimum in reasonable time, see docs/PERFORMANCE.md): trains softmax4j (L-BFGS, CPU engine) and
# scikit-learn (lbfgs) on the same split of the built-in digits (80/20, seed 1, binarized at 8) at C = 0.1, 1, 10
# and prints, side by side: the objective F = Σ ln p − ‖W‖²/(2C) (sum form, in double), iterations, fit time and
# test accuracy. softmax4j's time is in process after warm-up, the fastest of 10 runs, to max|∂F| ≤ 1e-6, with the default
# preconditioner (centring) and, on the lines "(none)", without; scikit-learn's is the fastest of 10 fits with its
# defaults (tol 1e-4 on the mean loss's gradient). Then L1 at C = 1: OWL-QN against scikit-learn's saga (fastest of 3
# fits; tol 1e-4 on the change of the weights).
#
# mnist (8,000 + 2,000 real MNIST digits, 784 pixels in [0, 1]), fashion (Fashion-MNIST, 60,000 + 10,000, pixels in
# 0..255 as they come), fashion01 (the same images divided by 255, into [0, 1], as most users feed them), binary1m
# (10^6 rows of 64 bits, K = 10, labels drawn from a planted W) and dense100k (10^5 image-like rows of 784 floats,
# planted W): λ = 1, scripts/compare_dense.py: softmax4j's `train --solver lbfgs`
# defaults to max|∂F| ≤ 1e-6, in a JVM per case that loaded the data once (CSV load time and heap reported), against
# scikit-learn's LogisticRegression(C=1) with its defaults (max_iter raised), the fits alternating, R rounds (default
# 3), medians and their ratio, F and max|∂F| of both. binary1m-newton: the binary1m data with `train --solver newton`
# instead (each softmax4j line names the solver that ran).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-/usr/bin/python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cases=digits,mnist,fashion01
rounds=3
threads=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) cases="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "compare-sklearn.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
(cd "$root" && ./mvnw -B -q -DskipTests package test-compile) >&2
# The CLI jar holds the library and its dependencies (picocli and Gson relocated, which TimeToOptimum does not use).
classpath="$(ls "$root"/target/softmax4j-*-cli.jar | head -1):$root/target/test-classes"
java_cmd=(java --add-modules jdk.incubator.vector -cp "$classpath")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ ",$cases," == *,digits,* ]]; then
"${java_cmd[@]}" org.softmax4j.train.TimeToOptimum "$work" ${threads:+$threads}
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
fi
dense_cases=$(echo ",$cases," | tr ',' '\n' | grep -v -e '^digits$' -e '^$' | paste -sd, - || true)
if [[ -n "$dense_cases" ]]; then
  data="$(bash "$root/scripts/dense-data.sh")"
  java_json="$("$python" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${java_cmd[@]}")"
  "$python" "$root/scripts/compare_dense.py" "$java_json" "$data" "$work" "$rounds" "$dense_cases" ${threads:+$threads}
  echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
fi
