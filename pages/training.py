"""Training: the active model's curves and metadata, and retraining in the background."""

import streamlit as st

st.title("Training")
st.info("Coming soon.")
