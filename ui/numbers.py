"""The Compare and Statistics numbers, cached per project and project version: an unchanged
project (no new decision since) is not counted again, and a changed one is counted from the
store's SQL aggregates, never by loading every sentence."""

from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from core.corpus.evaluate import Evaluation
from core.review.project import Project
from core.review.stats import (
    MethodCounts,
    decision_summary,
    histogram,
    median,
    project_counts,
    project_f1,
)
from core.review.store import ReviewStore


def version(project: Project) -> tuple:
    """What the cached numbers depend on: the database file and its (sentences, latest event)."""
    path = project.store.path
    return (str(path), os.stat(path).st_ino, *project.store.version())


def _store(path: str) -> ReviewStore:
    from ui.common import _open  # the page's project, opened once per server

    return _open(str(os.path.dirname(path))).store


@dataclass(frozen=True)
class CompareNumbers:
    counts: MethodCounts
    f1: dict[str, Evaluation]


@dataclass(frozen=True)
class StatisticsNumbers:
    decisions: list[dict]
    timed: int
    median_seconds: float | None
    seconds_bins: list[dict]
    curve: list[tuple[float, int]]


@st.cache_data(max_entries=32, show_spinner=False)
def _compare(key: tuple, primary: str) -> CompareNumbers:
    store = _store(key[0])
    return CompareNumbers(project_counts(store), project_f1(store, primary))


@st.cache_data(max_entries=32, show_spinner=False)
def _statistics(key: tuple) -> StatisticsNumbers:
    store = _store(key[0])
    seconds = store.review_seconds()
    return StatisticsNumbers(
        decision_summary(store), len(seconds), median(seconds), histogram(seconds), store.done_curve()
    )


def compare_numbers(project: Project) -> CompareNumbers:
    return _compare(version(project), project.settings.primary_method)


def statistics_numbers(project: Project) -> StatisticsNumbers:
    return _statistics(version(project))


@st.cache_data(max_entries=32, show_spinner=False)
def _export_entities(key: tuple, mode: str, fallback: str) -> dict[str, int]:
    store = _store(key[0])
    totals = store.cleaned_totals(None, done_only=True) if mode == "reviewed" else store.cleaned_totals(fallback)
    return {label: n for label, (n, _) in totals.items()}


def export_entities(project: Project, mode: str, fallback: str) -> dict[str, int]:
    """Entities per label the export writes (before any label is dropped)."""
    return _export_entities(version(project), mode, fallback)
