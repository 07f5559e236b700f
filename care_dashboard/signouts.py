"""Logins that end before their cookie does: Log out, and idleness (no Streamlit).

Streamlit's login (``st.login``) keeps the identity in a signed cookie, ``_streamlit_user``:
signed with ``[auth] cookie_secret``, valid for 30 days, stateless, and unrelated to the
provider's session. Log out deletes it in one browser only: a saved copy stays valid, and a
session open in another tab keeps the identity it read when its connection opened. This module
keeps on the server what ends a login sooner, shared by every worker and kept across restarts:

* **Signed out**, per account: when its Log out was last pressed. A login issued at or before
  that time grants nothing. Log out thus ends every login of the account made until then, in
  every browser and on every device, not only the one where it was pressed.
* **Idle**, per login: when it was last used (a page run of a session that holds it). A login
  unused for ``CARE_IDLE_TIMEOUT`` grants nothing more; a new login does.

Idleness is counted per login (one identity cookie: its account and issue time), neither per
Streamlit session nor per account. Per session, the clock would start again whenever a tab is
opened or reloaded, so a venue laptop's browser reopened the next day, cookie and all, would
be a fresh, active session. Per account, the partner's work at the office would keep alive a
login forgotten on that laptop. The cookie is what the laptop holds, so the cookie idles.

**Issue time.** The time this server signed the identity cookie: the timestamp inside
itsdangerous' signed value (the oldest of its chunks when Streamlit split it), read by
``read_identity``. It cannot be changed without the cookie secret, and it is this server's
clock, the one the signed-out time is written with. The ID token's ``iat``, also in the cookie,
is the provider's clock: a provider a few minutes behind this server would let a cookie issued
just before a Log out outlive it. The timestamp counts whole seconds, so a login made within
the same second as a Log out of its account counts as made before it: log in once more.

**Settings** (README, "Settings"):

| variable | default | meaning |
|---|---|---|
| CARE_STATE_DIR | ~/.local/state/care-dashboard | a private folder (mode 0700, made so when missing) holding ``logins.sqlite3`` |
| CARE_IDLE_TIMEOUT | 8h | a login unused this long gives no more access to record-level data: hours, minutes and seconds such as ``8h``, ``90m``, ``1h30m``, ``45s``; from 1 s to 30 days (``720h``) |

The store is sqlite3 (write-ahead log, so several worker processes read and write it at once).
Accounts are kept as SHA-256 digests of their canonical address (``addresses.canonical``), so
the file lists no address in clear, although a guessed address can be tested against it.

**Checks outside a page run** (a middleware answering a download, say):

    identity = signouts.read_identity(request.cookies, cookie_secret)
    allowed = identity is not None and signouts.is_current(identity.email, identity.issued_at)
    # and for the roles too (the access file, email_verified, this same check):
    who = access.visitor(identity.claims, login=True, serving=True, issued_at=identity.issued_at)
    allowed = who.sees_every_dataset

``read_identity(cookies, secret)`` decodes the identity cookie as Streamlit does (chunks
included) and gives its claims (the ID token's: ``email``, ``email_verified``, ``iss``..., and
Streamlit's ``origin``, which its websocket compares with the request's Origin) with
``issued_at``. ``is_current(email, issued_at, now=None)`` is False for a signed-out or idle
login, for an unknown issue time or address, and when the store cannot be read (logged): it
never fails open. It does not record a use: only page runs do (``touch``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import addresses

log = logging.getLogger(__name__)

STATE_ENV = "CARE_STATE_DIR"
IDLE_ENV = "CARE_IDLE_TIMEOUT"
DEFAULT_STATE_DIR = Path.home() / ".local" / "state" / "care-dashboard"
DEFAULT_IDLE = "8h"
MAX_IDLE_S = 30 * 86400  # an identity cookie lives 30 days anyway
STORE_NAME = "logins.sqlite3"

COOKIE = "_streamlit_user"  # Streamlit's identity cookie; its chunks are COOKIE_1, COOKIE_2...
COOKIE_MAX_AGE_S = 31 * 86400  # Streamlit accepts it for 30 days and one day's grace
MAX_CHUNKS = 16  # a cookie is at most 4 KB; a login's claims fit in a few
TOUCH_EVERY_S = 60.0  # a login's last use is written at most this often (less with a short timeout)

CURRENT, SIGNED_OUT, IDLE = "current", "signed_out", "idle"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS signed_out (account TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS last_used (
    account TEXT NOT NULL, issued_at REAL NOT NULL, at REAL NOT NULL, PRIMARY KEY (account, issued_at));
"""


def clock() -> float:
    """The time logins are judged by (this server's clock); a test may put another in its place."""
    return time.time()


class StateError(RuntimeError):
    """The state folder or its store cannot be used; the message names it and what to do."""


# ---- settings ----------------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(text: str, name: str = IDLE_ENV) -> float:
    """Seconds of a duration written as hours, minutes and seconds (``8h``, ``1h30m``, ``45s``);
    ValueError naming ``name`` for anything else or outside 1 s to 30 days."""
    how = f"{name} is a duration such as 8h, 90m, 1h30m or 45s, from 1s to 720h"
    match = _DURATION.match(text.strip().lower().replace(" ", ""))
    if not match or not any(match.groups()):
        raise ValueError(f"{how}, not {text!r}")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not 1 <= total <= MAX_IDLE_S:
        raise ValueError(f"{how}, not {text!r}")
    return float(total)


def idle_timeout() -> float:
    """CARE_IDLE_TIMEOUT in seconds (default 8 h); ValueError when it is not a duration."""
    return parse_duration(os.environ.get(IDLE_ENV, "").strip() or DEFAULT_IDLE)


def state_dir() -> Path:
    raw = os.environ.get(STATE_ENV, "").strip()
    return Path(raw).expanduser() if raw else DEFAULT_STATE_DIR


# ---- the store ---------------------------------------------------------------------------------

_ready: set[str] = set()  # stores whose tables this process has made
_lock = threading.Lock()


def _private_folder() -> Path:
    folder = state_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError as exc:
        raise StateError(f"{folder}: the login state folder cannot be made or read ({exc.strerror}); "
                         f"set {STATE_ENV} to a folder the dashboard may write") from None
    if info.st_uid != os.getuid():
        raise StateError(f"{folder}: the login state folder belongs to another user; set {STATE_ENV} "
                         "to a folder of the user that runs the dashboard")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise StateError(f"{folder}: other users may read or change the login state folder (mode {mode:04o}); "
                         f"make it private with:  chmod 700 {folder}")
    return folder


def _connect() -> sqlite3.Connection:
    path = _private_folder() / STORE_NAME
    try:
        con = sqlite3.connect(path, timeout=10, isolation_level=None)
    except sqlite3.Error as exc:
        raise StateError(f"{path}: the login state cannot be opened ({exc})") from None
    try:
        if str(path) not in _ready:
            with _lock:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(_SCHEMA)
                os.chmod(path, 0o600)
                _ready.add(str(path))
    except (sqlite3.Error, OSError) as exc:
        con.close()
        raise StateError(f"{path}: the login state cannot be used ({exc}); the folder must be writable, "
                         "and the file a login state store or absent") from None
    return con


def _run(what: str, statements: list[tuple[str, tuple]], write: bool = True) -> list[tuple]:
    """Run ``statements`` in one transaction (taking the write lock first when ``write``); the
    rows of the last one. StateError on failure."""
    con = _connect()
    try:
        con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        rows: list[tuple] = []
        for sql, params in statements:
            rows = con.execute(sql, params).fetchall()
        con.execute("COMMIT")
        return rows
    except sqlite3.Error as exc:
        raise StateError(f"{state_dir() / STORE_NAME}: cannot {what} ({exc})") from None
    finally:
        con.close()


def check_store() -> Path:
    """The store's path once it can be opened and written; StateError saying what to do if not
    (``make serve`` calls it before it starts)."""
    _run("write the login state", [("DELETE FROM last_used WHERE at < ?", (clock() - COOKIE_MAX_AGE_S,))])
    return state_dir() / STORE_NAME


def account_key(email: object) -> str | None:
    """How the store names an account: a digest of its canonical address (None for an address
    the access rules refuse, which has no role to end)."""
    address = addresses.canonical(email)
    return hashlib.sha256(f"care-dashboard account:{address}".encode()).hexdigest() if address else None


# ---- what ends a login -------------------------------------------------------------------------

def sign_out(email: str | None, now: float | None = None) -> None:
    """Record that ``email`` pressed Log out at ``now``: every login of that account issued until
    then ends. Call it before ``st.logout()``; StateError when it cannot be written."""
    key = account_key(email)
    if key is None:
        return
    now = clock() if now is None else now
    _run("record the Log out", [
        ("INSERT INTO signed_out (account, at) VALUES (?, ?) "
         "ON CONFLICT (account) DO UPDATE SET at = max(at, excluded.at)", (key, now)),
        ("DELETE FROM last_used WHERE account = ? OR at < ?", (key, now - COOKIE_MAX_AGE_S)),
    ])
    with _lock:
        for login in [k for k in _touched if k[0] == key]:
            del _touched[login]


def status(email: object, issued_at: float | None, now: float | None = None) -> str:
    """CURRENT, SIGNED_OUT (its account pressed Log out at or after ``issued_at``, or the issue
    time or address is unknown) or IDLE (unused for CARE_IDLE_TIMEOUT). StateError when the
    store cannot be read, ValueError when CARE_IDLE_TIMEOUT is no duration."""
    key = account_key(email)
    if key is None or issued_at is None:
        return SIGNED_OUT
    now = clock() if now is None else now
    timeout = idle_timeout()
    rows = _run("read the login state", [(
        "SELECT (SELECT at FROM signed_out WHERE account = ?1), "
        "(SELECT at FROM last_used WHERE account = ?1 AND issued_at = ?2)", (key, issued_at))], write=False)
    signed_out, last_used = rows[0]
    if signed_out is not None and issued_at <= signed_out:
        return SIGNED_OUT
    if now - max(issued_at, last_used or issued_at) > timeout:
        return IDLE
    return CURRENT


def is_current(email: object, issued_at: float | None, now: float | None = None) -> bool:
    """True only for a login that neither Log out nor idleness has ended; False too when that
    cannot be checked (the reason is logged), so a caller never opens data on a failure."""
    try:
        return status(email, issued_at, now) == CURRENT
    except (StateError, ValueError) as exc:
        log.error("a login could not be checked, so it opens nothing: %s", exc)
        return False


_touched: dict[tuple[str, float], float] = {}  # (account, issued_at): when this process last wrote it


def touch(email: object, issued_at: float | None, now: float | None = None) -> None:
    """Record a use of the login (``email``, ``issued_at``) at ``now``. Written at most once a
    minute per login and process (a quarter of a short timeout), so a click costs no write;
    StateError when it cannot be written."""
    key = account_key(email)
    if key is None or issued_at is None:
        return
    now = clock() if now is None else now
    every = min(TOUCH_EVERY_S, idle_timeout() / 4)
    if now - _touched.get((key, issued_at), float("-inf")) < every:
        return
    _run("record a use of a login", [(
        "INSERT INTO last_used (account, issued_at, at) VALUES (?, ?, ?) "
        "ON CONFLICT (account, issued_at) DO UPDATE SET at = max(at, excluded.at)", (key, issued_at, now))])
    with _lock:
        if len(_touched) > 10_000:  # a long-running worker forgets logins that idled out
            for login in [k for k, at in _touched.items() if now - at > MAX_IDLE_S]:
                del _touched[login]
        _touched[(key, issued_at)] = now


# ---- the identity cookie -----------------------------------------------------------------------

@dataclass(frozen=True)
class Identity:
    """A login as its identity cookie holds it: the provider's claims and when it was issued."""

    claims: dict
    issued_at: float

    @property
    def email(self) -> str | None:
        email = self.claims.get("email")
        return email if isinstance(email, str) else None


def _signed(cookies: Mapping[str, str], name: str, secret: str) -> tuple[str, float] | None:
    from itsdangerous import BadData, URLSafeTimedSerializer  # Streamlit's own signer (a dependency of it)

    raw = cookies.get(name)
    if not raw:
        return None
    try:
        value, signed_at = URLSafeTimedSerializer(secret, salt=name).loads(
            raw, max_age=COOKIE_MAX_AGE_S, return_timestamp=True)
    except BadData:
        return None
    return (value, signed_at.timestamp()) if isinstance(value, str) else None


def read_identity(cookies: Mapping[str, str], secret: str) -> Identity | None:
    """The login in ``cookies`` (a request's or ``st.context.cookies``), verified with the cookie
    ``secret`` (``[auth] cookie_secret``), or None when there is none or it does not verify.
    ``issued_at`` is the oldest signing time of the cookie and its chunks."""
    first = _signed(cookies, COOKIE, secret)
    if first is None:
        return None
    value, issued_at = first
    chunked = re.fullmatch(r"chunks-(\d+)", value)
    if chunked:
        count = int(chunked.group(1))
        parts = [_signed(cookies, f"{COOKIE}_{i}", secret) for i in range(1, count + 1)] if count <= MAX_CHUNKS else [None]
        signed = [p for p in parts if p is not None]
        if len(signed) < len(parts):
            return None
        value = "".join(p[0] for p in signed)
        issued_at = min(issued_at, *(p[1] for p in signed))
    try:
        claims = json.loads(value)
    except ValueError:
        return None
    if not isinstance(claims, dict) or claims.get("is_logged_in") is not True:
        return None
    return Identity(claims, issued_at)
