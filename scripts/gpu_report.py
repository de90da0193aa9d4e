#!/usr/bin/env python3
"""The last step of scripts/gpu-check.sh: merges the kernel timing (CudaKernelTiming's JSON), the PyTorch baseline
(torch_baseline.py's JSON) and the steps' exit codes into one JSON file, and prints the closing tables: our
evaluations against the limits, ours against PyTorch, and a PASS/FAIL line per target of issue 5. Standard library
only, so that it runs on any python3.

    python3 scripts/gpu_report.py --kernels K.json --torch T.json --steps steps.tsv --out gpu-check.json \
        [--emulator WHERE]

With --emulator (gpu-check.sh dry-run) the figures are the CPU emulator's: the report says so first and last, prints
them for the plumbing's sake, compares nothing with PyTorch and judges no target. Missing, empty or partial inputs
are reported as such; the JSON file is written whatever happens.
"""
import argparse
import datetime
import json
import os

BINARY_SPEEDUP = 3.0   # issue 5: at least 3x PyTorch on the binary case
DENSE_SPEEDUP = 1.0    # and not slower on the dense case
EMULATOR_NOTE = ("EMULATOR dry run: every figure comes from the CPU emulator of the CUDA driver, not from a GPU; "
                 "no target is judged")


def load(path):
    if not path or not os.path.exists(path):
        return None, "no file (the step did not run or wrote nothing)"
    try:
        with open(path) as f:
            return json.load(f), None
    except (OSError, ValueError) as e:
        return None, "unreadable: %s" % e


def to_int(text):
    try:
        return int(text)
    except ValueError:
        return None


def steps_of(path):
    """gpu-check.sh's steps.tsv: name, status, exit, seconds, limit, reason (tab-separated, reason optional)."""
    steps = []
    if path and os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 5:
                    continue
                entry = {"step": parts[0], "status": parts[1], "exit": parts[2], "seconds": to_int(parts[3]),
                         "limit_s": to_int(parts[4])}
                if len(parts) > 5 and parts[5]:
                    entry["reason"] = parts[5]
                steps.append(entry)
    return steps


def fmt(value, pattern="%.3f"):
    return "-" if value is None else pattern % value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernels")
    ap.add_argument("--torch")
    ap.add_argument("--steps")
    ap.add_argument("--out", required=True)
    ap.add_argument("--emulator", metavar="WHERE",
                    help="a dry run on the CPU emulator of the CUDA driver (WHERE: its folder): judge nothing")
    a = ap.parse_args()
    ours, ours_problem = load(a.kernels)
    torch, torch_problem = load(a.torch)
    report = {"generated_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "steps": steps_of(a.steps), "ours": ours, "torch": torch, "comparison": [], "targets": []}
    if ours_problem:
        report["ours_problem"] = ours_problem
    if torch_problem:
        report["torch_problem"] = torch_problem
    if a.emulator:
        report["emulator"] = a.emulator
        report["note"] = EMULATOR_NOTE
        print("== " + EMULATOR_NOTE)

    try:
        body(report, ours, ours_problem, torch, torch_problem, bool(a.emulator))
    except Exception as e:  # a missing key must not cost the JSON: write what was loaded, say what broke
        import traceback
        traceback.print_exc()
        report["report_error"] = "%s: %s" % (type(e).__name__, e)
        print("REPORT ERROR: %s (the raw results are in the JSON)" % report["report_error"])
    if a.emulator:
        print("== " + EMULATOR_NOTE)
    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=1, allow_nan=True)
    os.replace(tmp, a.out)
    return 0


def body(report, ours, ours_problem, torch, torch_problem, emulator):
    print("== steps (before this report)")
    for s in report["steps"]:
        print("  %-11s %-9s %4s s of %4s s (exit %s)%s" % (
            s["step"], s["status"], fmt(s["seconds"], "%d"), fmt(s["limit_s"], "%d"), s["exit"],
            "  " + s["reason"] if "reason" in s else ""))

    ours_cases = {}
    if ours:
        copy = ours.get("copy", {})
        print("== ours: one evaluation = fused kernel + reduce_partials, CUDA events, median of %s; fl = floor (ms):"
              " mem = X + labels / copy bw, fp32 = 4DK flop / FP32, sparse = set bits only" % ours.get("runs"))
        print("   %s" % ours.get("device"))
        print("   copy bandwidth %s GB/s (cuMemcpyDtoD, read + write); FP32 %s TFLOP/s (datasheet)"
              % (fmt(copy.get("used_gb_s"), "%.0f"), ours.get("fp32_tflop_s")))
        print("   %-7s %10s %4s %9s %9s %11s %8s %6s %10s %6s %10s %9s %9s %9s" % (
            "kind", "N", "D", "fused ms", "eval ms", "samples/s", "GB/s", "%copy", "GF/s 4DK", "%fp32", "GF/s done",
            "mem fl", "fp32 fl", "sparse fl"))
        for c in ours.get("cases", []):
            try:
                if "evaluation" not in c:
                    why = c.get("skipped") or c.get("error") or "not measured"
                    print("   %-7s %10s %4s  %s" % (c.get("kind"), c.get("n"), c.get("d"), why))
                    continue
                e = c["evaluation"]
                print("   %-7s %10d %4d %9.4f %9.4f %11.3e %8.1f %5.1f%% %10.1f %5.1f%% %10.1f %9.4f %9.4f %9s" % (
                    c["kind"], c["n"], c["d"], c["fused"]["median_ms"], e["median_ms"], e["samples_per_s"],
                    e["gb_s"], 100 * e["fraction_of_copy_bandwidth"], e["gflop_s_dense_equivalent"],
                    100 * e.get("fraction_of_fp32_dense_equivalent", float("nan")), e["gflop_s_done"],
                    e["memory_floor_ms"], e["fp32_floor_ms"], fmt(e.get("bit_sparse_floor_ms"), "%.4f")))
                ours_cases[(c["kind"], c["n"])] = c
            except (KeyError, TypeError, ValueError) as problem:  # a case cut short: say so, keep the others
                print("   %-7s %10s %4s  incomplete entry (%s: %s)" % (c.get("kind"), c.get("n"), c.get("d"),
                                                                     type(problem).__name__, problem))
            for problem in c.get("check_failures", []):
                print("     CHECK FAILED: %s" % problem)
        for c in ours.get("cases", []):
            r = c.get("reduce")
            if isinstance(r, dict) and "median_ms" in r and "gb_s" in r:
                print("   reduce_partials alone, %s N=%s (%s blocks x %s doubles): %.4f ms median, %.1f GB/s" % (
                    c.get("kind"), c.get("n"), ours.get("fused_grid_blocks"),
                    c["k"] * c["d"] + c["k"] + 2 if all(x in c for x in ("k", "d")) else "?",
                    r["median_ms"], r["gb_s"]))
        report["targets"].extend(ours.get("targets", []))
    else:
        print("== ours: %s" % ours_problem)
    if not (ours and ours.get("targets")):
        for name in ("binary D=64 K=10 N=1e8: one evaluation (fused + reduce) <= 10 ms",
                     "dense D=784 K=10 N=1e7: >= 70% of the bandwidth floor (X bytes / copy bandwidth)"):
            report["targets"].append({"name": name, "not_measured": "the kernel timing wrote no targets"})
    quick = bool(ours and ours.get("quick"))

    print("== PyTorch, %s, same run (best of manual / autograd / CUDA graph; FP32, TF32 off)"
          % ("on the CPU (a dry run of its script)" if emulator else "same GPU"))
    torch_cases = {}
    if torch is None:
        print("   %s" % torch_problem)
    elif "skipped" in torch:
        print("   SKIPPED: %s" % torch["skipped"])
    else:
        print("   torch %s on %s; its copy %s GB/s, FP32 GEMM %s TFLOP/s" % (
            torch.get("torch"), torch.get("device"),
            fmt(torch.get("copy", {}).get("gb_s_read_plus_write"), "%.0f"),
            fmt(torch.get("sgemm", {}).get("tflop_s"), "%.1f")))
        for c in torch.get("cases", []):
            if "best_ms" in c and "kind" in c and "n" in c:
                torch_cases[(c["kind"], c["n"])] = c

    if emulator:
        print("== ours vs PyTorch: not compared (the emulator's figures are the CPU's)")
        ours_cases, torch_cases = {}, {}
    else:
        print("== ours vs PyTorch (speed-up = PyTorch ms / our evaluation ms)")
        print("   %-7s %10s %10s %10s %-9s %9s %8s  %s" % ("kind", "N", "ours ms", "torch ms", "torch is",
                                                          "speed-up", "target", "verdict"))
    keys = sorted(set(ours_cases) | set(torch_cases), key=lambda k: (k[0], k[1]))
    for key in keys:
        kind, n = key
        target = BINARY_SPEEDUP if kind == "binary" else DENSE_SPEEDUP
        o = ours_cases.get(key)
        t = torch_cases.get(key)
        row = {"kind": kind, "n": n, "target_speedup": target}
        if o and t and o["evaluation"]["median_ms"] > 0:
            ours_ms = o["evaluation"]["median_ms"]
            speedup = t["best_ms"] / ours_ms
            row.update({"ours_ms": ours_ms, "torch_ms": t["best_ms"], "torch_version": t["best"],
                        "speedup": speedup, "pass": speedup >= target})
            print("   %-7s %10d %10.4f %10.4f %-9s %8.2fx %7.1fx  %s" % (kind, n, ours_ms, t["best_ms"], t["best"],
                                                                   speedup, target,
                                                                   "PASS" if speedup >= target else "FAIL"))
        else:
            row["not_measured"] = "ours" if not o else "torch"
            print("   %-7s %10d %10s %10s %-9s %9s %7.1fx  not measured by %s" % (
                kind, n, fmt(o and o["evaluation"]["median_ms"], "%.4f"), fmt(t and t["best_ms"], "%.4f"), "-", "-",
                target, row["not_measured"]))
        report["comparison"].append(row)

    for kind, target in (("binary", BINARY_SPEEDUP), ("dense", DENSE_SPEEDUP)):
        rows = [r for r in report["comparison"] if r["kind"] == kind and "speedup" in r]
        name = "%s: at least %.0fx PyTorch at every N measured by both" % (kind, target) if kind == "binary" \
            else "dense: not slower than PyTorch at every N measured by both"
        entry = {"name": name}
        if emulator:
            entry["not_measured"] = "emulator run: CPU figures, not judged"
        elif quick:
            entry["not_measured"] = "quick run: small sizes, not judged"
        elif rows:
            entry["pass"] = all(r["pass"] for r in rows)
            entry["speedups"] = {str(r["n"]): r["speedup"] for r in rows}
        else:
            entry["not_measured"] = "no N measured by both"
        report["targets"].append(entry)

    if emulator:
        for t in report["targets"]:
            if "pass" in t:  # CudaKernelTiming judges what it measured; on the emulator nothing is judged
                t["emulator_figure_not_judged"] = t.pop("pass")
                t["not_measured"] = "emulator run: CPU figures, not judged"
    print("== targets (issue 5)%s" % (": none judged, the figures are the emulator's" if emulator else ""))
    met = 0
    measured = 0
    for t in report["targets"]:
        if "pass" in t:
            measured += 1
            met += 1 if t["pass"] else 0
            detail = ""
            if "value_ms" in t and "fraction" in t:
                detail = " (%.3f ms, %.1f%% of the bandwidth floor %.3f ms)" % (t["value_ms"], 100 * t["fraction"],
                                                                              t["floor_ms"])
            elif "value_ms" in t:
                detail = " (%.3f ms)" % t["value_ms"]
            elif "speedups" in t:
                detail = " (" + ", ".join("N=%s: %.2fx" % kv for kv in t["speedups"].items()) + ")"
            print("   %s  %s%s" % ("PASS" if t["pass"] else "FAIL", t["name"], detail))
        else:
            print("   ----  %s: NOT MEASURED (%s)" % (t["name"], t.get("not_measured", "?")))
    report["targets_met"] = met
    report["targets_measured"] = measured
    report["targets_total"] = len(report["targets"])
    if emulator:
        print("   no target judged: an emulator run")
    else:
        print("   %d of %d targets met (%d measured)" % (met, len(report["targets"]), measured))


if __name__ == "__main__":
    raise SystemExit(main())
