"""Training: the active model's curves and metadata, its versions, and retraining in the background.

Only display here: training runs in a child process (`model.serving.jobs.Trainer`), versions live in
the store (`model.serving.store.ModelStore`). While a run is going, one fragment refreshes itself
every second with the job's progress; the rest of the page, and every other page and session, stays
responsive.
"""

from __future__ import annotations

import time

import altair as alt
import pandas as pd
import streamlit as st

from model.serving.jobs import TrainingBusy, TrainingJob
from model.serving.store import StoreError, Version
from model.train_config import (
    ARCHITECTURES,
    BFLOAT16_ARCHS,
    NONDIGITS_MIX,
    TrainConfig,
    native_bfloat16,
)
from pages.entry import ensure_app_entry
from pages.flash import activate, flash, show_flash
from pages.formatting import created_text, duration, percent, plain
from pages.resources import active_predictor, store, trainer
from pages.training_progress import live_training_panel, other_run_notice, pid_text

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

BATCH_SIZES = [32, 64, 128, 256]
LEARNING_RATES = [3e-4, 1e-3, 2e-3, 3e-3]
TRAIN_SIZES = {
    "Quick demo (2,000 digits)": 2000,
    "Medium (10,000)": 10000,
    "Full (55,000)": None,
}
# The command line's defaults, but a quick run: a first click should finish in seconds.
FORM_START = TrainConfig(subset=TRAIN_SIZES["Quick demo (2,000 digits)"])
SERIES_COLORS = {"train": "#4C78A8", "validation": "#F58518"}


def curve_description(title: str, rows: list[dict]) -> str:
    """A training curve in words: each series' first and last value."""
    said = []
    for series in ("train", "validation"):
        values = [row["value"] for row in rows if row["series"] == series]
        if values:
            said.append(
                f"{series} from {values[0]:.4g} at epoch 1 to {values[-1]:.4g} at epoch "
                f"{len(values)}"
            )
    return f"Line chart of {title.lower()} per epoch: " + "; ".join(said) + "."


def curve_charts(history: dict, height: int = 260) -> None:
    """Loss and accuracy per epoch, train vs validation, side by side (numbers for one epoch)."""
    epochs = len(history.get("loss", []))
    if epochs == 1:  # a line needs two points: show the numbers instead
        st.markdown("**After one epoch**")
        labels = {
            "loss": "Train loss",
            "val_loss": "Validation loss",
            "accuracy": "Train accuracy",
            "val_accuracy": "Validation accuracy",
        }
        for column, (key, label) in zip(st.columns(4), labels.items(), strict=True):
            values = history.get(key) or [None]
            value = values[-1]
            text = "–" if value is None else (percent(value) if "acc" in key else f"{value:.4f}")
            column.metric(label, text)
        return
    left, right = st.columns(2, gap="large")
    for column, metric, title in ((left, "loss", "Loss"), (right, "accuracy", "Accuracy")):
        rows = [
            {"epoch": epoch, "value": value, "series": series}
            for series, key in (("train", metric), ("validation", f"val_{metric}"))
            for epoch, value in enumerate(history.get(key, []), start=1)
        ]
        with column:
            st.markdown(f"**{title}** per epoch, train vs validation")
            if not rows:
                st.caption("No epochs yet.")
                continue
            y_title = "cross-entropy loss" if metric == "loss" else "accuracy"
            y_axis = alt.Axis(title=y_title, format=".0%" if metric == "accuracy" else ".2f")
            colors = alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values()))
            chart = (
                alt.Chart(pd.DataFrame(rows))
                .mark_line(point=True)
                .encode(
                    x=alt.X(
                        "epoch:Q",
                        title="epoch",
                        scale=alt.Scale(domain=[1, max(row["epoch"] for row in rows)], nice=False),
                        axis=alt.Axis(format="d", tickMinStep=1),
                    ),
                    y=alt.Y("value:Q", axis=y_axis, scale=alt.Scale(zero=False)),
                    color=alt.Color(
                        "series:N", title=None, scale=colors, legend=alt.Legend(orient="top")
                    ),
                    tooltip=[
                        "epoch:Q",
                        "series:N",
                        alt.Tooltip("value:Q", title=metric, format=".4f"),
                    ],
                )
                .properties(height=height, description=curve_description(title, rows))
            )
            st.altair_chart(chart, width="stretch")


# ── 1. the active model ────────────────────────────────────────────────────────────────────────


def active_model_section(version: Version) -> None:
    meta, config = version.meta, version.meta.get("config", {})
    st.subheader(f"Active model: {version.name}")
    cells = [
        ("Architecture", meta.get("arch", "?"), None),
        ("Parameters", f"{meta['params']:,}" if "params" in meta else "–", None),
        ("MNIST test accuracy", percent(meta.get("test_accuracy")), "on the 10,000 test digits"),
    ]
    if "drawings_accuracy" in meta:
        cells.append(
            ("Drawings accuracy", percent(meta["drawings_accuracy"]), "on canvas-like drawings")
        )
    if "nondigits_rejected" in meta:
        cells.append(
            (
                "Non-digits rejected",
                percent(meta["nondigits_rejected"]),
                'drawn non-digits of kinds it never trained on, answered "not a digit"',
            )
        )
    spe = meta.get("seconds_per_epoch")
    cells.append(
        (
            "Training time",
            duration(meta.get("wall_seconds")),
            f"{spe:.1f} s per epoch" if spe is not None else None,
        )
    )
    # Three cards a row: five in one row cut "studio_cnn" and "99.50%" short at 1280 px.
    for start in range(0, len(cells), 3):
        row = cells[start : start + 3]
        for column, (label, value, help_text) in zip(st.columns(3), row, strict=False):
            column.metric(label, value, help=help_text, border=True)

    subset = config.get("subset")
    facts = [
        f"**{config.get('epochs', '?')}** epoch{'' if config.get('epochs') == 1 else 's'}",
        f"batch **{config.get('batch_size', '?')}**",
        f"lr **{config.get('learning_rate', '?')}** ({config.get('schedule', 'constant')})",
        "**augmented**" if config.get("augment") else "no augmentation",
        f"**{meta.get('train_size', subset or 0):,}** training digits",
        f"trained in **{meta.get('precision', 'float32')}**",
        f"**{config.get('nondigits', 0):,}** drawn non-digits",
        f"created {created_text(meta)}",
    ]
    libs = meta.get("versions", {})
    if libs:
        facts.append(" / ".join(f"{k} {v}" for k, v in libs.items()))
    st.caption(" · ".join(facts))

    try:
        history = version.history()
    except StoreError as err:
        st.warning(plain(f"No training curves: {err}"))
    else:
        curve_charts(history)
    with st.expander("All metadata (JSON)"):
        st.json(meta, expanded=True)


# ── 2. versions ────────────────────────────────────────────────────────────────────────────────


def versions_section(serving: str) -> None:
    st.subheader("Versions")
    show_flash("versions")
    active = store().active_name()
    versions = store().list()
    rows = []
    for v in versions:
        meta = v.meta
        status = "active" if v.name == active else ""
        if v.problem:
            status = f"broken: {v.problem}"
        rows.append(
            {
                "name": v.name,
                "status": status,
                "architecture": meta.get("arch", "?"),
                "test accuracy": (100 * meta["test_accuracy"] if "test_accuracy" in meta else None),
                "epochs": meta.get("config", {}).get("epochs"),
                "train size": meta.get("train_size"),
                "created": created_text(meta),
                "shipped": v.shipped,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "test accuracy": st.column_config.NumberColumn(format="%.2f%%"),
            "train size": st.column_config.NumberColumn(format="%d"),
            "shipped": st.column_config.CheckboxColumn(help="ships with the app (read-only)"),
        },
    )
    for v in versions:
        if v.problem:
            st.error(
                f"Version **{v.name}** is broken and cannot be used: {plain(v.problem)}",
                icon=":material/broken_image:",
            )
    if serving != active:
        st.warning(f"The active version {active} cannot be used; the app is serving {serving}.")

    healthy = [v for v in versions if not v.problem]
    names = [v.name for v in healthy]
    by_name = {v.name: v for v in healthy}

    def label(name: str) -> str:
        meta = by_name[name].meta
        tags = [meta.get("arch", "?"), percent(meta.get("test_accuracy"))]
        if by_name[name].shipped:
            tags.append("shipped")
        if name == active:
            tags.append("active")
        return f"{name}  ({', '.join(tags)})"

    writable = store().writable
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    choice = left.selectbox(
        "Version to serve",
        names,
        index=names.index(active) if active in names else 0,
        format_func=label,
        key=f"version_choice-{active}",  # a fresh widget, on the active one, after a change
        help="Activating changes the model for every session of the app.",
    )
    if right.button(
        "Activate",
        key="activate_version",
        type="primary",
        disabled=not writable or choice is None,
        width="stretch",
    ):
        if choice == active:
            flash("versions", "info", f"{choice} is already active.")
        else:
            activate(choice, "versions")
        st.rerun()
    if not writable:
        st.caption(f"The model store {store().root} is read-only: activation is off.")


# ── 3 & 4. retraining ──────────────────────────────────────────────────────────────────────────


def retrain_form() -> None:
    other = trainer().lock.holder()
    if other is not None:
        other_run_notice(
            other,
            lambda pid: (
                f"Another training run{pid_text(pid)}, from the command line or another app "
                "server, is in progress; you can retrain once it has finished."
            ),
        )
    # Widgets that were not drawn (the form hides while a run goes) lose their state: keep the
    # user's last run in plain session state and start the widgets from it.
    last: TrainConfig = st.session_state.get("retrain_config", FORM_START)
    sizes = list(TRAIN_SIZES)
    with st.form("retrain"):
        st.markdown(
            "Train a new version from scratch. It is stored but not served until you "
            "activate it; the app keeps predicting with the active model meanwhile."
        )
        arch = st.selectbox(
            "Architecture",
            list(ARCHITECTURES),
            index=list(ARCHITECTURES).index(last.arch),
            format_func=lambda a: f"{a}: {ARCHITECTURES[a]}",
            key="retrain_arch",
        )
        a, b = st.columns(2)
        epochs = a.slider("Epochs", 1, 30, last.epochs, key="retrain_epochs")
        batch = b.select_slider(
            "Batch size", BATCH_SIZES, value=last.batch_size, key="retrain_batch"
        )
        a, b = st.columns(2)
        lr = a.selectbox(
            "Learning rate",
            LEARNING_RATES,
            index=LEARNING_RATES.index(last.learning_rate),
            format_func=lambda r: f"{r:g}",
            key="retrain_lr",
            help="the starting rate; it decays to zero along a cosine",
        )
        size = b.radio(
            "Training set",
            sizes,
            index=list(TRAIN_SIZES.values()).index(last.subset),
            key="retrain_size",
        )
        augment = st.checkbox(
            "Augment (shift, rotate, scale, thicken the digits)",
            value=last.augment,
            key="retrain_augment",
            help="slower to learn MNIST, but reads hand-drawn digits better",
        )
        nondigits = st.checkbox(
            f'Teach it "not a digit" ({NONDIGITS_MIX:,} drawn letters, symbols, shapes, scribbles)',
            value=last.nondigits > 0,
            key="retrain_nondigits",
            help="without them, a network answers every drawing with a digit: a heart is a 0",
        )
        st.caption(precision_note())
        submitted = st.form_submit_button(
            "Retrain",
            type="primary",
            icon=":material/model_training:",
            key="retrain_submit",
            disabled=other is not None,
        )
    if submitted:
        config = TrainConfig(
            arch=arch,
            epochs=epochs,
            batch_size=batch,
            learning_rate=lr,
            augment=augment,
            subset=TRAIN_SIZES[size],
            nondigits=NONDIGITS_MIX if nondigits else 0,
        )
        st.session_state["retrain_config"] = config
        try:
            trainer().start(config.check().cli_args())
        except TrainingBusy as err:
            flash("retrain", "warning", f"Not started: {err}.")
        except OSError as err:
            flash("retrain", "error", f"Could not start training: {err}")
        st.rerun()


def precision_note() -> str:
    """What arithmetic a run will train in on this machine (`model.train_config`)."""
    cnns = " and ".join(BFLOAT16_ARCHS)
    if native_bfloat16():
        return (
            f"This CPU multiplies bfloat16 in hardware, so {cnns} train in mixed bfloat16 "
            "(16-bit arithmetic, 32-bit weights: the same accuracy, faster); the others in "
            "float32."
        )
    return "This CPU has no bfloat16 hardware: every network trains in float32."


def job_summary(job: TrainingJob) -> str:
    c = job.config
    if not c:
        return ""
    size = f"{c['subset']:,}" if c.get("subset") else "55,000"
    epochs = c.get("epochs", 0)
    return (
        f"`{c.get('arch')}` on {size} digits · {epochs} epoch{'s' if epochs != 1 else ''} · "
        f"batch {c.get('batch_size')} · lr {c.get('learning_rate', 0):g} · "
        + ("augmented" if c.get("augment") else "no augmentation")
    )


def live_figures(job: TrainingJob) -> None:
    """Below the progress bar: the latest batch's figures and the curves so far."""
    p = job.progress
    cells = st.columns(4)
    cells[0].metric("Elapsed", duration(time.time() - job.started))
    cells[1].metric("Batch loss", f"{p['loss']:.4f}" if "loss" in p else "–")
    cells[2].metric("Batch accuracy", percent(p.get("accuracy")) if p else "–")
    val = job.history.get("val_accuracy", [])
    cells[3].metric("Validation accuracy", percent(val[-1]) if val else "–")
    if job.history:
        curve_charts(job.history, height=220)
    else:
        st.caption("The curves appear here after the first epoch.")


def live_job() -> None:
    """The running job's panel, refreshed every second; the page reruns once the run ends."""
    live_training_panel(
        heading=lambda job, state: f"**Training in progress** · {state}  \n{job_summary(job)}",
        cancel_key="cancel_training",
        cancel_icon=":material/close:",
        preparing="loading MNIST and building the network…",
        evaluating="training done · evaluating on the 10,000 MNIST test digits…",
        eta_text=lambda eta: f" · ETA {duration(eta)}",
        figures=live_figures,
    )


def finished_job(job: TrainingJob) -> None:
    """The outcome of the latest run in this server process, until dismissed."""
    if st.session_state.get("dismissed_job") == job.started:
        return
    took = duration((job.finished or time.time()) - job.started)
    is_active = store().active_name() == job.version
    with st.container(border=True):
        if job.state == "done":
            st.success(
                f"Trained version **{job.version}** in {took} · MNIST test accuracy "
                f"**{percent(job.test_accuracy)}**. "
                + ("It is the active model." if is_active else "It is stored but not active yet."),
                icon=":material/check_circle:",
            )
            if job.history:
                curve_charts(job.history, height=220)
        elif job.state == "cancelled":
            st.warning(
                f"{job.message.capitalize()}. The active model is unchanged.",
                icon=":material/cancel:",
            )
        else:
            st.error(
                f"{job.message.capitalize()}. The active model is unchanged.",
                icon=":material/error:",
            )
        left, right, _ = st.columns([1, 1, 3])
        done = job.state == "done" and job.version is not None
        if done and left.button(
            "Active ✓" if is_active else "Activate this version",
            key="activate_new",
            type="primary",
            disabled=is_active or not store().writable,
            width="stretch",
        ):
            activate(job.version, "retrain")
            st.rerun()
        if right.button("Dismiss", key="dismiss_job", width="stretch"):
            st.session_state["dismissed_job"] = job.started
            st.rerun()


def retrain_section() -> None:
    st.subheader("Retrain")
    show_flash("retrain")
    if not store().writable:
        st.warning(f"The model store {store().root} is read-only: retraining is off.")
        return
    job = trainer().job
    if job is not None and job.running:
        live_job()
        return
    if job is not None:
        finished_job(job)
    trainer().prewarm()  # the next run's process loads TensorFlow while the form is filled in
    retrain_form()


# ── the page ───────────────────────────────────────────────────────────────────────────────────

st.title("Training")
st.caption(
    "How the serving network learned, every stored version, and retraining in the background: "
    "drawing and predicting keep working on every page while a new version trains."
)
serving_version = active_predictor()[0].version
active_model_section(serving_version)
st.divider()
retrain_section()
st.divider()
versions_section(serving_version.name)
