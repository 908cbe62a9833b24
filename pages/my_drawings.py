"""My drawings: the drawings saved with "Wrong? It's a _", and fine-tuning the model on them.

UI only: the drawings live in `model.serving.corrections`; the fine-tuning section is
`pages.finetuning`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import streamlit as st

from model.serving.corrections import (
    Correction,
    CorrectionsError,
    DamagedCorrection,
    label_counts,
    label_text,
)
from pages.columns import wrapping_columns
from pages.correction_widget import corrections
from pages.entry import ensure_app_entry
from pages.finetuning import finetune_section
from pages.flash import flash, show_flash
from pages.formatting import plain
from pages.pictures import THUMBNAIL, enlarge

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py


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


def delete_button(drawing_id: str, key: str) -> None:
    st.button(
        "Delete",
        key=key,
        icon=":material/delete:",
        on_click=delete_one,
        args=(drawing_id,),
        width="stretch",
    )


def damaged_corrections(damaged: list[DamagedCorrection]) -> None:
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
            with button:
                delete_button(drawing.id, key=f"delete_damaged_{drawing.id}")


def corrections_gallery(saved: list[Correction]) -> None:
    # One row that wraps, of cards as wide as a thumbnail: as many to a row as the width holds
    # (rows of a fixed count left one card alone on a row where seven fit).
    gallery = st.container(horizontal=True, gap="small")
    for drawing in saved[::-1]:
        with gallery.container(width=THUMBNAIL + 8):
            when = time.strftime("%d %b %H:%M", time.localtime(drawing.created))
            # Every thumbnail as large as the next, and its lines short enough not to
            # wrap: the Delete buttons of a row stay level.
            st.image(
                enlarge(drawing.image, THUMBNAIL),
                caption=label_text(drawing.label),
                width=THUMBNAIL,
                alt=f"Your drawing saved as {label_text(drawing.label)}, {when}.",
            )
            st.caption(when)
            delete_button(drawing.id, key=f"delete_{drawing.id}")


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


def corrections_section(saved: list[Correction], damaged: list[DamagedCorrection]) -> None:
    show_flash("drawings")
    if damaged:
        damaged_corrections(damaged)
    if not saved:
        st.info(
            "No saved drawings yet. On the Draw page, when the model reads your digit wrong, pick "
            "the right digit under “Wrong? It's a” and click Save."
        )
        return
    per_label = " · ".join(
        f"{'not a digit' if label < 0 else label} ×{n}" for label, n in label_counts(saved).items()
    )
    plural = "" if len(saved) == 1 else "s"
    st.markdown(f"**{len(saved)} saved drawing{plural}** · {per_label}")
    left, right, _ = wrapping_columns([1, 1, 2], 190, key="gallery_actions")
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
    corrections_gallery(saved)


# ── the page ───────────────────────────────────────────────────────────────────────────────────

st.title("My drawings")
where = corrections().directory
st.caption(
    f"The drawings saved with “Wrong? It's a” on the Draw page, by everyone using this app. They "
    f"are kept on the computer running it, in `{where}`, and go nowhere else."
)
saved, damaged = corrections().scan()
corrections_section(saved, damaged)
st.divider()
finetune_section(len(saved))
