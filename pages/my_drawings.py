"""My drawings: the drawings saved with "Wrong? It's a _", and fine-tuning the model on them.

UI only: the drawings live in `model.serving.corrections`, fine-tuning runs
`python -m model finetune` in a child process through the shared `model.serving.jobs.Trainer` (one
training run at a time, whichever page started it), and its before/after figures are read from the
new version's metadata.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from model.serving.corrections import CorrectionsError, DamagedDrawing, SavedDrawing, label_text
from model.serving.jobs import TrainingBusy, TrainingJob
from model.serving.store import StoreError
from pages.correction_widget import corrections
from pages.entry import ensure_app_entry
from pages.flash import activate, flash, show_flash
from pages.formatting import plain
from pages.pictures import enlarge
from pages.resources import store, trainer
from pages.training_progress import live_training_panel, other_run_notice, pid_text

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py

COLUMNS = 8
THUMB = 84
EPOCHS = 3
FORGETTING = 0.005  # warn when fine-tuning costs more than half a point on a test set
FIGURES = {
    "test_accuracy": "MNIST test (10,000)",
    "drawings_accuracy": "Bundled drawings (3,000)",
    "held_out_accuracy": "Your held-out drawings",
}


def export_bytes() -> bytes:
    """The drawings as an .npz (`images` (N, 28, 28) uint8, `labels` (N,)), via a temp file."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "my-drawings.npz"
        corrections().export_npz(path)
        return path.read_bytes()


# ── the drawings ───────────────────────────────────────────────────────────────────────────────


def delete_one(drawing_id: str) -> None:
    try:
        corrections().delete(drawing_id)
    except CorrectionsError as err:
        flash("drawings", "error", plain(f"Not deleted: {err}."))
    except OSError as err:
        flash("drawings", "error", plain(f"Not deleted: {err.strerror or err}."))
    else:
        flash("drawings", "success", "Deleted the drawing.")


def damaged_list(damaged: list[DamagedDrawing]) -> None:
    """The files that cannot be read: each named, with why, and a Delete button."""
    plural = "s" if len(damaged) > 1 else ""
    with st.container(border=True):
        st.warning(
            f"{len(damaged)} saved drawing file{plural} cannot be read, so "
            f"{'they are' if plural else 'it is'} left out of the gallery, the export and "
            f"fine-tuning. Delete {'them' if plural else 'it'}, or put back a good copy.",
            icon=":material/broken_image:",
        )
        for drawing in damaged:
            text, button = st.columns([5, 1], vertical_alignment="center")
            text.markdown(f"**{plain(drawing.file)}** · {plain(drawing.problem)}")
            button.button(
                "Delete",
                key=f"delete_damaged_{drawing.id}",
                icon=":material/delete:",
                on_click=delete_one,
                args=(drawing.id,),
                width="stretch",
            )


def gallery(saved: list[SavedDrawing]) -> None:
    newest_first = saved[::-1]
    for start in range(0, len(newest_first), COLUMNS):
        columns = st.columns(COLUMNS)
        for column, drawing in zip(columns, newest_first[start : start + COLUMNS], strict=False):
            with column:
                when = time.strftime("%d %b %H:%M", time.localtime(drawing.created))
                st.image(
                    enlarge(drawing.image, THUMB),
                    caption=f"{label_text(drawing.label)} · {when}",
                    alt=f"Your drawing saved as {label_text(drawing.label)}, {when}.",
                )
                st.button(
                    "Delete",
                    key=f"delete_{drawing.id}",
                    icon=":material/delete:",
                    on_click=delete_one,
                    args=(drawing.id,),
                    width="stretch",
                )


def ask_to_delete_all() -> None:
    st.session_state["confirm_delete_all"] = True


def confirm_delete_all(count: int) -> None:
    """The "are you sure" box, full width under the buttons, while a Delete all is pending."""
    with st.container(border=True):
        st.warning(f"Delete all {count} saved drawings? This cannot be undone.")
        yes, no, _ = st.columns([2, 1, 3])
        if yes.button("Yes, delete them all", key="delete_all_yes", type="primary"):
            st.session_state["confirm_delete_all"] = False
            try:
                gone = corrections().delete_all()
            except OSError as err:
                flash("drawings", "error", f"Not all deleted: {err.strerror or err}.")
            else:
                flash("drawings", "success", f"Deleted {gone} drawings.")
            st.rerun()
        if no.button("Cancel", key="delete_all_no"):
            st.session_state["confirm_delete_all"] = False
            st.rerun()


def drawings_section(saved: list[SavedDrawing], damaged: list[DamagedDrawing]) -> None:
    show_flash("drawings")
    if damaged:
        damaged_list(damaged)
    if not saved:
        st.info(
            "No saved drawings yet. On the Draw page, when the model reads your digit wrong, pick "
            "the right digit under “Wrong? It's a” and click Save."
        )
        return
    counts = np.bincount([d.label + 1 for d in saved], minlength=11)  # -1 (not a digit) first
    per_digit = " · ".join(f"{d} ×{n}" for d, n in enumerate(counts[1:]) if n)
    if counts[0]:
        per_digit += f" · not a digit ×{counts[0]}"
    plural = "" if len(saved) == 1 else "s"
    st.markdown(f"**{len(saved)} saved drawing{plural}** · {per_digit}")
    left, right, _ = st.columns([1, 1, 2])
    with left:
        try:
            data = export_bytes()
        except (CorrectionsError, OSError) as err:
            st.error(f"Cannot export: {err}")
        else:
            st.download_button(
                "Export .npz",
                data,
                file_name="my-drawings.npz",
                mime="application/octet-stream",
                icon=":material/download:",
                key="export_npz",
                help="images (N, 28, 28) uint8 and labels (N,): the format "
                "`python -m model evaluate --npz` reads",
            )
    pending = st.session_state.get("confirm_delete_all", False)
    right.button(
        f"Delete all {len(saved) + len(damaged)}…",
        key="delete_all",
        icon=":material/delete:",
        disabled=pending,
        on_click=ask_to_delete_all,
    )
    if pending:
        confirm_delete_all(len(saved) + len(damaged))
    gallery(saved)


# ── fine-tuning ────────────────────────────────────────────────────────────────────────────────


def is_finetune(job: TrainingJob | None) -> bool:
    return job is not None and "finetune" in job.args


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
    tune = meta.get("finetune", {})
    before, after = tune.get("before", {}), tune.get("after", {})
    rows = []
    for key, label in FIGURES.items():
        b, a = before.get(key), after.get(key)
        rows.append(
            {
                "test set": label,
                "before": None if b is None else 100 * b,
                "after": None if a is None else 100 * a,
                "change (points)": None if a is None or b is None else 100 * (a - b),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "before": st.column_config.NumberColumn(format="%.2f%%"),
            "after": st.column_config.NumberColumn(format="%.2f%%"),
            "change (points)": st.column_config.NumberColumn(format="%+.2f"),
        },
    )
    held = tune.get("held_out", 0)
    used = tune.get("user_drawings", 0) - held
    note = (
        f"Trained on {used} of your drawings; {held} were held out to measure on."
        if held
        else f"Trained on all {used} of your drawings: save at least 5 to hold some out."
    )
    st.caption(f"{note} Started from {meta.get('parent', '?')}.")
    worse = [
        f"{FIGURES[key]} by {100 * (before[key] - after[key]):.2f} points"
        for key in ("test_accuracy", "drawings_accuracy")
        if before.get(key) is not None
        and after.get(key) is not None
        and after[key] < before[key] - FORGETTING
    ]
    if worse:
        st.warning(
            f"The fine-tuned version is worse on {' and '.join(worse)}. Fine-tuning repeats your "
            "drawings many times, so one saved with the wrong label can teach it the wrong "
            "thing: check the drawings above, or discard this version.",
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
    with st.container(border=True):
        st.markdown(f"**Fine-tuned version {version.name}** · {took} s · stored, not active yet")
        before_after(version.meta)
        active = store().active_name() == version.name
        left, middle, right, _ = st.columns([1, 1, 1, 2])
        if active:
            left.success("Kept: it is the active model.")
        else:
            left.button(
                "Keep it",
                key="finetune_keep",
                type="primary",
                icon=":material/check:",
                on_click=activate,
                args=(version.name, "finetune"),
                width="stretch",
            )
            middle.button(
                "Discard",
                key="finetune_discard",
                icon=":material/delete:",
                on_click=discard,
                args=(version.name,),
                width="stretch",
            )
        if right.button("Dismiss", key="finetune_dismiss", width="stretch"):
            st.session_state["dismissed_finetune"] = job.started
            st.rerun()


def start_finetune() -> None:
    try:
        trainer().start(["finetune", "--epochs", str(EPOCHS)])
    except TrainingBusy as err:
        flash("finetune", "warning", f"Not started: {err}.")
    except OSError as err:
        flash("finetune", "error", f"Could not start fine-tuning: {err}")


def finetune_section(count: int) -> None:
    st.subheader("Fine-tune on my drawings")
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
    other = trainer().lock.holder()
    if other is not None:
        other_run_notice(
            other,
            lambda pid: (
                f"Another training run{pid_text(pid)} is in progress; try again when it ends."
            ),
        )
    if other is None and count:
        trainer().prewarm()  # the run's process loads TensorFlow before the click
    st.button(
        "Fine-tune on my drawings",
        key="finetune_start",
        type="primary",
        icon=":material/model_training:",
        disabled=count == 0 or other is not None,
        on_click=start_finetune,
        help=f"{EPOCHS} epochs, in the background; about 20 s for 50 drawings on 2 CPU cores",
    )
    if count == 0:
        st.caption("Save some drawings first.")


# ── the page ───────────────────────────────────────────────────────────────────────────────────

st.title("My drawings")
where = corrections().directory
st.caption(
    f"The drawings you saved with “Wrong? It's a” on the Draw page. They are kept on the machine "
    f"running this app, in `{where}`; nothing is sent anywhere."
)
drawings, damaged_drawings = corrections().scan()
drawings_section(drawings, damaged_drawings)
st.divider()
finetune_section(len(drawings))
