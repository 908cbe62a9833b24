"""Training: the active model's curves and metadata, its versions, and retraining in the background.

Only display here: training runs in a child process (`model.serving.jobs.Trainer`), versions live in
the store (`model.serving.store.ModelStore`). While a run is going, one fragment refreshes itself
every second with the job's progress; the rest of the page, and every other page and session, stays
responsive.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from model.serving.store import StoreError, Version
from pages.caution import caution_for
from pages.columns import wrapping_columns
from pages.entry import ensure_app_entry
from pages.flash import activate, flash, show_flash
from pages.formatting import (
    augmentation_text,
    created_text,
    duration,
    percent,
    plain,
    training_mix_text,
)
from pages.resources import active_predictor, store
from pages.retraining import retrain_section
from pages.tables import table
from pages.training_curves import curve_charts

ensure_app_entry()  # first: a deep link on a fresh server must run under app.py


# ── 1. the active model ────────────────────────────────────────────────────────────────────────


def active_model_section(version: Version) -> None:
    meta, config = version.meta, version.meta.get("config", {})
    st.header(f"Active model: {version.name}")
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
    # The seconds in `model.train.fit` alone: starting, loading the data and measuring the new
    # version come on top, and for a short fine-tune they are most of its time.
    spe = meta.get("seconds_per_epoch")
    each = f", {spe:.1f} s each" if spe is not None else ""
    cells.append(
        (
            "Time in the epochs",
            duration(meta.get("wall_seconds")),
            f"the epochs alone{each}; loading the data and measuring the new version took more",
        )
    )
    # Three cards a row: more in a row are too narrow for a network's name or a percentage.
    for start in range(0, len(cells), 3):
        row = cells[start : start + 3]
        columns = wrapping_columns(3, 210, key=f"training_cards_{start}")
        for column, (label, value, help_text) in zip(columns, row, strict=False):
            column.metric(label, value, help=help_text, border=True)

    facts = [
        f"**{config.get('epochs', '?')}** epoch{'' if config.get('epochs') == 1 else 's'}",
        f"batch **{config.get('batch_size', '?')}**",
        f"lr **{config.get('learning_rate', '?')}** ({config.get('schedule', 'constant')})",
        augmentation_text(config),
        training_mix_text(meta),
        f"trained in **{meta.get('precision', 'float32')}**",
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
        curve_charts(history, key="active_curves")
    with st.expander("All metadata (JSON)"):
        # Plain text: st.json's colours for numbers and true/false fall below 4.5:1 contrast.
        st.code(json.dumps(meta, indent=2, ensure_ascii=False), language=None)


# ── 2. versions ────────────────────────────────────────────────────────────────────────────────


def versions_section(serving: str) -> None:
    st.header("Versions")
    show_flash("versions")
    active = store().active_name()
    versions = store().list()
    # Two narrow tables rather than one wide one, each with its telling column next to the
    # name: on a phone a long version name ("studio_cnn-20261207-051912") pushes the last
    # columns out of view, and what is left in view is the name and its MNIST accuracy.
    read, made = [], []
    for v in versions:
        meta = v.meta
        status = ", ".join(
            word for word, on in (("active", v.name == active), ("shipped", v.shipped)) if on
        )
        if v.problem:
            status = f"broken: {v.problem}"
        accuracy = meta.get("test_accuracy")
        read.append(
            {
                "name": v.name,
                "MNIST": None if accuracy is None else 100 * accuracy,
                "status": status,
                "network": meta.get("arch", "?"),
            }
        )
        made.append(
            {
                "name": v.name,
                "epochs": meta.get("config", {}).get("epochs"),
                "images": meta.get("train_size"),
                "created": created_text(meta),
            }
        )
    # A caption over each table: a touch screen always shows a table's toolbar, which rises
    # above the table's top edge and would otherwise cover the last row of the table before.
    st.caption("How they read")
    table(
        pd.DataFrame(read),
        column_config={
            "status": st.column_config.TextColumn(help="shipped: comes with the app (read-only)"),
            "MNIST": st.column_config.NumberColumn(format="%.2f%%", help="MNIST test accuracy"),
        },
    )
    st.caption("How they were made")
    table(
        pd.DataFrame(made),
        column_config={
            "images": st.column_config.NumberColumn(format="localized", help="training images"),
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
    caution = caution_for(choice) if choice is not None else None
    if caution:
        st.warning(caution, icon=":material/warning:")
    if right.button(
        "Activate",
        key="activate_version",
        type="secondary" if caution else "primary",
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
