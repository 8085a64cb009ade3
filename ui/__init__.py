"""Streamlit helpers shared by the app's pages (thin: the logic lives in core/)."""
