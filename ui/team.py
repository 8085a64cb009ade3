"""Who leads the team: leads may assign sentences (Team page) and adjudicate disagreements (Review).

The operator names the leads in ``LABELBRIDGE_LEADS`` (comma-separated user names, as the
users file, the proxy header or OpenID Connect names them). Without sign-in (local mode) the
one local user is the lead. Names compare without case and surrounding spaces.
"""

from __future__ import annotations

import os

from ui.auth import auth_mode

ENV_LEADS = "LABELBRIDGE_LEADS"


def leads() -> set[str]:
    """The lead names from ``LABELBRIDGE_LEADS``, case-folded."""
    return {name.strip().casefold() for name in os.environ.get(ENV_LEADS, "").split(",") if name.strip()}


def is_lead(user: str) -> bool:
    """Whether ``user`` may assign and adjudicate."""
    return auth_mode() == "local" or user.strip().casefold() in leads()
