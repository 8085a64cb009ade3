"""Who is using the app: the reviewer name every decision is recorded under."""
from __future__ import annotations

LOCAL_REVIEWER = "local"


def current_reviewer() -> str:
    """The signed-in reviewer's name; ``"local"`` when the app runs without a login."""
    return LOCAL_REVIEWER
