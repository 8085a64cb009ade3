"""The Home page: open the demo or a project, or create one from a parallel corpus or from
unlabelled target text (labelled by models)."""

from __future__ import annotations

import streamlit as st

from ui.auth import current_reviewer
from ui.common import (
    DEMO_LANGS,
    build_demo,
    current_project,
    list_projects,
    plain,
    progress_bar,
    set_project,
    sidebar_project,
    source_note,
)
from ui.create_models import model_form
from ui.create_parallel import parallel_form

CANDIDATE_NAMES = {"ner": "NER", "model": "NER model", "ngram": "n-grams"}
WAYS = {"parallel": "Parallel corpus with English entities", "models": "Unlabelled target text (models)"}


def home() -> None:
    st.title("LabelBridge")
    st.caption(
        "Project English named-entity annotations onto a translation, review every projected span, export a clean corpus."
    )

    project = current_project()
    if project is not None:
        sidebar_project(project)
        done, total = project.store.progress()
        s = project.settings
        st.subheader(plain(f"Open project: {project.name}"))
        cols = st.columns(4)
        cols[0].metric("Sentences", total)
        cols[1].metric("Done", done)
        cols[2].metric(
            "Matching candidates",
            CANDIDATE_NAMES.get(s.candidates, s.candidates),
            help="NER: spans of a spaCy model trained in this project on its heuristic projection; NER model: spans of a target-language NER model; n-grams: every span",
        )
        cols[3].metric("Target gold", "yes" if project.has_gold else "no")
        note = source_note(project)
        if note:
            st.caption(plain(note))
        st.progress(done / total if total else 0.0, text=f"{done} of {total} sentences reviewed")
        st.page_link("pages/1_Review.py", label="Review the sentences →", icon=":material/rate_review:")
        reproject_panel(project, done)

    st.divider()
    left, right = st.columns(2)
    with left:
        st.subheader("Open a project")
        names = list_projects()
        if names:
            chosen = st.selectbox(
                "Project",
                names,
                index=names.index(project.folder.name) if project and project.folder.name in names else 0,
            )
            if st.button("Open", key="open-project"):
                set_project(chosen)
                st.rerun()
        st.markdown("**Bundled demo** (36 sentences of English news with a translation and target gold):")
        for lang, language in DEMO_LANGS.items():
            if st.button(f"Open the English → {language} demo", key=f"demo-{lang}"):
                bar, report = progress_bar("Building the demo:")
                demo = build_demo(lang, report)
                set_project(demo.folder.name)
                st.rerun()

    with right:
        st.subheader("Create a project")
        way = st.radio(
            "Start from",
            ["parallel", "models"],
            horizontal=True,
            key="create-way",
            format_func=WAYS.get,
            help="Models: translate the target text to English, tag the English, align and project the entities back onto your sentences",
        )
        if way == "models":
            model_form()
        else:
            parallel_form()


def reproject_panel(project, done: int) -> None:
    """The button that re-projects the unreviewed sentences from the reviewed ones, and its undo."""
    from core.review.reproject import reproject_project

    store = project.store
    left, right = st.columns(2)
    with left:
        if st.button(
            "Improve the rest from what you reviewed",
            key="reproject",
            disabled=done == 0,
            help="Reviewed translations of entity names become alignment links in every sentence not reviewed yet,"
            " and a name you reviewed is no longer cut in two there"
            + (
                " and the NER candidate model is trained again with your spans"
                if project.settings.candidates == "ner"
                else ""
            )
            + ". Sentences you finished or decided on are never changed; undo takes it all back.",
        ):
            bar, report = progress_bar("Re-projecting:")
            result = reproject_project(project, current_reviewer(), progress=report)
            bar.empty()
            st.session_state["reproject-message"] = (
                f"Generation {result.generation}: {result.changed} of {result.considered} unreviewed sentences have new proposals "
                f"(from {result.reviewed} reviewed sentences, {result.table_size} entity names"
                f"{', NER model retrained' if result.ner_retrained else ''})."
                if result.generation
                else "Nothing changed: what was reviewed so far holds no new evidence for the other sentences."
            )
    standing = store.current_generation()
    with right:
        if standing and st.button(f"Undo the re-projection (generation {standing})", key="undo-reproject"):
            generation, restored, kept = store.undo_reprojection(current_reviewer())
            st.session_state["reproject-message"] = (
                f"Generation {generation} undone: {restored} sentences have their previous proposals back"
                + (f"; {kept} decided since keep theirs." if kept else ".")
            )
    message = st.session_state.get("reproject-message")
    if message:
        st.success(message)
