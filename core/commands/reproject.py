"""Re-project a review project's unreviewed sentences from the reviewers' decisions (python -m core reproject)."""

from __future__ import annotations

import argparse
import sys

from core.errors import UsageError

EPILOG = """\
examples:
  python -m core reproject data/projects/my-project
  python -m core reproject data/projects/my-project --undo
  python -m core reproject data/projects/my-project --list

Every span reviewers accepted, fixed or added in a sentence marked done is evidence: the
reviewed translation of a source entity string is linked in every unreviewed sentence where
both occur, and an NER-candidate project's model is trained again with the reviewed spans.
Sentences that are done or have any decision are never changed. Each run is a generation
that --undo takes back as a whole (the latest one standing)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "reproject",
        help="re-project unreviewed sentences from the reviewed ones (or undo that)",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "project", metavar="PROJECT_FOLDER", help="a review project folder (project.json and review.sqlite)"
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--undo", action="store_true", help="take back the latest re-projection")
    action.add_argument("--list", action="store_true", help="list the re-projections made so far")
    parser.add_argument(
        "--no-ner-retraining",
        action="store_true",
        help="NER-candidate projects: keep the project's NER model instead of training it again with the reviewed spans",
    )
    parser.add_argument(
        "--learned-scores",
        action="store_true",
        help="replace matching's score by one learned from the reviewed sentences (off: it lost 1-2 F1 "
        "against matching with corpus evidence on the shared benchmark)",
    )
    parser.add_argument(
        "--reviewer", default="command line", help="who is recorded as having run it (default: %(default)s)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from core.progress import terminal_progress
    from core.review.project import is_project, open_project
    from core.review.reproject import reproject_project

    if not is_project(args.project):
        raise UsageError(f"{args.project}: not a LabelBridge project folder (it needs project.json and review.sqlite)")
    try:
        project = open_project(args.project)
    except (ValueError, TypeError) as exc:  # a damaged project.json
        raise UsageError(f"{args.project}: its project.json cannot be read ({exc})") from None
    store = project.store
    if args.list:
        rows = store.projection_generations()
        if not rows:
            print("no re-projection yet (generation 0: the projection the project was built with)")
        for g in rows:
            state = "undone" if g["undone_at"] else "standing"
            ev = g["evidence"]
            print(
                f"generation {g['generation']} ({state}) by {g['reviewer'] or '?'}: {len(ev.get('reviewed_sentences', []))} reviewed "
                f"sentences, {ev.get('table_size', 0)} entity strings, {g['changed']} of {g['considered']} sentences changed"
            )
        return 0
    if args.undo:
        generation, restored, kept = store.undo_reprojection(args.reviewer)
        if generation is None:
            print("nothing to undo: no re-projection stands", file=sys.stderr)
            return 0
        note = f"; {kept} sentences decided since keep the proposals they were reviewed on" if kept else ""
        print(
            f"undid generation {generation}: {restored} sentences have their previous proposals back{note}",
            file=sys.stderr,
        )
        return 0
    with terminal_progress("re-projecting", not args.quiet) as progress:
        report = reproject_project(
            project,
            args.reviewer,
            retrain_ner=not args.no_ner_retraining,
            learned_scores=args.learned_scores,
            progress=lambda fraction, message: progress(int(1000 * fraction), 1000),
        )
    if report.reviewed == 0:
        print("note: no sentence is marked done yet, so there are no reviewed decisions to learn from", file=sys.stderr)
    outcome = f"generation {report.generation}" if report.generation else "nothing changed, no generation stored"
    print(
        f"{outcome}: {report.reviewed} reviewed sentences, {report.table_size} entity strings; "
        f"{report.changed} of {report.considered} unreviewed sentences changed ({report.with_evidence} with a reviewed "
        f"translation){', NER model retrained' if report.ner_retrained else ''}",
        file=sys.stderr,
    )
    return 0
