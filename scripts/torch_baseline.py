#!/usr/bin/env python3
"""PyTorch baseline for issue 5's GPU targets: one full-batch softmax-regression evaluation written the usual way,
on the same GPU and in the same run as scripts/gpu-check.sh's kernel timing (CudaKernelTiming).

    python3 scripts/torch_baseline.py --json torch.json [--quick] [--budget-s 80]

Work per evaluation (W: K x D, b: K, X: N x D float32, y labels, Y one-hot float32), the same as
scripts/numpy_baseline.py and our fused kernels:
    log-likelihood L = sum_n log softmax(X W^T + b)[n, y_n], gradient G = R^T X and g_b = sum_n R with R = Y - P.
Three versions, each timed; the comparison uses the fastest (the one most favourable to PyTorch):
    manual    Z = addmm(b, X, W^T); logP = log_softmax(Z); L = logP.gather(y).sum(float64); R = Y - exp(logP);
              G = R^T @ X; g_b = R.sum(0)
    autograd  cross_entropy(addmm(b, X, W^T), y, reduction='sum') and backward() into W and b
    graph     'manual' captured once in a CUDA graph and replayed (no Python launch gaps)
None computes the correct count, which our kernels also return (in PyTorch's favour).
Data like the bench's: binary -> each feature 1.0 with probability 0.323 (a float 0/1 matrix, the usual way to hand
binary features to PyTorch), dense -> uniform [0, 1); labels uniform; W, b ~ 0.01 N(0, 1). Generated on the GPU.
GEMMs in full FP32 (TF32 off: torch's default for matmul, set explicitly here).
Timing like CudaKernelTiming's: warm-ups, then each timed call queued behind a 1 GiB device-to-device copy and
bracketed by torch.cuda.Event; median, min, max of RUNS. Also measured: the copy bandwidth (bytes read + written) and
the FP32 GEMM rate (8192^3), as ceilings.
Writes one JSON object (rewritten after every case, so a run cut short leaves valid JSON); exits 0 with
{"skipped": reason} when torch or a GPU is missing.
"""
import argparse
import json
import math
import os
import sys
import time

WARM_UP = 3
RUNS = 11
K = 10
DENSITY = 0.323
BLOCKER_BYTES = 1 << 30


def write(path, obj):
    if path:
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=1, allow_nan=True)
        os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=None)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--budget-s", type=float, default=120.0)
    ap.add_argument("--cpu-dry-run", action="store_true",
                    help="exercise this script on the CPU with small sizes and host timers (no figures to quote)")
    a = ap.parse_args()
    began = time.monotonic()
    result = {"impl": "pytorch", "warm_up": WARM_UP, "runs": RUNS, "cases": []}
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:  # ImportError, or a broken install raising something else
        result["skipped"] = "import torch failed: %s: %s" % (type(e).__name__, e)
        print("SKIP torch baseline: " + result["skipped"])
        write(a.json, result)
        return 0
    if not torch.cuda.is_available() and not a.cpu_dry_run:
        result["skipped"] = "torch %s sees no CUDA device" % torch.__version__
        print("SKIP torch baseline: " + result["skipped"])
        write(a.json, result)
        return 0

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    dry = a.cpu_dry_run
    def empty_cache():
        if not dry:
            torch.cuda.empty_cache()

    if dry:
        a.quick = True
        dev = torch.device("cpu")
        result.update({"torch": torch.__version__, "device": "cpu (dry run: not a measurement)"})
        print("torch %s on the CPU: DRY RUN of the script, host timers, no figures to quote" % torch.__version__)
    else:
        dev = torch.device("cuda")
        props = torch.cuda.get_device_properties(dev)
        result.update({"torch": torch.__version__, "cuda": torch.version.cuda, "device": props.name,
                       "multiprocessors": props.multi_processor_count, "tf32": False,
                       "python": sys.version.split()[0]})
        print("torch %s (CUDA %s) on %s, %d SMs; FP32 GEMMs, TF32 off" % (
            torch.__version__, torch.version.cuda, props.name, props.multi_processor_count))
    blocker_src = torch.ones((BLOCKER_BYTES if not dry else 1 << 20) // 4, device=dev)
    blocker_dst = torch.empty_like(blocker_src)
    if not dry:
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)

    def timed(fn, runs=RUNS, warm=WARM_UP):
        for _ in range(warm):
            fn()
        if not dry:
            torch.cuda.synchronize()
        ms = []
        for _ in range(runs):
            blocker_dst.copy_(blocker_src)
            if dry:
                began_run = time.perf_counter()
                fn()
                ms.append((time.perf_counter() - began_run) * 1e3)
                continue
            start.record()
            fn()
            stop.record()
            stop.synchronize()
            ms.append(start.elapsed_time(stop))
        s = sorted(ms)
        mid = len(s) // 2
        median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
        return {"median_ms": median, "min_ms": s[0], "max_ms": s[-1], "all_ms": ms}

    # Ceilings, measured here too: the copy bandwidth and the FP32 GEMM rate.
    try:
        n_bytes = (1 << 30) if a.quick else (4 << 30)
        src = torch.ones(n_bytes // 4, device=dev)
        dst = torch.empty_like(src)
        t = timed(lambda: dst.copy_(src), runs=9)
        t["bytes"] = n_bytes
        t["gb_s_read_plus_write"] = 2 * n_bytes / (t["median_ms"] / 1e3) / 1e9
        result["copy"] = t
        print("copy: %.2f GiB in %.3f ms = %.0f GB/s (read + write)" % (n_bytes / 2**30, t["median_ms"],
                                                                      t["gb_s_read_plus_write"]))
        del src, dst
        m = 4096 if a.quick else 8192
        A = torch.rand(m, m, device=dev)
        B = torch.rand(m, m, device=dev)
        C = torch.empty(m, m, device=dev)
        t = timed(lambda: torch.mm(A, B, out=C), runs=7)
        t["m"] = m
        t["tflop_s"] = 2 * m ** 3 / (t["median_ms"] / 1e3) / 1e12
        result["sgemm"] = t
        print("FP32 GEMM %d^3: %.3f ms = %.1f TFLOP/s" % (m, t["median_ms"], t["tflop_s"]))
        del A, B, C
    except Exception as e:
        result["ceilings_error"] = "%s: %s" % (type(e).__name__, e)
        print("FAIL ceilings: " + result["ceilings_error"])
    empty_cache()
    write(a.json, result)

    def manual(X, y, Y, W, b):
        Z = torch.addmm(b, X, W.t())
        logP = torch.log_softmax(Z, dim=1)
        ll = logP.gather(1, y[:, None]).sum(dtype=torch.float64)
        R = Y - logP.exp()
        return ll, R.t() @ X, R.sum(0)

    def autograd(X, y, Y, W, b):
        Wg = W.detach().requires_grad_(True)
        bg = b.detach().requires_grad_(True)
        loss = F.cross_entropy(torch.addmm(bg, X, Wg.t()), y, reduction="sum")
        loss.backward()
        return -loss.detach(), -Wg.grad, -bg.grad

    if a.quick:
        cases = [("binary", 100_000, 64), ("binary", 1_000_000, 64), ("dense", 100_000, 784)]
    else:
        # Largest last: when time runs short, they are the ones skipped.
        cases = [("binary", 1_000_000, 64), ("binary", 10_000_000, 64), ("dense", 1_000_000, 784),
                 ("binary", 100_000_000, 64), ("dense", 10_000_000, 784)]
    print("%-7s %10s %4s %3s %-9s %9s %9s %9s %11s %8s" % ("kind", "N", "D", "K", "version", "med ms", "min ms",
                                                          "max ms", "samples/s", "GB/s X"))
    for kind, n, d in cases:
        entry = {"kind": kind, "n": n, "d": d, "k": K}
        result["cases"].append(entry)
        x_bytes = 4 * n * d
        left = a.budget_s - (time.monotonic() - began)
        needed = 3 + x_bytes / 4e9  # GPU-side generation is fast; the timed runs dominate
        if left < needed:
            entry["skipped"] = "out of time (%.0f s left, ~%.0f s needed)" % (left, needed)
            print("SKIP %s N=%d: %s" % (kind, n, entry["skipped"]))
            write(a.json, result)
            continue
        try:
            g = torch.Generator(device=dev)
            g.manual_seed(1000 + n + (0 if kind == "binary" else 1))
            X = torch.empty(n, d, device=dev)
            step = max(1, (1 << 28) // d)  # generate in chunks of ~1 GiB of floats
            for i in range(0, n, step):
                j = min(n, i + step)
                if kind == "binary":
                    X[i:j] = (torch.rand(j - i, d, device=dev, generator=g) < DENSITY)
                else:
                    X[i:j] = torch.rand(j - i, d, device=dev, generator=g)
            y = torch.randint(0, K, (n,), device=dev, generator=g)
            Y = F.one_hot(y, K).float()
            W = 0.01 * torch.randn(K, d, device=dev, generator=g)
            b = 0.01 * torch.randn(K, device=dev, generator=g)
            if kind == "binary":
                entry["bit_density"] = float(X[: min(n, 1_000_000)].mean())
            versions = {}
            outputs = {}
            for name, fn in (("manual", manual), ("autograd", autograd)):
                try:
                    versions[name] = timed(lambda: fn(X, y, Y, W, b))
                    outputs[name] = fn(X, y, Y, W, b)
                except Exception as e:
                    versions[name] = {"error": "%s: %s" % (type(e).__name__, e)}
                empty_cache()
            try:
                if dry:
                    raise RuntimeError("no CUDA graphs in a CPU dry run")
                static = manual(X, y, Y, W, b)  # warm-up outside the capture (allocator, cuBLAS handles)
                torch.cuda.synchronize()
                graph = torch.cuda.CUDAGraph()
                with torch.cuda.graph(graph):
                    static = manual(X, y, Y, W, b)
                versions["graph"] = timed(graph.replay)
                del graph, static
            except Exception as e:
                versions["graph"] = {"error": "%s: %s" % (type(e).__name__, e)}
            empty_cache()
            entry["versions"] = versions
            # Sanity: L/N near -ln K (W is small) and the two gradients agree.
            if "manual" in outputs:
                ll, G, gb = outputs["manual"]
                entry["log_likelihood"] = float(ll)
                entry["ll_per_sample_ok"] = abs(float(ll) / n + math.log(K)) < 0.5
                if "autograd" in outputs:
                    G2 = outputs["autograd"][1]
                    entry["gradient_rel_diff_manual_vs_autograd"] = float((G - G2).norm() / G.norm())
            del outputs
            timed_ok = {k: v for k, v in versions.items() if "median_ms" in v}
            if timed_ok:
                best = min(timed_ok, key=lambda k: timed_ok[k]["median_ms"])
                entry["best"] = best
                entry["best_ms"] = timed_ok[best]["median_ms"]
                entry["samples_per_s"] = n / (entry["best_ms"] / 1e3)
            for name, v in versions.items():
                if "median_ms" in v:
                    v["samples_per_s"] = n / (v["median_ms"] / 1e3)
                    v["gb_s_x"] = x_bytes / (v["median_ms"] / 1e3) / 1e9
                    print("%-7s %10d %4d %3d %-9s %9.4f %9.4f %9.4f %11.3e %8.1f%s" % (
                        kind, n, d, K, name, v["median_ms"], v["min_ms"], v["max_ms"], v["samples_per_s"],
                        v["gb_s_x"], "  <- best" if name == entry.get("best") else ""))
                else:
                    print("%-7s %10d %4d %3d %-9s FAILED: %s" % (kind, n, d, K, name, v["error"]))
            if "gradient_rel_diff_manual_vs_autograd" in entry:
                print("        L/N = %.5f; |G_manual - G_autograd| / |G| = %.1e" % (
                    entry["log_likelihood"] / n, entry["gradient_rel_diff_manual_vs_autograd"]))
            del X, y, Y, W, b
        except Exception as e:
            entry["error"] = "%s: %s" % (type(e).__name__, e)
            print("FAIL %s N=%d: %s" % (kind, n, entry["error"]))
        empty_cache()
        write(a.json, result)
    result["seconds"] = time.monotonic() - began
    write(a.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
