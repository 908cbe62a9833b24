"""Experiments: imbalanced data, the four levers, learned vs hand-made features, side by side.
Display only: a run is `python -m model experiment ...` in a child process of this page's own
`Trainer` (the training lock keeps to one run at a time), its results the records of
`model.experiments`. No TensorFlow in this process."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from model import experiments, figures, handmade
from model.drawings import sample_drawing
from model.preprocess import preprocess_canvas
from model.serving.jobs import Trainer, TrainingBusy
from pages.chart_layout import FIT_WIDTH, LEGEND, SERIES_COLOURS
from pages.columns import wrapping_columns
from pages.entry import ensure_app_entry
from pages.experiment_tables import runs_table, runs_tables
from pages.flash import flash, show_flash
from pages.formatting import duration, percent
from pages.resources import store
from pages.training_progress import no_time, progress_fraction_and_text, show_other_run

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

SHARES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
DROPOUTS = [0.0, 0.1, 0.5, 0.7]
OTHER_ARCHS = ["seed_cnn", "mlp", "rnn"]


@st.cache_resource(show_spinner=False)
def runner() -> Trainer:
    """The experiments' own trainer: its job is not the Training page's, its lock is the same."""
    return Trainer(store())


@st.fragment(run_every=1.0)
def live_panel() -> None:
    job = runner().job
    if job is None or not job.running:
        st.rerun()
        return
    command = job.command  # ["experiment", KIND, ...]
    kind = command[1] if len(command) > 1 else "experiment"
    p = job.progress
    step = f"run {p['run']} of {p['runs']}: {p['label']}" if "run" in p else "starting"
    with st.container(border=True):
        line = st.container(horizontal=True, vertical_alignment="center")  # as Training's panel
        line.markdown(
            f"**{experiments.KINDS.get(kind, kind)}** in progress · {step}", width="stretch"
        )
        if line.button("Cancel", key="cancel_experiment", disabled=job.cancel_requested):
            job.cancel()
            st.rerun(scope="fragment")
        done, text = progress_fraction_and_text(  # no time left: it would be one run's only
            job, preparing="loading MNIST…", evaluating="scoring the test sets…", eta_text=no_time
        )
        overall = (p["run"] - 1 + done) / p["runs"] if "run" in p else 0.0
        st.progress(min(1.0, overall), text=text)


def start(kind: str, args: list[str]) -> None:
    try:
        runner().start(["experiment", kind, *args])
    except (TrainingBusy, OSError) as err:
        flash("experiments", "warning", f"Not started: {err}.")


def run_buttons(kind: str, args: list[str], busy: bool) -> None:
    for column, name in zip(st.columns(2), ("quick", "full"), strict=True):
        chosen, quick = experiments.PRESETS[kind][name], name == "quick"
        column.button(
            f"Run {name}",
            key=f"run_{kind}_{name}",
            type="primary" if quick else "secondary",
            disabled=busy,
            on_click=start,
            args=(kind, [*args, "--preset", name]),
            help=f"{chosen.subset:,} digits, {chosen.epochs} epochs a run",
        )


def chosen_record(kind: str) -> dict | None:
    records = experiments.Records(store().root)
    names = [n for n in records.names() if n.startswith(f"{kind}-")]
    if not names:
        st.caption("No results yet: run it once.")
        return None
    # Keyed by the newest record: a run that has just finished is shown at once.
    name = st.selectbox(
        "Results of", names, key=f"record_{kind}_{names[0]}", format_func=experiments.Records.title
    )
    try:
        record = records.load(name)
    except ValueError as err:
        st.warning(str(err), icon=":material/warning:")
        return None
    st.caption(f"{record.get('preset', '?')} preset · runs: {duration(record.get('seconds'))}")
    return record


@st.cache_data(show_spinner=False, max_entries=32)
def confusion_png(matrix: list, title: str) -> bytes:
    return figures.to_png(figures.confusion_figure(np.asarray(matrix), title, size=3.6))


def by_run(runs: list[dict]) -> alt.Color:
    """Colour by run, in the experiment's order."""
    scale = alt.Scale(range=SERIES_COLOURS)
    return alt.Color("run:N", sort=[run["label"] for run in runs], legend=LEGEND, scale=scale)


def imbalance_results(record: dict) -> None:
    digit, runs = record["params"]["digit"], record["runs"]
    # Wide enough for a label such as "Recall of 5: 5 cut, then oversampled", else wrapped.
    cells = wrapping_columns(len(runs), 240, key="imbalance_recalls")
    for cell, run in zip(cells, runs, strict=True):
        cell.metric(f"Recall of {digit}: {run['label']}", percent(run["recall"][digit]))
    rows = [(d, r, run["label"]) for run in runs for d, r in enumerate(run["recall"])]
    bars = alt.Chart(pd.DataFrame(rows, columns=["digit", "recall", "run"])).mark_bar()
    offset = alt.XOffset("run:N", sort=[run["label"] for run in runs])
    x = alt.X("digit:O", axis=alt.Axis(labelAngle=0, labelOverlap=False))  # all ten, upright
    bars = bars.encode(x=x, xOffset=offset, y="recall:Q", color=by_run(runs))
    st.altair_chart(bars.properties(height=220, autosize=FIT_WIDTH), width="stretch")
    said = "; ".join(f"{run['label']} {percent(run['recall'][digit])}" for run in runs)
    st.caption(f"Bar chart of every digit's recall on MNIST test, per run. Digit {digit}: {said}.")
    for column, run in zip(st.columns(len(runs)), runs, strict=True):
        row = np.asarray(run["confusion"][digit])
        others = np.where(np.arange(10) == digit, -1, row)
        most = f", most others as {others.argmax()}" if others.max() > 0 else ""
        column.image(
            confusion_png(run["confusion"], run["label"]),
            alt=f"Confusion matrix of the {run['label']} run on MNIST test: of {row.sum()} test "
            f"{digit}s, {row[digit]} read as {digit}{most}.",
        )
    runs_tables(record["runs"])


def curves(record: dict, metric: str, title: str) -> None:
    series = [(run["label"], run["history"].get(metric, [])) for run in record["runs"]]
    rows = [(e, v, label) for label, values in series for e, v in enumerate(values, start=1)]
    st.markdown(f"**{title}** per epoch")
    chart = alt.Chart(pd.DataFrame(rows, columns=["epoch", "value", "run"])).mark_line(point=True)
    y = alt.Y("value:Q", title=title, scale=alt.Scale(zero=False))
    chart = chart.encode(x="epoch:Q", y=y, color=by_run(record["runs"]))
    st.altair_chart(chart.properties(height=240, autosize=FIT_WIDTH), width="stretch")
    ends = [f"{r['label']} {r['history'][metric][-1]:.3g}" for r in record["runs"] if r["history"]]
    st.caption(f"Line chart of {title.lower()}, one line per run; last epoch: {'; '.join(ends)}.")


def levers_results(record: dict) -> None:
    curves(record, "val_accuracy", "Validation accuracy")
    curves(record, "loss", "Training loss")
    runs_tables(record["runs"])


@st.cache_data(show_spinner=False, max_entries=32)
def read_drawing(name: str, image: np.ndarray) -> dict[str, int]:
    return experiments.Records(store().root).read(name, image)


def features_results(record: dict) -> None:
    drawing = st.session_state.get("drawing")
    preprocessed = preprocess_canvas(drawing) if drawing is not None else None
    if preprocessed is None:
        st.info("Draw a digit on the Draw page to see each method read it; here, a sample 3.")
        preprocessed = preprocess_canvas(sample_drawing(3))
    image, answers = preprocessed.image, {}
    try:
        answers = read_drawing(record["name"], image)
    except ValueError as err:
        st.warning(str(err), icon=":material/warning:")
    runs_tables(record["runs"])
    if answers:
        reads = st.column_config.TextColumn(help="what it reads your drawing as")
        runs_table(
            record["runs"],
            {"reads": lambda run: str(answers.get(run["name"], "–"))},
            {"reads": reads},
        )
    left, right = st.columns(2)
    left.image(
        (np.clip(image, 0, 1) * 255).astype(np.uint8),
        width=168,
        caption="what the methods read",
        alt="Your drawing as the methods read it: 28×28 pixels, white on black.",
    )
    right.image(
        (handmade.hog_picture(image) * 255).astype(np.uint8),
        width=168,
        caption="what HOG measures: edge directions per 4×4 cell",
        alt="The drawing as HOG sees it: in each 4×4-pixel cell, short strokes along the "
        "directions of its edges, brighter where the edges are stronger.",
    )


st.title("Experiments")
st.caption("Three experiments, trained on real MNIST: a quick run takes about a minute.")
show_flash("experiments")
job = runner().job
busy = job is not None and job.running
if busy:
    live_panel()
elif job is not None and job.state == "done":
    took = duration(job.finished - job.started)  # the runs, and loading TensorFlow and MNIST
    st.success(f"Recorded {job.version}: {took} from the click to the record.")
elif job is not None:
    st.warning(job.message.capitalize())
other = not busy and show_other_run(
    lambda who: f"{who} is in progress; start one when it ends.", "experiment", runner()
)
busy = busy or other or not store().writable

imbalance, levers, features = st.tabs(list(experiments.KINDS.values()))
with imbalance:
    st.markdown(
        "Cut one digit to a small share of its training examples: seen so rarely, it is no longer "
        "answered, and its **recall** (its test digits read right) falls. Repeat its few examples "
        "until it weighs as before (oversampling, like a class weight): it recovers."
    )
    a, b = st.columns(2)
    digit = a.selectbox("Digit to cut", range(10), index=5)
    share = b.select_slider("Share kept", SHARES, value=0.05, format_func="{:.0%}".format)
    run_buttons("imbalance", ["--digit", str(digit), "--share", str(share)], busy)
    if record := chosen_record("imbalance"):
        imbalance_results(record)
with levers:
    st.markdown(
        "How do you improve a model? From one small baseline, pull each lever once: **more "
        "data** or **more epochs** (the same three times the training steps), **another "
        "architecture**, or another **dropout** rate (regularisation: the baseline's is 0.3)."
    )
    a, b = st.columns(2)
    other_arch = a.selectbox("Another architecture", OTHER_ARCHS)
    dropout = b.select_slider("Dropout of the regularisation run", DROPOUTS, value=0.0)
    run_buttons("levers", ["--arch", other_arch, "--dropout", str(dropout)], busy)
    if record := chosen_record("levers"):
        levers_results(record)
with features:
    st.markdown(
        "Deep or traditional learning? Traditional: a person chooses the features, such as "
        "**HOG** (histograms of edge directions), and a linear SVM learns from them; or the same "
        "SVM reads the raw pixels. Deep: a CNN learns its own features from the same digits."
    )
    run_buttons("features", [], busy)
    if record := chosen_record("features"):
        features_results(record)
