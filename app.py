"""LabelBridge review app: the entry script. It checks who is signed in before any page runs,
then routes to the pages (Home, Review, Compare, Statistics, Export, Team, Agreement)."""

from __future__ import annotations

import streamlit as st

from ui.auth import require_login, sidebar_account
from ui.gc_tuning import freeze_long_lived
from ui.home import home

# (script or function, title, icon, URL path); every page is listed: st.navigation replaces pages/ discovery
PAGES = [
    (home, "Home", ":material/home:", "Home"),
    ("pages/1_Review.py", "Review", ":material/rate_review:", "Review"),
    ("pages/2_Compare.py", "Compare", ":material/compare_arrows:", "Compare"),
    ("pages/3_Statistics.py", "Statistics", ":material/bar_chart:", "Statistics"),
    ("pages/4_Export.py", "Export", ":material/download:", "Export"),
    ("pages/5_Team.py", "Team", ":material/group:", "Team"),
    ("pages/6_Agreement.py", "Agreement", ":material/handshake:", "Agreement"),
]

freeze_long_lived()  # keeps the collection Streamlit runs after each run from walking the imports
st.set_page_config(page_title="LabelBridge", layout="wide")
user = require_login(tuple(path for *_, path in PAGES[1:]))  # only the sign-in page until someone is signed in
sidebar_account(user)
page = st.navigation(
    [
        st.Page(target, title=title, icon=icon, url_path=path, default=target is home)
        for target, title, icon, path in PAGES
    ]
)
page.run()
