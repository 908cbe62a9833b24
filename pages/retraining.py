"""The Training page's Retrain section: the form, the run in progress, and its outcome.

Display only: the run is a `python -m model train` child process started through the shared
`model.serving.jobs.Trainer` with the arguments `TrainConfig.cli_args()` builds, so the form and
the command line cannot drift apart.
"""

from __future__ import annotations

import time

import streamlit as st

from model.serving.jobs import TrainingBusy, TrainingJob
from model.serving.store import StoreError
from model.train_config import (
    ARCH_DESCRIPTIONS,
    BFLOAT16_ARCHS,
    NONDIGITS_MIX,
    TrainConfig,
    native_bfloat16,
)
from pages.caution import ADVICE, caution_for
from pages.columns import wrapping_columns
from pages.flash import activate, flash, show_flash
from pages.formatting import duration, percent, training_mix_text
from pages.resources import store, trainer
from pages.training_curves import curve_charts
from pages.training_progress import is_finetune, live_training_panel, show_other_run

BATCH_SIZES = [32, 64, 128, 256]
LEARNING_RATES = [3e-4, 1e-3, 2e-3, 3e-3]
TRAIN_SIZES = {
    "Quick demo (2,000 digits)": 2000,
    "Medium (10,000)": 10000,
    "Full (55,000)": None,
}
# The command line's defaults, but a quick run: a first click should finish in seconds.
FORM_START = TrainConfig(subset=TRAIN_SIZES["Quick demo (2,000 digits)"])


def retrain_form() -> None:
    other = show_other_run(
        lambda who: f"{who} is in progress; retrain once it has finished.", "train"
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
            list(ARCH_DESCRIPTIONS),
            index=list(ARCH_DESCRIPTIONS).index(last.arch),
            format_func=lambda a: f"{a}: {ARCH_DESCRIPTIONS[a]}",
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
            disabled=other,
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
    mix = f"{size} digits"
    if isinstance(job.started_with.get("finetune"), dict):  # model.finetune's recipe
        mix = training_mix_text({"config": c, **job.started_with})
    epochs = c.get("epochs", 0)
    return (
        f"`{c.get('arch')}` on {mix} · {epochs} epoch{'s' if epochs != 1 else ''} · "
        f"batch {c.get('batch_size')} · lr {c.get('learning_rate', 0):g} · "
        + ("augmented" if c.get("augment") else "no augmentation")
    )


def live_figures(job: TrainingJob) -> None:
    """Below the progress bar: the latest batch's figures and the curves so far."""
    p = job.progress
    cells = wrapping_columns(4, 150, key="live_figures")
    cells[0].metric("Elapsed", duration(time.time() - job.started))
    cells[1].metric("Batch loss", f"{p['loss']:.4f}" if "loss" in p else "–")
    cells[2].metric("Batch accuracy", percent(p.get("accuracy")) if p else "–")
    val = job.history.get("val_accuracy", [])
    cells[3].metric("Validation accuracy", percent(val[-1]) if val else "–")
    if job.history:
        curve_charts(job.history, key="live_curves", height=220)
    else:
        st.caption("The curves appear here after the first epoch.")


def live_job() -> None:
    """The running job's panel, refreshed every second; the page reruns once the run ends."""
    tune = is_finetune(trainer().job)  # started on My drawings, shown here too
    what = "Fine-tuning on your drawings" if tune else "Training"
    before = "measuring the model before fine-tuning" if tune else "loading MNIST and the network"
    live_training_panel(
        heading=lambda job, state: f"**{what} in progress** · {state}  \n{job_summary(job)}",
        cancel_key="cancel_training",
        cancel_icon=":material/close:",
        preparing=f"{before}…",
        evaluating="training done · measuring the new version on every test set…",
        eta_text=lambda eta: f" · ETA {duration(eta)}",
        figures=live_figures,
    )


def finished_job(job: TrainingJob) -> None:
    """The outcome of the latest run in this server process, until dismissed."""
    if st.session_state.get("dismissed_job") == job.started:
        return
    took = duration((job.finished or time.time()) - job.started)
    is_active = store().active_name() == job.version
    try:
        kept = job.version is not None and bool(store().get(job.version))
    except StoreError:  # deleted since it was trained, here or in another session
        kept = False
    caution = None
    with st.container(border=True):
        if job.state == "done" and not kept:
            st.info(
                f"Trained version **{job.version}** in {took}; it has since been deleted.",
                icon=":material/delete:",
            )
        elif job.state == "done":
            st.success(
                f"Trained version **{job.version}** in {took} · MNIST test accuracy "
                f"**{percent(job.test_accuracy)}**. "
                + ("It is the active model." if is_active else "It is stored but not active yet."),
                icon=":material/check_circle:",
            )
            if job.history:
                curve_charts(job.history, key="done_curves", height=220)
            if caution := caution_for(job.version):
                st.warning(caution + ADVICE, icon=":material/warning:")
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
        # A row that wraps, each button as wide as its label: in ratio columns a tablet's
        # narrow card cut "Activate this version" to "Activat…".
        buttons = st.container(horizontal=True)
        done = job.state == "done" and kept
        if done and buttons.button(
            "Active ✓" if is_active else "Activate this version",
            key="activate_new",
            type="secondary" if caution else "primary",
            disabled=is_active or not store().writable,
        ):
            activate(job.version, "retrain")
            st.rerun()
        if buttons.button("Dismiss", key="dismiss_job"):
            st.session_state["dismissed_job"] = job.started
            st.rerun()


def retrain_section() -> None:
    st.header("Retrain")
    show_flash("retrain")
    if not store().writable:
        st.warning(f"The model store {store().root} is read-only: retraining is off.")
        return
    job = trainer().job
    if job is not None and job.running:
        live_job()
        return
    if job is not None and not is_finetune(job):  # a fine-tune's outcome is My drawings'
        finished_job(job)
    trainer().prewarm()  # the next run's process loads TensorFlow while the form is filled in
    retrain_form()
