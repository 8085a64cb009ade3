"""Who is using the app: the sign-in gate and the reviewer name every decision is recorded under.

The operator chooses one way to sign in (checked in this order):

* ``LABELBRIDGE_AUTH_HEADER=X-Forwarded-User``: a reverse proxy that signs people in names the
  user in that header; only honoured when set (the app must then be reachable only through
  the proxy, which must overwrite the header).
* ``LABELBRIDGE_USERS_FILE=/path/users``: user names and scrypt password hashes (one per line,
  ``name:scrypt$n$r$p$salt$hash``) managed with ``python -m ui.auth add-user NAME``.
* an ``[auth]`` section in ``.streamlit/secrets.toml``: Streamlit's OpenID Connect sign-in
  (``st.login``, ``st.user``).
* none of these: local single-user mode, reviewer ``"local"``, served to this machine only.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import ipaddress
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

LOCAL_REVIEWER = "local"
ENV_HEADER = "LABELBRIDGE_AUTH_HEADER"
ENV_USERS = "LABELBRIDGE_USERS_FILE"
ENV_OIDC_PROVIDER = "LABELBRIDGE_OIDC_PROVIDER"
ENV_ALLOW_REMOTE = "LABELBRIDGE_ALLOW_ANONYMOUS"
SESSION_KEY = "_labelbridge_user"
MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
MAX_FAILURES, FAILURE_WINDOW = 5, 300.0


class AuthError(Exception):
    """A users file or user name the operator has to fix."""


# --- passwords (pure) -------------------------------------------------------------------


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` for ``password``, with a fresh 16-byte salt unless given."""
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY_HASH = hash_password("not a password", salt=b"\x00" * 16)


def check_user_name(name: str) -> str:
    if not USER_NAME.fullmatch(name):
        raise AuthError(
            f"{name!r} is not a user name: 1 to 64 letters, digits and . _ @ + - (starting with a letter or digit)"
        )
    return name


def read_users(path: str | Path) -> dict[str, str]:
    """User name -> password hash; a missing file has no users."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    users = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not USER_NAME.fullmatch(name) or not stored.startswith("scrypt$"):
            raise AuthError(f"{path}, line {number}: expected name:scrypt$..., as python -m ui.auth add-user writes")
        users[name] = stored
    return users


def write_users(path: str | Path, users: dict[str, str]) -> None:
    """Replace the users file atomically, readable by its owner only."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("# LabelBridge users: name:scrypt hash. Edit with python -m ui.auth add-user / remove-user.\n")
            handle.writelines(f"{name}:{stored}\n" for name, stored in sorted(users.items()))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Throttle:
    """Failed sign-ins per user name: after ``limit`` in ``window`` seconds that name is refused
    until the oldest failure ages out (the same for names that exist and names that do not)."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW):
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, name: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < self.window]
            self._failures[name] = recent
            return len(recent) >= self.limit

    def failed(self, name: str, now: float | None = None) -> None:
        with self._lock:
            self._failures.setdefault(name, []).append(time.monotonic() if now is None else now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


THROTTLE = Throttle()


def check_login(users_file: str | Path, name: str, password: str, throttle: Throttle = THROTTLE) -> str | None:
    """The user name if ``password`` is right; None otherwise. An unknown name costs the same
    hash as a known one, so timing does not tell which names exist."""
    name = name.strip()[:64]
    if throttle.blocked(name):
        raise AuthError("Too many failed sign-ins for this user name; wait a few minutes and try again.")
    stored = read_users(users_file).get(name)
    ok = verify_password(password, stored or _DUMMY_HASH) and stored is not None
    if ok:
        throttle.succeeded(name)
        return name
    throttle.failed(name)
    return None


# --- which sign-in is configured -------------------------------------------------------


def auth_mode() -> str:
    """``"header"``, ``"password"``, ``"oidc"`` or ``"local"``."""
    if os.environ.get(ENV_HEADER, "").strip():
        return "header"
    if os.environ.get(ENV_USERS, "").strip():
        return "password"
    if _oidc_settings() is not None:
        return "oidc"
    return "local"


def _oidc_settings() -> dict | None:
    import streamlit as st

    try:
        if "auth" not in st.secrets:
            return None
        return dict(st.secrets["auth"])
    except Exception:  # noqa: BLE001 - no secrets.toml, or one Streamlit cannot parse: not configured
        return None


def _oidc_provider(settings: dict) -> str | None:
    chosen = os.environ.get(ENV_OIDC_PROVIDER, "").strip()
    if chosen:
        return chosen
    providers = [key for key, value in settings.items() if hasattr(value, "keys")]
    return providers[0] if len(providers) == 1 else None


def header_user(value: str | None) -> str | None:
    """The user a proxy named: one printable line of at most 128 characters, else nobody."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 128 or not value.isprintable():
        return None
    return value


def signed_in_user(mode: str | None = None) -> str | None:
    """The signed-in user's name, ``"local"`` in local mode, None when nobody is signed in."""
    import streamlit as st

    mode = mode or auth_mode()
    if mode == "local":
        return LOCAL_REVIEWER
    if mode == "header":
        return header_user(st.context.headers.get(os.environ[ENV_HEADER].strip()))
    if mode == "password":
        name = st.session_state.get(SESSION_KEY)
        try:
            return name if name and name in read_users(os.environ[ENV_USERS]) else None  # a removed user is signed out
        except AuthError:
            return None
    if not st.user.is_logged_in:
        return None
    for claim in ("email", "preferred_username", "name", "sub"):
        value = st.user.get(claim)
        if value:
            return str(value)
    return None


def local_access_refused() -> bool:
    """Local mode serves this machine only: a visitor from elsewhere (Streamlit reports no IP for
    loopback) is refused unless the operator set LABELBRIDGE_ALLOW_ANONYMOUS=1."""
    import streamlit as st

    if os.environ.get(ENV_ALLOW_REMOTE, "").strip() == "1":
        return False
    ip = st.context.ip_address
    if not isinstance(ip, str):  # None: a loopback connection (or no browser at all, as in AppTest)
        return False
    try:
        return not ipaddress.ip_address(ip.split("%")[0]).is_loopback
    except ValueError:
        return True


def current_reviewer() -> str:
    """The signed-in reviewer's name; ``"local"`` when the app runs without a login. When a sign-in
    is configured and nobody is signed in, the sign-in form is shown and the script stops."""
    user = signed_in_user()
    if user is None:
        import streamlit as st

        sign_in_form()
        st.stop()
    return user


# --- the gate and the sidebar ----------------------------------------------------------


def sign_in_form() -> None:
    """What someone who is not signed in sees, for the configured way of signing in."""
    import streamlit as st

    mode = auth_mode()
    st.title("LabelBridge")
    if mode == "local":
        st.error(
            "This app runs without sign-in, so it only serves the machine it runs on. "
            "Ask the operator to set up a sign-in (see the README, Serving to a team)."
        )
    elif mode == "header":
        st.error(
            "You are not signed in: this server expects the sign-in proxy in front of it to name the user. "
            "Open the app through that proxy."
        )
    elif mode == "password":
        _password_form()
    else:
        settings = _oidc_settings() or {}
        provider = _oidc_provider(settings)
        st.subheader("Sign in")
        if st.button("Sign in" + (f" with {provider}" if provider else ""), key="oidc-login", type="primary"):
            st.login(provider) if provider else st.login()


def _password_form() -> None:
    import streamlit as st

    st.subheader("Sign in")
    with st.form("sign-in"):
        name = st.text_input("User name", max_chars=64, key="sign-in-name", autocomplete="username")
        password = st.text_input(
            "Password", type="password", max_chars=1024, key="sign-in-password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        user = check_login(os.environ[ENV_USERS], name, password)
    except AuthError as err:
        st.error(str(err) if "Too many" in str(err) else "The users file cannot be read; ask the operator.")
        return
    if user is None:
        st.error("Wrong user name or password.")
        return
    st.session_state[SESSION_KEY] = user
    st.rerun()


def require_login(url_paths: tuple[str, ...] = ()) -> str:
    """For the app's entry script, before any page: the signed-in user, or the sign-in page and a
    stop. The sign-in page answers at every page's URL (``url_paths``), so a link to a page opens
    that page once the visitor has signed in."""
    import streamlit as st

    mode = auth_mode()
    user = signed_in_user(mode)
    if user is not None and not (mode == "local" and local_access_refused()):
        return user
    pages = [st.Page(sign_in_form, title="Sign in", icon=":material/lock:", url_path="sign-in", default=True)]
    pages += [st.Page(_sign_in_at(path), title="Sign in", icon=":material/lock:", url_path=path) for path in url_paths]
    st.navigation(pages, position="hidden").run()
    st.stop()
    raise AssertionError("unreachable")


def _sign_in_at(url_path: str):
    def sign_in() -> None:
        sign_in_form()

    sign_in.__name__ = f"sign_in_{url_path}"
    return sign_in


def guard_page() -> None:
    """First thing in every page script. A page runs only through the entry script's gate:
    on a fresh server Streamlit's first run can still use the old pages/ folder routing, which
    runs a page without the entry script, so that run is restarted through it. And nobody who
    is not signed in gets past this, however the page was reached."""
    import streamlit as st

    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the old routing
        PagesManager = None
    if PagesManager is not None and getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()
    mode = auth_mode()
    if signed_in_user(mode) is None or (mode == "local" and local_access_refused()):
        sign_in_form()
        st.stop()


def sidebar_account(user: str) -> None:
    """Who is signed in, and a way out."""
    import streamlit as st

    from ui.common import plain

    mode = auth_mode()
    if mode == "local":
        return
    st.sidebar.caption(plain(f"Signed in as {user}"))
    if mode == "password" and st.sidebar.button("Sign out", key="sign-out"):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()
    elif mode == "oidc" and st.sidebar.button("Sign out", key="sign-out"):
        st.logout()


# --- command line: managing the users file ---------------------------------------------


def _read_new_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            raise AuthError("the two passwords differ")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ui.auth", description="Manage the review app's users file (LABELBRIDGE_USERS_FILE)."
    )
    parser.add_argument(
        "--users-file", default=os.environ.get(ENV_USERS), help=f"the users file (default: ${ENV_USERS})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add-user", help="add a user, or set a user's new password (asked for twice)")
    add.add_argument("name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    remove = commands.add_parser("remove-user", help="remove a user")
    remove.add_argument("name")
    commands.add_parser("list-users", help="list the user names")
    args = parser.parse_args(argv)
    if not args.users_file:
        print(f"error: give --users-file or set {ENV_USERS}", file=sys.stderr)
        return 2
    try:
        users = read_users(args.users_file)
        if args.command == "list-users":
            print("\n".join(sorted(users)) or "(no users)")
        elif args.command == "add-user":
            name = check_user_name(args.name)
            existed = name in users
            users[name] = hash_password(_read_new_password(args.password_stdin))
            write_users(args.users_file, users)
            print(f"{'new password for' if existed else 'added'} {name} in {args.users_file}")
        else:
            if users.pop(args.name, None) is None:
                raise AuthError(f"no user {args.name!r} in {args.users_file}")
            write_users(args.users_file, users)
            print(f"removed {args.name} from {args.users_file}")
    except (AuthError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
