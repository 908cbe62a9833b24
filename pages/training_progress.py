"""The live panel of a training run in progress, shared by the Training and My drawings pages.

Both pages start runs through the one `model.serving.jobs.Trainer` (one run at a time) and show the
run the same way while it goes: a heading, a Cancel button and a progress bar, refreshed every
second by a fragment, so the rest of the page stays responsive. What differs between the pages (the
wording, the Cancel button's key and icon, figures below the bar) comes in as parameters. Display
only: the job is read, and asked to cancel; the training itself runs in its child process.
A run the app stopped with (a restart took its child down too) is said, once, where it started.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from model.serving.jobs import Trainer, TrainingJob
from pages.resources import trainer


def is_finetune(job: TrainingJob | None) -> bool:
    """Whether `job` fine-tunes on the user's drawings (My drawings), not trains anew."""
    return job is not None and job.command[:1] == ["finetune"]


def no_time(eta: float | None) -> str:
    """An `eta_text` that says nothing of the time left."""
    return ""


def progress_fraction_and_text(
    job: TrainingJob, *, preparing: str, evaluating: str, eta_text: Callable[[float | None], str]
) -> tuple[float, str]:
    """How far the run is (0..1) and the progress bar's text.

    `preparing` is the text before the first batch, `evaluating` the text once training is done
    and the new version is being measured; `eta_text` turns the estimated seconds left (or None)
    into the end of the text ("" to say nothing).
    """
    p = job.progress
    if job.state == "starting":
        return 0.0, "starting Python and TensorFlow…"
    if job.state == "evaluating":
        return 1.0, evaluating
    if not p:
        return 0.0, preparing
    epochs, batches = p.get("epochs", 1), p.get("batches", 1)
    epoch, batch = p.get("epoch", 1), p.get("batch", 0)
    done = min(1.0, ((epoch - 1) * batches + batch) / max(1, epochs * batches))
    return done, f"epoch {epoch}/{epochs} · batch {batch}/{batches}{eta_text(p.get('eta'))}"


@st.fragment(run_every=1.0)
def live_training_panel(
    *,
    heading: Callable[[TrainingJob, str], str],
    cancel_key: str,
    cancel_icon: str,
    preparing: str,
    evaluating: str,
    eta_text: Callable[[float | None], str],
    figures: Callable[[TrainingJob], None] | None = None,
) -> None:
    """The running job's panel; refreshes itself every second, reruns the page once the run ends.

    `heading(job, state)` is the Markdown above the bar (`state` the job's state in words);
    `preparing`, `evaluating` and `eta_text` word the bar (see `progress_fraction_and_text`);
    `figures(job)`, if given, draws more below the bar.
    """
    job = trainer().job
    if job is None or not job.running:
        st.rerun()  # the whole page: the result, no more refresh
        return
    state = "cancelling…" if job.cancel_requested else job.state
    with st.container(border=True):
        # The heading takes what the button leaves, and the button wraps under it where the card
        # is narrow: a fifth of a tablet's card cut "Cancel" to "Ca…".
        line = st.container(horizontal=True, vertical_alignment="center")
        line.markdown(heading(job, state), width="stretch")
        if line.button(
            "Cancel",
            key=cancel_key,
            icon=cancel_icon,
            disabled=job.cancel_requested or job.state == "evaluating",
        ):
            job.cancel()
            st.rerun(scope="fragment")
        done, text = progress_fraction_and_text(
            job, preparing=preparing, evaluating=evaluating, eta_text=eta_text
        )
        st.progress(done, text=text)
        if figures is not None:
            figures(job)


def pid_text(pid: int) -> str:
    """ " (pid 123)", or nothing while the pid is not known yet."""
    return f" (pid {pid})" if pid else ""


# Who started a run of this app server, by the command its child runs (`Trainer.running_here`).
STARTED_ON = {
    "experiment": "an experiment started on the Experiments page",
    "finetune": "a fine-tune started on My drawings",
    "train": "a retrain started on the Training page",
}


def who_trains() -> str | None:
    """Who is training into the store now, in words (None if nobody): a run of this app server,
    named by the page that started it, even before its child takes the lock; else the lock's
    holder, which can only be another process's."""
    here = trainer().running_here()
    if here is not None:
        kind = STARTED_ON.get(next(iter(here.command), ""), "a run of this app")
        return kind + pid_text(here.process.pid if here.process else 0)
    holder = trainer().lock.holder()
    if holder is None:
        return None
    return f"another training run{pid_text(holder)}, from the command line or another app server,"


@st.fragment(run_every=2.0)
def other_run_notice(seen: str, text: Callable[[str], str]) -> None:
    """While another run trains (`who_trains`): `text(who)` as a note, `who` capitalised.

    `seen` is who the page was drawn with. Checked every 2 s: once that run has ended (or
    another trains), the whole page reruns, so the note goes and the buttons follow. Called only
    while someone trains: an idle page is not rerun every 2 s.
    """
    who = who_trains()
    if who != seen:
        st.rerun()
        return
    st.info(text(who[0].upper() + who[1:]), icon=":material/hourglass_top:")


def show_other_run(text: Callable[[str], str], kind: str, runs: Trainer | None = None) -> bool:
    """Before a page's start button: the page's last run if the app stopped while it trained
    (`interrupted_notice` of `kind`, `runs` the page's Trainer), and `other_run_notice` if a run
    of someone else's trains (`who_trains`). True if one does."""
    interrupted_notice(kind, runs)
    who = who_trains()
    if who is not None:
        other_run_notice(who, text)
    return who is not None


# A run of each kind, as its page names it.
RUN_NAMES = {"experiment": "experiment", "finetune": "fine-tune", "train": "retrain"}


def interrupted_notice(kind: str, runs: Trainer | None = None) -> None:
    """If the latest run was of `kind` ("train", "finetune", "experiment") and never ended, the
    app having stopped while it trained: say so, until dismissed. `runs`: the page's Trainer."""
    runs = runs or trainer()
    record = runs.interrupted()
    if record is None or record.get("command") != kind:
        return
    started = record.get("started")
    when = f" started at {time.strftime('%H:%M', time.localtime(started))}" if started else ""
    st.warning(
        f"The {RUN_NAMES[kind]}{when} did not finish: the app stopped while it trained. Nothing "
        "of it was saved, and the active model is unchanged.",
        icon=":material/warning:",
    )
    st.button("Dismiss", key=f"interrupted_{kind}", on_click=runs.forget_interrupted)
