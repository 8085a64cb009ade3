"""Review as a team on the demo: three reviewers on an overlap sample with planted
disagreements; agreement from the store checked by hand and against scikit-learn and
statsmodels; the Team and Agreement pages; adjudication and the export's rules."""

from __future__ import annotations

import pytest
from helpers import REPO, build_demo_project, copy_project
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss
from streamlit.testing.v1 import AppTest

from core.datamodel import Span
from core.review.actions import apply_action
from core.review.agreement import ALL_LABELS, token_labels
from core.review.assignment import assign
from core.review.export import clean_sentences, to_conll
from core.review.model import adjudication_owner
from core.review.project import open_project
from core.review.team import overlap_reviews, resolved_spans, reviewer_statistics, team_agreement, team_disagreements

REVIEWERS = ["ana", "ben", "cy"]
OVERLAP = (2, 16, 24, 26)  # assign(range(36), REVIEWERS, overlap=0.1, seed=0).overlap
# planted: sentence 2 ben rejects the ORG; 16 cy cuts the first PER to one word; 24 ben labels Milán ORG
PLANTED = {
    ("ben", 2): [{"type": "reject", "item": "7:9:ORG"}],
    ("cy", 16): [{"type": "fix", "item": "0:2:PER", "span": [0, 1, "PER"]}],
    ("ben", 24): [{"type": "fix", "item": "7:8:LOC", "span": [7, 8, "ORG"]}],
}
# by hand: spans ana 9, ben 8, cy 9; exact matches ana-ben 7, ana-cy 8, ben-cy 6; partial: cy's cut PER matches
EXACT = {("ana", "ben"): 14 / 17, ("ana", "cy"): 16 / 18, ("ben", "cy"): 12 / 17}
PARTIAL = {("ana", "ben"): 14 / 17, ("ana", "cy"): 1.0, ("ben", "cy"): 14 / 17}
# Cohen (ana, ben) on 47 tokens: 44 agree; ana PER 10 ORG 2 LOC 3 O 32, ben PER 10 ORG 1 LOC 2 O 34
EXPECTED_CHANCE = (10 * 10 + 2 * 1 + 3 * 2 + 32 * 34) / 47**2
KAPPA_ANA_BEN = (44 / 47 - EXPECTED_CHANCE) / (1 - EXPECTED_CHANCE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_demo_project(tmp_path_factory.mktemp("team-built") / "demo-es").folder


def review_overlap(store, sentences=OVERLAP, reviewers=REVIEWERS):
    """Each reviewer's planted actions, then Enter (done) on every overlap sentence."""
    ids = list(range(store.count()))
    for name in reviewers:
        for k, sid in enumerate(sentences):
            for action in PLANTED.get((name, sid), []):
                outcome = apply_action(store, f"tab-{name}", {**action, "sid": sid, "version": 0}, ids, reviewer=name)
                assert outcome.conflict == "", outcome.conflict
            outcome = apply_action(
                store, f"tab-{name}", {"type": "done", "sid": sid, "seconds": 10.0 + k}, ids, reviewer=name
            )
            assert outcome.conflict == ""


@pytest.fixture
def team(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    store = open_project(folder / "demo-es").store
    made = assign(range(store.count()), REVIEWERS, overlap=0.1, seed=0)
    assert made.overlap == OVERLAP
    store.set_assignment(made, {"lead": "ana", "strategy": "contiguous", "overlap": 0.1, "seed": 0})
    review_overlap(store)
    return store


def value(rows, first, second, measure, label=ALL_LABELS):
    return next(r.value for r in rows if (r.first, r.second, r.measure, r.label) == (first, second, measure, label))


def test_agreement_from_the_store_matches_the_hand_computation(team):
    reviews = overlap_reviews(team)
    assert [r.sentence_id for r in reviews] == list(OVERLAP)
    rows = team_agreement(team)
    for (a, b), f1 in EXACT.items():
        assert value(rows, a, b, "f1_exact") == pytest.approx(f1)
        assert value(rows, a, b, "f1_partial") == pytest.approx(PARTIAL[(a, b)])
    assert value(rows, "ana", "ben", "cohen_kappa") == pytest.approx(KAPPA_ANA_BEN)
    # ana accepted every projection, and both methods agree on these sentences
    assert value(rows, "ana", "heuristic", "f1_exact") == 1.0 == value(rows, "ana", "matching", "f1_exact")
    assert value(rows, "ben", "matching", "f1_exact") == pytest.approx(14 / 17)
    assert value(rows, "ana", "ben", "f1_exact", "ORG") == pytest.approx(0.0)  # ana's ORG (s2) vs ben's ORG (s24)
    assert value(rows, "ana", "ben", "f1_exact", "PER") == 1.0


def test_kappa_matches_scikit_learn_and_statsmodels_on_the_stores_data(team):
    reviews = overlap_reviews(team)
    rows = team_agreement(team)
    columns = {name: [] for name in REVIEWERS}
    for sentence in reviews:
        for name in REVIEWERS:
            columns[name] += token_labels(sentence.spans[name], sentence.length)
    assert len(columns["ana"]) == 47
    for a, b in (("ana", "ben"), ("ana", "cy"), ("ben", "cy")):
        assert value(rows, a, b, "cohen_kappa") == pytest.approx(cohen_kappa_score(columns[a], columns[b]))
    table, _ = aggregate_raters(list(zip(*(columns[n] for n in REVIEWERS))))
    fleiss = next(r for r in rows if r.measure == "fleiss_kappa")
    assert fleiss.first == "ana+ben+cy" and fleiss.value == pytest.approx(statsmodels_fleiss(table))


def test_disagreements_and_the_export_rules(team):
    found = {d.sentence_id: d for d in team_disagreements(team)}
    assert sorted(found) == [2, 16, 24]  # 26: all agree
    assert found[16].spans["cy"] == (Span(0, 1, "PER"), Span(3, 5, "PER"))
    # majority everywhere: ana's spans
    exported = {s.id: s for s in clean_sentences(team, "reviewed")}
    assert sorted(exported) == list(OVERLAP)
    assert {s.id: s.rule for s in exported.values()} == {2: "majority", 16: "majority", 24: "majority", 26: "majority"}
    assert [c.span.label for c in exported[24].spans] == ["LOC", "LOC", "LOC"]
    # the lead adjudicates sentence 24: Milán is ORG after all
    lead = adjudication_owner("ana")
    ids = sorted(found)
    apply_action(
        team,
        "tab-lead",
        {"type": "fix", "sid": 24, "item": "7:8:LOC", "version": 0, "span": [7, 8, "ORG"]},
        ids,
        reviewer="ana",
        owner=lead,
    )
    apply_action(team, "tab-lead", {"type": "done", "sid": 24}, ids, reviewer="ana", owner=lead)
    exported = {s.id: s for s in clean_sentences(team, "reviewed")}
    assert exported[24].rule == "adjudicated"
    assert [(c.span.start, c.span.label, c.how) for c in exported[24].spans] == [
        (3, "LOC", "accept"),
        (7, "ORG", "fix"),
        (9, "LOC", "accept"),
    ]
    assert "Milán\tB-ORG" in to_conll(exported.values())
    assert team.decisions(24, "ben")["7:8:LOC"].span == Span(7, 8, "ORG")  # the reviews themselves are untouched
    # the adjudication is no reviewer: agreement stays among the three
    assert {r.first for r in team_agreement(team)} >= {"ana", "ben"} and "adjudication:ana" not in {
        r.first for r in team_agreement(team)
    }


def test_a_tie_goes_to_the_lead_then_to_the_primary_method(built, tmp_path):
    store = open_project(copy_project(built, tmp_path / "demo-es")).store
    review_overlap(store, sentences=(2,), reviewers=["ana", "ben"])  # ben rejected the ORG: one of two kept it, a tie
    record = store.sentence(2)
    resolution, _ = resolved_spans(store, record, "ben", "matching")
    assert resolution.rule == "lead" and resolution.spans == (Span(0, 2, "PER"),)
    resolution, _ = resolved_spans(store, record, None, "heuristic")
    assert resolution.rule == "primary" and resolution.spans == (Span(0, 2, "PER"), Span(7, 9, "ORG"))
    # one reviewer alone is no team question: their review, as before
    assert resolved_spans(store, store.sentence(3), None, "matching") is None


def test_reviewer_statistics(team):
    stats = {s.reviewer: s for s in reviewer_statistics(team)}
    assert list(stats) == REVIEWERS
    assert stats["ana"].sentences == 4 and stats["ana"].decisions == 9 and stats["ana"].acceptance_rate == 1.0
    assert stats["ben"].decisions == 9 and stats["ben"].acceptance_rate == pytest.approx(7 / 9)
    assert stats["cy"].median_seconds == pytest.approx(11.5)
    per_label = {row["label"]: row for row in stats["ben"].by_label}
    assert per_label["ORG"]["reject"] == 1 and per_label["LOC"]["fix"] == 1


def run(path: str, **state) -> AppTest:
    at = AppTest.from_file(str(REPO / path), default_timeout=60)
    for key, val in state.items():
        at.session_state[key] = val
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_agreement_page_shows_the_numbers(team):
    at = run("pages/6_Agreement.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overlap sentences compared"] == "4" and metrics["Reviewers on the overlap"] == "3"
    assert metrics["Mean pairwise span F1"] == f"{(14 / 17 + 16 / 18 + 12 / 17) / 3:.3f}"
    pairs = at.dataframe[0].value  # the pairs table
    row = pairs[(pairs["first"] == "ana") & (pairs["second"] == "ben")].iloc[0]
    assert (
        row["F1 exact"] == pytest.approx(14 / 17)
        and row["Cohen's κ"] == pytest.approx(KAPPA_ANA_BEN)
        and row["sentences"] == 4
    )
    stats = at.dataframe[2].value  # the reviewers table
    assert list(stats["reviewer"]) == REVIEWERS and list(stats["sentences done"]) == [4, 4, 4]


def test_the_team_page_assigns_as_a_lead_and_shows_queues(built, tmp_path, monkeypatch):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    at = run("pages/5_Team.py")  # local mode: the local user leads
    assert "No assignment" in at.info[0].value
    at.text_area(key="team-reviewers").input("ana\nben\nana")
    at.button[0].click().run()
    assert "listed twice" in at.error[0].value
    at.text_area(key="team-reviewers").input("ana\nben\ncy")
    at.button[0].click().run()
    assert not at.exception
    store = open_project(folder / "demo-es").store
    assert store.assignment() == assign(range(36), REVIEWERS, overlap=0.1, seed=0)
    queues = at.dataframe[0].value
    assert list(queues["sentences"]) == [15, 15, 14] and list(queues["overlap"]) == [4, 4, 4]


def test_a_reviewer_walks_their_own_queue_and_a_lead_adjudicates(team, monkeypatch, tmp_path):
    from ui.auth import SESSION_KEY, hash_password, write_users

    users = tmp_path / "users"
    write_users(users, {name: hash_password("password1") for name in REVIEWERS})
    monkeypatch.setenv("LABELBRIDGE_USERS_FILE", str(users))
    monkeypatch.setenv("LABELBRIDGE_LEADS", "ana")
    at = run("pages/1_Review.py", **{SESSION_KEY: "cy"})
    assert "4 of 14 sentences of your queue done" in at.get("progress")[0].proto.text
    assert not at.sidebar.toggle  # cy is no lead
    at = run("pages/1_Review.py", **{SESSION_KEY: "ana", "f_adjudicate": True})
    assert "0 of 3 disagreements adjudicated" in at.get("progress")[0].proto.text


@pytest.mark.parametrize(
    "names, message",
    [
        ("", "no reviewers to assign"),
        ("ana\nAna", "listed twice"),
        ("ana, ben, ana", "listed twice"),
        ("adjudication:ana\nben", "reserved"),
        ("x" * 200, "at most 128 characters"),
        ("ana\x07", "at most 128 characters"),
    ],
)
def test_bad_reviewer_lists_are_refused_on_the_team_page(built, tmp_path, monkeypatch, names, message):
    folder = tmp_path / "projects"
    copy_project(built, folder / "demo-es")
    monkeypatch.setenv("LABELBRIDGE_PROJECTS", str(folder))
    at = run("pages/5_Team.py")
    at.text_area(key="team-reviewers").input(names)
    at.button[0].click().run()
    assert not at.exception and message in at.error[0].value
    assert open_project(folder / "demo-es").store.assignment() is None


def test_a_reviewer_outside_the_assignment_is_told_so(team, monkeypatch, tmp_path):
    from ui.auth import SESSION_KEY, hash_password, write_users

    users = tmp_path / "users"
    write_users(users, {name: hash_password("password1") for name in [*REVIEWERS, "dora"]})
    monkeypatch.setenv("LABELBRIDGE_USERS_FILE", str(users))
    monkeypatch.setenv("LABELBRIDGE_LEADS", "ana")
    at = run("pages/1_Review.py", **{SESSION_KEY: "dora"})
    assert "No sentences of this project are assigned to you" in at.info[0].value
    at = run("pages/5_Team.py", **{SESSION_KEY: "dora"})  # no lead: the queues, no form
    assert not at.text_area and "Only a lead" in at.caption[-1].value
