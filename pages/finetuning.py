"""The My drawings page's fine-tuning section: start it, watch it, keep or discard the result.

Display only: fine-tuning runs `python -m model finetune` in a child process through the shared
`model.serving.jobs.Trainer` (one training run at a time, whichever page started it); its before
and after figures are read from the new version's metadata by `model.forgetting`.
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from model.forgetting import FIGURES, forgotten
from model.forgetting import before_after as before_after_figures
from model.serving.jobs import TrainingBusy, TrainingJob
from model.serving.store import StoreError
from model.train_config import FINETUNE_EPOCHS
from pages.flash import activate, flash, show_flash
from pages.resources import store, trainer
from pages.tables import table
from pages.training_progress import is_finetune, live_training_panel, show_other_run


def finetune_heading(job: TrainingJob, state: str) -> str:
    what = "Fine-tuning on your drawings" if is_finetune(job) else "Training a new version"
    return (
        f"**{what}** · {state} · {round(time.time() - job.started)} s  \n"
        "Only one training runs at a time; the app keeps working meanwhile."
    )


def seconds_left(eta: float | None) -> str:
    return f" · about {round(eta)} s left" if isinstance(eta, (int, float)) else ""


def live_job() -> None:
    """The running job's panel, refreshed every second; the page reruns once the run ends."""
    live_training_panel(
        heading=finetune_heading,
        cancel_key="cancel_finetune",
        cancel_icon=":material/close:",
        preparing="measuring the model before fine-tuning…",
        evaluating="training done · measuring the new version on every test set…",
        eta_text=seconds_left,
    )


def before_after(meta: dict) -> None:
    """The fine-tuned version's figures before and after, and a warning if it forgot."""
    tune = meta.get("finetune", {})
    held = tune.get("held_out", 0)
    counts = {"held_out_accuracy": f" ({held})" if held else ""}  # one drawing: 0% or 100%
    rows = [
        {
            "test set": FIGURES[key] + counts.get(key, ""),
            "before": None if b is None else 100 * b,
            "after": None if a is None else 100 * a,
            "change": None if a is None or b is None else 100 * (a - b),
        }
        for key, (b, a) in before_after_figures(meta).items()
        if key != "nondigits_rejected" or (b, a) != (None, None)  # versions from before it
    ]
    # A caption between the heading and the table: a touch screen always shows the table's
    # toolbar, which rises above the table and covered the heading's last words.
    st.caption(
        "On each test set, before and after (MNIST's 10,000 test digits, 3,000 drawings, 750 "
        "drawn non-digits of kinds no version trains on: Greek letters, maths, music, doodles…)"
    )
    table(
        pd.DataFrame(rows),
        column_config={
            "before": st.column_config.NumberColumn(format="%.2f%%"),
            "after": st.column_config.NumberColumn(format="%.2f%%"),
            "change": st.column_config.NumberColumn(format="%+.2f", help="in points"),
        },
    )
    used = tune.get("user_drawings", 0) - held
    note = (
        f"Trained on {used} of your drawings; {held} {'was' if held == 1 else 'were'} held out "
        "to measure on."
        if held
        else f"Trained on all {used} of your drawings: save at least 5 to hold some out."
    )
    st.caption(f"{note} Started from {meta.get('parent', '?')}.")
    if worse := forgotten(meta):
        lost = " and ".join(
            f"{FIGURES[key]} by {points:.2f} points" for key, points in worse.items()
        )
        st.warning(
            f"The fine-tuned version is worse on {lost}. Fine-tuning repeats your drawings many "
            "times, so one saved with the wrong label can teach it the wrong thing: check the "
            "drawings above, or discard this version.",
        )


def discard(name: str) -> None:
    try:
        store().delete(name)
    except StoreError as err:
        flash("finetune", "error", f"Cannot discard {name}: {err}")
    except OSError as err:
        flash("finetune", "error", f"Cannot discard {name}: {err.strerror or err}")
    else:
        flash("finetune", "success", f"Discarded {name}; the active model is unchanged.")


def finished_job(job: TrainingJob) -> None:
    if st.session_state.get("dismissed_finetune") == job.started:
        return
    if job.state != "done" or not job.version:
        kind = "warning" if job.state == "cancelled" else "error"
        getattr(st, kind)(f"Fine-tuning: {job.message}. The active model is unchanged.")
        return
    try:
        version = store().get(job.version)
    except StoreError:
        return  # discarded
    took = round((job.finished or time.time()) - job.started)
    active = store().active_name() == version.name  # kept, unless another was activated since
    status = "the active model" if active else "stored, not active yet"
    with st.container(border=True):
        st.markdown(f"**Fine-tuned version {version.name}** · {took} s in all · {status}")
        before_after(version.meta)
        if active:
            st.success("Kept: it is the active model.")
        buttons = st.container(horizontal=True)  # wraps; each button as wide as its label
        if not active:
            buttons.button(
                "Keep it",
                key="finetune_keep",
                type="primary",
                icon=":material/check:",
                on_click=activate,
                args=(version.name, "finetune"),
            )
            buttons.button(
                "Discard",
                key="finetune_discard",
                icon=":material/delete:",
                on_click=discard,
                args=(version.name,),
            )
        if buttons.button("Dismiss", key="finetune_dismiss"):
            st.session_state["dismissed_finetune"] = job.started
            st.rerun()


def start_finetune() -> None:
    try:
        trainer().start(["finetune", "--epochs", str(FINETUNE_EPOCHS)])
    except TrainingBusy as err:
        flash("finetune", "warning", f"Not started: {err}.")
    except OSError as err:
        flash("finetune", "error", f"Could not start fine-tuning: {err}")


def finetune_section(count: int) -> None:
    st.header("Fine-tune on my drawings")
    st.markdown(
        "Teach the active model your handwriting: it trains for a few epochs on your drawings "
        "mixed with MNIST and canvas-like drawings, so that it does not forget the rest. A fifth "
        "of your drawings is held out to measure on. The result is a new version with before and "
        "after figures; nothing changes until you keep it."
    )
    show_flash("finetune")
    if not store().writable:
        st.warning(f"The model store {store().root} is read-only: fine-tuning is off.")
        return
    job = trainer().job
    if job is not None and job.running:
        live_job()
        return
    if is_finetune(job):
        finished_job(job)
    other = show_other_run(lambda who: f"{who} is in progress; try again when it ends.", "finetune")
    if not other and count:
        trainer().prewarm()  # the run's process loads TensorFlow before the click
    st.button(
        "Fine-tune on my drawings",
        key="finetune_start",
        type="primary",
        icon=":material/model_training:",
        disabled=count == 0 or other,
        on_click=start_finetune,
        help=f"{FINETUNE_EPOCHS} epochs, in the background; about 20 s for 50 drawings on 2 "
        "CPU cores",
    )
    if count == 0:
        st.caption("Save some drawings first.")
