"""Export: the cleaned target corpus as CoNLL (IOB2), JSONL with provenance, and the formats
people train with (spaCy, Hugging Face datasets) or annotate in (Label Studio, Prodigy).

Nothing is built until a button is pressed; the counts shown come from the store's aggregates.
CoNLL and JSONL stream from the database into a temporary file, a few hundred sentences at a
time. A download is held whole in the server's memory by Streamlit, so above
``DOWNLOAD_MAX_SENTENCES`` sentences the buttons write the files into the project's folder on
the server (``exports/``) instead, streamed, in memory that does not grow with the project."""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path

import streamlit as st

from core.formats import EXPORTS, export_bytes
from core.review import export as review_export
from core.review.export import EXPORTS_FOLDER, clean_sentences, export_file, save_export
from ui.common import open_page, plain, show_error
from ui.numbers import export_entities

MIME = {"json": "application/json", "jsonl": "application/x-ndjson", "spacy": "application/octet-stream"}


class Sentences:
    """The export's sentences, read again from the store each time a writer iterates."""

    def __init__(self, store, mode: str, fallback: str, drop_misc: bool):
        self.args = (store, mode, fallback, drop_misc)

    def __iter__(self):
        return (s.sentence() for s in clean_sentences(*self.args))


def streamed(kind: str, store, mode: str, fallback: str, drop_misc: bool) -> bytes:
    """The CoNLL or JSONL file, written sentence by sentence to a temporary file first."""
    with tempfile.TemporaryDirectory(prefix="labelbridge-export-") as tmp:
        return export_file(clean_sentences(store, mode, fallback, drop_misc), kind, tmp).read_bytes()


def size_text(path: Path) -> str:
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.1f} kB"


def write_to_folder(project, base: str, options: tuple, n_sentences: int) -> None:
    """The large-project path: each button streams one file into ``exports/`` in the project's
    folder on the server (never into Streamlit's memory, never into a public folder)."""
    folder = project.folder / EXPORTS_FOLDER
    st.info(
        plain(
            f"{n_sentences:,} sentences are more than the {review_export.DOWNLOAD_MAX_SENTENCES:,} this page offers "
            "as a download (a download is held whole in the server's memory). The buttons write the files "
            f"into the project's folder on the server instead, as {project.folder.name}/{EXPORTS_FOLDER}/<file> in "
            "the projects folder; copy them from there. A file written again replaces the older one."
        )
    )
    plain_sentences = Sentences(*options)
    formats = [("conll", "CoNLL (IOB2)", f"{base}.conll"), ("jsonl", "JSONL with provenance", f"{base}.jsonl")]
    formats += [
        (f.name, f.title, f"{base}{f.suffix}" if not f.folder else base) for f in EXPORTS.values() if f.name != "conll"
    ]
    for name, title, file_name in formats:
        button, where = st.columns([1, 2], vertical_alignment="center")
        if button.button(f"Write {title}", key=f"write-{name}", width="stretch"):
            dest = folder / file_name
            started = time.perf_counter()
            try:
                with st.spinner(f"Writing {file_name}…"):
                    if name in ("conll", "jsonl"):
                        save_export(clean_sentences(*options), name, dest)
                    else:
                        folder.mkdir(parents=True, exist_ok=True)
                        EXPORTS[name].write(dest, plain_sentences)
            except OSError as err:  # a full disk, a read-only folder: said in one sentence, without the server's path
                st.error(
                    plain(
                        f"{title} was not written: the server could not write "
                        f"{project.folder.name}/{EXPORTS_FOLDER}/{file_name} ({err.strerror or type(err).__name__})."
                    )
                )
            except Exception as err:
                show_error(f"{title} was not written: ", err, {str(project.folder): project.folder.name})
            else:
                st.session_state[f"written-{name}"] = (file_name, time.perf_counter() - started)
        written = st.session_state.get(f"written-{name}")
        target = folder / file_name
        if written and written[0] == file_name and target.exists():
            where.success(
                plain(
                    f"Written: {project.folder.name}/{EXPORTS_FOLDER}/{file_name} ({size_text(target)}, {written[1]:.0f} s)"
                )
            )
        elif name not in ("conll", "jsonl"):
            where.caption(EXPORTS[name].loads)
    if folder.is_dir():
        files = sorted(p for p in folder.iterdir() if not p.name.startswith("labelbridge-export-"))
        listed = "; ".join(
            f"{p.name} ({size_text(p)}, {time.strftime('%Y-%m-%d %H:%M', time.localtime(p.stat().st_mtime))})"
            for p in files
        )
        if listed:
            st.caption(plain(f"In {project.folder.name}/{EXPORTS_FOLDER}/ now: {listed}"))


project = open_page("Export")
store = project.store
done, total = store.progress()
st.header("Export the cleaned corpus")
mode = st.radio(
    "Sentences",
    ["reviewed", "all"],
    key="export-mode",
    format_func=lambda m: {
        "reviewed": f"Reviewed only ({done} done)",
        "all": f"All {total}, unreviewed ones from a method",
    }[m],
)
fallback = st.selectbox(
    "Method for spans nobody decided", ["matching", "heuristic"], key="export-method", disabled=mode == "reviewed"
)
drop_misc = st.checkbox(
    "Drop MISC (map to O)",
    key="export-drop-misc",  # on for model-made sources, as the command line does
    value=bool((project.settings.models or {}).get("drop_misc")),
)
n_sentences = done if mode == "reviewed" else total
entities = export_entities(project, mode, fallback)
n_spans = sum(entities.values())
if drop_misc and entities.get("MISC"):
    st.write(f"{n_sentences} sentences, {n_spans} entities before MISC is dropped ({entities['MISC']} MISC).")
else:
    st.write(f"{n_sentences} sentences, {n_spans} entities.")
if not n_sentences:
    st.info("Nothing to export yet: no sentence is marked done. Choose “All” or review some sentences first.")
    st.stop()
base = f"{project.name}-{mode}"
options = (store, mode, fallback, drop_misc)
if n_sentences > review_export.DOWNLOAD_MAX_SENTENCES:
    write_to_folder(project, f"{project.folder.name}-{mode}", options, n_sentences)  # a safe file name
    st.stop()
deferred = "callable" in (st.download_button.__doc__ or "")  # older Streamlit: build the files now
left, right = st.columns(2)
for column, kind, title, name, mime in (
    (left, "conll", "Download CoNLL (IOB2)", f"{base}.conll", "text/plain"),
    (right, "jsonl", "Download JSONL with provenance", f"{base}.jsonl", "application/json"),
):
    data = partial(streamed, kind, *options)
    column.download_button(
        title, data if deferred else data(), file_name=name, mime=mime, key=f"dl-{kind}", on_click="ignore"
    )  # a rerun would drop the deferred file before the browser fetches it
st.caption(
    "JSONL: one sentence a line with its tokens, spans (which method proposed each, its scores, and the review: accept, fix, add or auto) and the source side."
)

st.subheader("For training and annotation tools")
as_sentences = Sentences(*options)  # read from the store only when a button is pressed
for fmt in EXPORTS.values():
    if fmt.name == "conll":
        continue
    button, where = st.columns([1, 2], vertical_alignment="center")
    file_name = f"{base}{fmt.suffix}" if not fmt.folder else f"{base}.zip"
    title = f"Download {fmt.title}" + (" as .zip" if fmt.folder else "")
    data = partial(export_bytes, fmt.name, as_sentences, base)
    button.download_button(
        title,
        data if deferred else data(),
        file_name=file_name,
        mime="application/zip" if fmt.folder else MIME[fmt.suffix.rsplit(".", 1)[-1]],
        key=f"dl-{fmt.name}",
        width="stretch",
        on_click="ignore",
    )  # a rerun would drop the deferred file before the browser fetches it
    where.caption(fmt.loads)
