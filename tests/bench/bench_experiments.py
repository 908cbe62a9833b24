"""Benchmark the experiments' presets: each one's wall and CPU time, and its figures.

    .venv/bin/python tests/bench/bench_experiments.py                  # the three quick presets
    .venv/bin/python tests/bench/bench_experiments.py --preset full    # many minutes
    .venv/bin/python tests/bench/bench_experiments.py levers           # one of them

Not a test: it prints figures, the last line one JSON object with all of them. Each experiment
runs as a user runs it, `python -m model experiment ...` in a fresh process (its wall time
includes starting Python, TensorFlow and loading MNIST), in a temporary model store. The
machine's load average is printed with the figures: on a shared machine, compare runs only at
similar loads.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARGS = {
    "imbalance": ["--digit", "5", "--share", "0.05"],
    "levers": ["--arch", "seed_cnn", "--dropout", "0"],
    "features": [],
}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(kind: str, preset: str, store: Path) -> dict:
    command = [sys.executable, "-m", "model", "--store", str(store), "experiment", kind]
    command += [*ARGS[kind], "--preset", preset]
    load = os.getloadavg()[0]
    cpu, started = children_cpu(), time.perf_counter()
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{result.stderr[-2000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "load": round(load, 1), **figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", default=list(ARGS), choices=list(ARGS))
    parser.add_argument("--preset", default="quick", choices=["quick", "full", "tiny"])
    args = parser.parse_args()
    measured = {}
    with tempfile.TemporaryDirectory(prefix="bench-experiments-") as store:
        for kind in args.kinds:
            measured[kind] = run(kind, args.preset, Path(store))
            one = measured[kind]
            print(
                f"{kind} ({args.preset}): {one['wall_s']} s wall, {one['cpu_s']} s CPU, "
                f"load {one['load']}: {json.dumps(one['accuracy'])}",
                flush=True,
            )
    print(json.dumps({"preset": args.preset, **measured}))


if __name__ == "__main__":
    main()
