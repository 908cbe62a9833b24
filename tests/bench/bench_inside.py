"""Benchmark the Inside the CNN page with its explanation lab, and the nearest-digit search.

    .venv/bin/python tests/bench/bench_inside.py              # 10 new drawings per network
    .venv/bin/python tests/bench/bench_inside.py -n 20 --versions default rnn

Not a test: it prints figures, the last line one JSON object with all of them.

- page compute time for a new drawing: the page run under Streamlit's AppTest (the whole script:
  preprocessing, filters, feature maps, heat maps and the lab's open tab, pictures rendered to
  PNG) after a new drawing arrives from the Draw page, with the version's per-version parts
  (index of training digits, map, prototypes) already built, as they are after the first visit.
  The first paint shows the lab's first tab; each other tab is timed when opened for a new
  drawing too. Browser rendering is not included (see bench_app.py for that).
- nearest training digits: `model.embedding.nearest` for MNIST test digits (embedding the
  drawing and searching the 60,000), per network.
- building the per-version parts, when they are not on disk yet, is printed as it happens.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import numpy as np  # noqa: E402

from tests.browser import spread  # noqa: E402

VERSIONS = ("default", "seed_cnn", "mlp", "rnn")


def canvas_drawings(count: int) -> list[np.ndarray]:
    """`count` different drawings as the canvas hands them over (280x280 RGBA)."""
    from model.drawings import make_canvas_digits

    images, _ = make_canvas_digits(max(1, count // 10 + 1), seed=11)
    picked = images[np.random.default_rng(0).permutation(len(images))[:count]]
    return [np.dstack([g, g, g, np.full_like(g, 255)]) for g in picked]


def time_nearest(version_name: str, queries: int = 100) -> dict:
    from model import embedding
    from model.data import load_mnist
    from model.serving.inference import Predictor
    from model.serving.store import ModelStore

    version = ModelStore().get(version_name)
    network = Predictor.from_version(version).network
    start = time.perf_counter()
    index = embedding.training_index(network, version)
    loaded = time.perf_counter() - start
    images = load_mnist().x_test[:queries].astype(np.float32) / 255
    embedding.nearest(network, index, images[0])  # compile
    times = []
    for image in images:
        start = time.perf_counter()
        embedding.nearest(network, index, image)
        times.append((time.perf_counter() - start) * 1000)
    return {"index_ready_s": round(loaded, 2), "query_ms": spread(times)}


def time_page(version_name: str, drawings: list[np.ndarray]) -> dict:
    from streamlit.testing.v1 import AppTest

    from model.serving.store import ModelStore
    from pages import explanation_lab

    store = ModelStore()
    if version_name != "default":
        store.activate(version_name)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/inside.py")
    start = time.perf_counter()
    at.run()
    for label in explanation_lab.TABS[1:]:  # build every per-version part once
        at.session_state[explanation_lab.TAB_KEY] = label
        at.run()
    print(f"{version_name}: first visit, all tabs, {time.perf_counter() - start:.1f} s", flush=True)
    figures: dict[str, list[float]] = {label: [] for label in explanation_lab.TABS}
    tabs = len(explanation_lab.TABS)
    for index, drawing in enumerate(drawings):  # every drawing new to the page
        label = explanation_lab.TABS[index % tabs]
        at.session_state[explanation_lab.TAB_KEY] = label
        at.session_state["drawing"] = drawing
        start = time.perf_counter()
        at.run()
        figures[label].append((time.perf_counter() - start) * 1000)
        if at.exception:
            raise RuntimeError([e.value for e in at.exception])
    return {label: spread(times) for label, times in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10, help="new drawings per network and tab")
    parser.add_argument("--versions", nargs="+", default=list(VERSIONS))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["DIGIT_STUDIO_HOME"] = tempfile.mkdtemp(prefix="bench-inside-")
    from pages.explanation_lab import TABS

    drawings = canvas_drawings(args.n * len(TABS))
    results = {"load": os.getloadavg()[0], "versions": {}}
    for name in args.versions:
        near = time_nearest(name)
        page = time_page(name, drawings)
        results["versions"][name] = {"nearest": near, "page_ms": page}
        print(
            f"{name}: nearest digits {near['query_ms']['median']} ms median "
            f"(p95 {near['query_ms']['p95']}); page for a new drawing, first tab "
            f"{page[next(iter(page))]['median']} ms median (p95 {page[next(iter(page))]['p95']})",
            flush=True,
        )
        for label, figure in page.items():
            print(f"    {label:>26}: {figure['median']} ms median, p95 {figure['p95']}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
