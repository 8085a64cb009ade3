"""LabelBridge review app (home page). The review screens are being built; see the README."""
import streamlit as st

st.set_page_config(page_title="LabelBridge", layout="wide")
st.title("LabelBridge")
st.write("The review app is under construction. The projection engine works from the command line: `python -m core --help`.")
