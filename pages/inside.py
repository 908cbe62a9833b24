"""Inside the CNN: learned filters, feature maps of the current drawing, and where it looked."""

import streamlit as st

st.title("Inside the CNN")
st.info("Coming soon.")
