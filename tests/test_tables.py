"""The app's tables give screen readers the numbers as they are shown, not their raw floats."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages.tables import as_shown


def test_numbers_are_rounded_to_the_decimals_their_column_shows():
    frame = pd.DataFrame(
        {
            "model": ["default"],
            "MNIST": [99.86666666666667],
            "share": [0.998765],
            "ECE": [0.38891679],
            "params": [93_322],
        }
    )
    config = {
        "MNIST": st.column_config.NumberColumn(format="%.2f%%"),
        "share": st.column_config.NumberColumn(format="percent"),  # a fraction, shown as a %
    }
    shown = as_shown(frame, config).iloc[0].to_dict()
    assert shown == {
        "model": "default",
        "MNIST": 99.87,
        "share": 0.9988,
        "ECE": 0.3889,  # no format: four decimals
        "params": 93_322,
    }
    assert frame["MNIST"].iloc[0] == 99.86666666666667  # the caller's frame is left as it was
