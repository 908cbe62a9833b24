"""Benchmark the real app in headless Chromium: first page, stroke → prediction, server memory.

    .venv/bin/python tests/bench/bench_app.py            # 20 drawings
    .venv/bin/python tests/bench/bench_app.py -n 40 --label after
    .venv/bin/python tests/bench/bench_app.py --compare /tmp/old-checkout   # A/B, interleaved

Not a test: it prints figures, the last line one JSON object with all of them.

- first page ready: from launching `streamlit run app.py` to the Draw page's canvas painted in
  Chromium (the server's health check and the page's own share are reported too);
- stroke → prediction: for N drawings of alternating digits, from the pen's `mouseup` to the
  "Prediction" metric showing the new value, timed inside the page (a capturing mouseup listener
  and a MutationObserver, both on `performance.now()`); "settled" is the last change to the page
  the stroke caused, and "long tasks" the main-thread tasks over 50 ms in between (rendering);
  the canvas is cleared between drawings, and clearing is timed on its own (from the click on
  Clear to the readout showing "no prediction");
- the server's resident memory after the first page and after the N drawings.

The machine's load average is printed with the figures: on a shared machine, compare runs only
at similar loads.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.browser import (  # noqa: E402
    METRIC_JS,
    NO_PREDICTION,
    ONE_STROKE,
    chromium,
    click_clear,
    digit_strokes,
    draw_strokes,
    new_page,
    rss_mb,
    run_app,
    spread,
    wait_for_canvas,
    wait_until_idle,
)

DIGITS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)

# Installed once per page: records, per armed stroke, when the pen was lifted, when the metric
# changed, when the page last changed, and the long tasks in between.
TIMER_JS = f"""() => {{
    const metric = {METRIC_JS};
    const bench = (window.__bench = {{ up: null, armed: false, longTasks: [], clearArmed: false,
                                        clicked: null, cleared: null }});
    window.addEventListener('click', () => {{
        if (!bench.clearArmed) return;
        bench.clearArmed = false;
        bench.clicked = performance.now();
        bench.cleared = null;
    }}, true);
    window.addEventListener('mouseup', () => {{
        if (!bench.armed) return;
        bench.armed = false;
        bench.up = performance.now();
        bench.before = metric('Prediction');
        bench.updated = null;
        bench.value = null;
        bench.last = bench.up;
    }}, true);
    new MutationObserver(() => {{
        const now = performance.now();
        if (bench.clicked !== null && bench.cleared === null
            && metric('Prediction') === '{NO_PREDICTION}') {{
            bench.cleared = now;
        }}
        if (bench.up === null) return;
        bench.last = now;
        if (bench.updated === null) {{
            const value = metric('Prediction');
            if (value !== null && value !== bench.before) {{
                bench.updated = now;
                bench.value = value;
            }}
        }}
    }}).observe(document.body, {{ subtree: true, childList: true, characterData: true,
                                 attributes: true }});
    try {{
        new PerformanceObserver((list) => {{
            for (const e of list.getEntries()) bench.longTasks.push([e.startTime, e.duration]);
        }}).observe({{ type: 'longtask', buffered: false }});
    }} catch (err) {{}}
}}"""

ARM_JS = """() => { Object.assign(window.__bench, { armed: true, up: null, updated: null,
                                                   longTasks: [] }); }"""
ARM_CLEAR_JS = """() => { Object.assign(window.__bench, { clearArmed: true, clicked: null,
                                                         cleared: null, up: null }); }"""
# From the click on Clear to the readout showing "no prediction".
CLEARED_JS = "() => window.__bench.cleared - window.__bench.clicked"

RESULT_JS = """() => {
    const b = window.__bench;
    const busy = b.longTasks.filter(([start]) => start >= b.up && start <= b.last)
        .reduce((sum, [, duration]) => sum + duration, 0);
    return { up: b.up, updated: b.updated, last: b.last, value: b.value, longTasks: busy };
}"""


def summary(values: list[float]) -> dict:
    return {**spread(values), "mean": round(statistics.fmean(values), 1)}


class Target:
    """One app server and the page drawing on it, with the figures gathered so far."""

    def __init__(self, name: str, server, page, first_page_s: float, health_s: float, load_s):
        self.name, self.server, self.page = name, server, page
        self.first_page_s, self.health_s, self.page_load_s = first_page_s, health_s, load_s
        self.rss_start = rss_mb(server.pid)
        self.latencies: list[float] = []
        self.settles: list[float] = []
        self.busy: list[float] = []
        self.clears: list[float] = []
        self.wrong: list[tuple[int, str]] = []
        page.evaluate(TIMER_JS)

    def draw(self, digit: int, record: bool, number: int) -> None:
        page = self.page
        page.evaluate(ARM_JS)
        draw_strokes(page, digit_strokes(digit, ONE_STROKE[digit]))
        page.wait_for_function("() => window.__bench.updated !== null", timeout=60_000)
        wait_until_idle(page, timeout=60, settle=0.3)
        result = page.evaluate(RESULT_JS)
        page.evaluate(ARM_CLEAR_JS)
        click_clear(page, timeout=60)
        clear_ms = page.evaluate(CLEARED_JS)
        if not record:
            return
        latency = result["updated"] - result["up"]
        self.latencies.append(latency)
        self.settles.append(result["last"] - result["up"])
        self.busy.append(result["longTasks"])
        self.clears.append(clear_ms)
        if result["value"] != str(digit):
            self.wrong.append((digit, result["value"]))
        print(
            f"  {self.name:>8} {number:3d}: drew {digit} → {result['value']}  {latency:7.1f} ms  "
            f"(settled {result['last'] - result['up']:7.1f} ms, long tasks "
            f"{result['longTasks']:6.1f} ms, Clear {clear_ms:6.0f} ms)"
        )

    def figures(self, total: int) -> dict:
        stroke, settled = summary(self.latencies), summary(self.settles)
        rss_end = rss_mb(self.server.pid)
        print(f"{self.name}:")
        print(
            f"  first page ready  {self.first_page_s:.2f} s after `streamlit run` (server healthy "
            f"after {self.health_s:.2f} s, page {self.page_load_s:.2f} s)"
        )
        print(
            f"  stroke → prediction over {len(self.latencies)} drawings: median "
            f"{stroke['median']} ms, p95 {stroke['p95']} ms, min {stroke['min']} ms, "
            f"max {stroke['max']} ms"
        )
        print(
            f"  stroke → page settled: median {settled['median']} ms, p95 {settled['p95']} ms; "
            f"long tasks median {statistics.median(self.busy):.1f} ms"
        )
        print(f"  Clear → no prediction: median {statistics.median(self.clears):.0f} ms")
        print(
            f"  server RSS {self.rss_start:.0f} MiB after the first page, {rss_end:.0f} MiB "
            f"after {total} drawings; misread: {self.wrong or 'none'}"
        )
        return {
            "first_page_ready_s": round(self.first_page_s, 2),
            "server_healthy_s": round(self.health_s, 2),
            "page_load_s": round(self.page_load_s, 2),
            "stroke_to_prediction_ms": stroke,
            "stroke_to_settled_ms": settled,
            "long_tasks_ms_median": round(statistics.median(self.busy), 1),
            "clear_ms": summary(self.clears),
            "drawings": len(self.latencies),
            "misread": len(self.wrong),
            "rss_mb_after_start": round(self.rss_start),
            "rss_mb_after_drawings": round(rss_end),
        }


@contextlib.contextmanager
def start(name: str, browser, root: Path, env: dict[str, str]):
    """Launch the app from `root`, open its Draw page in a fresh context; yield a Target."""
    page = new_page(browser)
    try:
        with run_app(env=env, root=root) as server:
            health_s = time.perf_counter() - server.started
            goto = time.perf_counter()
            page.goto(server.url)
            wait_for_canvas(page, timeout=120)
            ready = time.perf_counter()
            wait_until_idle(page, timeout=60)
            yield Target(name, server, page, ready - server.started, health_s, ready - goto)
    finally:
        page.context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--drawings", type=int, default=20, help="drawings to time")
    parser.add_argument("--warmup", type=int, default=2, help="untimed drawings first")
    parser.add_argument("--label", default="", help="a name for this run, in the JSON")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the server, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="CHECKOUT",
        help="another copy of the repository (an older pages/draw.py, say) to serve side by "
        "side: drawings alternate between the two apps, so both see the same machine load",
    )
    parser.add_argument(
        "--compare-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the compared server only (with --compare; pass --compare . "
        "to compare this checkout with itself under another setting)",
    )
    args = parser.parse_args()
    server_env = dict(item.split("=", 1) for item in args.server_env)
    compare_env = {**server_env, **dict(item.split("=", 1) for item in args.compare_env)}

    load_before = os.getloadavg()[0]
    total = args.warmup + args.drawings
    figures = {"label": args.label, "server_env": server_env}
    with contextlib.ExitStack() as stack:
        browser = stack.enter_context(chromium())
        targets = [stack.enter_context(start("this", browser, REPO_ROOT, server_env))]
        if args.compare:
            compared = start("compare", browser, args.compare.resolve(), compare_env)
            targets.append(stack.enter_context(compared))
        for i in range(total):
            digit = DIGITS[i % len(DIGITS)]
            for target in targets:
                target.draw(digit, record=i >= args.warmup, number=i - args.warmup + 1)
        for target in targets:
            figures[target.name] = target.figures(total)
    if args.compare:
        pairs = [b - a for a, b in zip(targets[0].latencies, targets[1].latencies, strict=True)]
        figures["compare_minus_this_ms_median"] = round(statistics.median(pairs), 1)
        figures["compare_path"] = str(args.compare)
        figures["compare_env"] = compare_env
        print(
            "stroke → prediction, compare minus this, drawing by drawing: median "
            f"{statistics.median(pairs):.1f} ms"
        )
    load_after = os.getloadavg()[0]
    print(f"load average {load_before:.1f} → {load_after:.1f} on {os.cpu_count()} CPUs")
    figures["load_average"] = [round(load_before, 1), round(load_after, 1)]
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
