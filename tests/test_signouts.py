"""care_dashboard.signouts: logins that Log out or idleness ended, kept on the server for every
worker, and the identity cookie's issue time (no Streamlit in the module; Streamlit's own signer
makes the cookies here, so a change of its format fails these tests)."""

from __future__ import annotations

import json
import os
import random
import stat
import subprocess
import sys
import time

import pytest

from care_dashboard import paths, signouts
from tests.identity_cookies import SECRET, streamlit_cookies

ANA = "ana@partner.org"
HOUR = 3600.0


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    monkeypatch.setenv(signouts.STATE_ENV, str(tmp_path / "state"))
    monkeypatch.delenv(signouts.IDLE_ENV, raising=False)
    signouts._touched.clear()
    return tmp_path / "state"


# ---- Log out -------------------------------------------------------------------------------------

def test_a_login_issued_at_or_before_its_accounts_log_out_is_over():
    t0 = 1_800_000_000.0
    assert signouts.status(ANA, t0, now=t0 + 10) == signouts.CURRENT
    signouts.sign_out(ANA, now=t0 + 20.5)
    assert signouts.status(ANA, t0, now=t0 + 30) == signouts.SIGNED_OUT  # a saved cookie, replayed
    assert signouts.status(ANA, t0 + 20, now=t0 + 30) == signouts.SIGNED_OUT  # the same whole second
    assert signouts.status(ANA, t0 + 21, now=t0 + 30) == signouts.CURRENT  # logged in again
    # the account, whatever case the provider writes it in; another account is not touched
    assert signouts.status(" ANA@Partner.org", t0, now=t0 + 30) == signouts.SIGNED_OUT
    assert signouts.status("luis@partner.org", t0, now=t0 + 30) == signouts.CURRENT
    assert not signouts.is_current(ANA, t0, now=t0 + 30)
    assert signouts.is_current(ANA, t0 + 21, now=t0 + 30)


def test_an_earlier_log_out_written_late_does_not_reopen_a_later_one():
    t0 = 1_800_000_000.0
    signouts.sign_out(ANA, now=t0 + 100)
    signouts.sign_out(ANA, now=t0 + 50)  # another worker, its clock a little behind
    assert signouts.status(ANA, t0 + 80, now=t0 + 200) == signouts.SIGNED_OUT


def test_an_unknown_issue_time_or_address_opens_nothing():
    assert signouts.status(ANA, None) == signouts.SIGNED_OUT
    assert not signouts.is_current(ANA, None)
    assert not signouts.is_current("\u212aana@partner.org", time.time())
    assert not signouts.is_current(None, time.time())


def test_a_log_out_is_seen_by_every_worker_and_survives_a_restart(state):
    """Another process (a second worker, or this one after a restart) writes; this one reads."""
    issued = time.time() - 60
    assert signouts.is_current(ANA, issued)
    code = f"from care_dashboard import signouts; signouts.sign_out({ANA!r})"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=paths.ROOT,
                   env={**os.environ, signouts.STATE_ENV: str(state)})
    assert not signouts.is_current(ANA, issued)
    assert signouts.status(ANA, issued) == signouts.SIGNED_OUT


def test_the_store_holds_no_address_in_clear(state):
    signouts.sign_out(ANA)
    signouts.touch("luis@partner.org", time.time())
    stored = b"".join(p.read_bytes() for p in state.iterdir())
    assert b"partner.org" not in stored and b"ana@" not in stored


# ---- idleness --------------------------------------------------------------------------------------

def test_a_login_unused_for_the_idle_timeout_is_over():
    t0 = 1_800_000_000.0
    assert signouts.status(ANA, t0, now=t0 + 8 * HOUR - 1) == signouts.CURRENT  # default 8 h
    assert signouts.status(ANA, t0, now=t0 + 8 * HOUR + 1) == signouts.IDLE  # never used since its login
    signouts.touch(ANA, t0, now=t0 + 5 * HOUR)
    assert signouts.status(ANA, t0, now=t0 + 13 * HOUR - 1) == signouts.CURRENT
    assert signouts.status(ANA, t0, now=t0 + 13 * HOUR + 1) == signouts.IDLE
    # per login: a newer login of the same account, used now, does not keep the old one alive
    signouts.touch(ANA, t0 + 12 * HOUR, now=t0 + 14 * HOUR)
    assert signouts.status(ANA, t0, now=t0 + 14 * HOUR) == signouts.IDLE
    assert signouts.status(ANA, t0 + 12 * HOUR, now=t0 + 14 * HOUR) == signouts.CURRENT


def test_a_short_idle_timeout(monkeypatch):
    monkeypatch.setenv(signouts.IDLE_ENV, "90s")
    t0 = 1_800_000_000.0
    signouts.touch(ANA, t0, now=t0 + 100)
    assert signouts.status(ANA, t0, now=t0 + 190) == signouts.CURRENT
    assert signouts.status(ANA, t0, now=t0 + 191) == signouts.IDLE
    signouts.touch(ANA, t0, now=t0 + 110)  # within a quarter of the timeout of the last write: not written
    assert signouts.status(ANA, t0, now=t0 + 191) == signouts.IDLE
    signouts.touch(ANA, t0, now=t0 + 130)
    assert signouts.status(ANA, t0, now=t0 + 215) == signouts.CURRENT


@pytest.mark.parametrize("text, seconds", [("8h", 8 * HOUR), ("90m", 5400), ("1h30m", 5400), ("45s", 45),
                                           (" 2H ", 2 * HOUR), ("720h", 30 * 24 * HOUR), ("1h 5m 3s", 3903)])
def test_idle_timeout_format(text, seconds):
    assert signouts.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "8", "8 hours", "0s", "721h", "-1h", "1.5h", "h", "8h8h"])
def test_a_bad_idle_timeout_says_its_format(text, monkeypatch):
    with pytest.raises(ValueError, match="CARE_IDLE_TIMEOUT is a duration such as 8h, 90m, 1h30m or 45s"):
        signouts.parse_duration(text)
    monkeypatch.setenv(signouts.IDLE_ENV, text or "x")
    assert not signouts.is_current(ANA, time.time())  # a setting that cannot be read opens nothing


# ---- the state folder ------------------------------------------------------------------------------

def test_the_state_folder_is_made_private(state):
    signouts.check_store()
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / signouts.STORE_NAME).stat().st_mode) == 0o600


def test_a_state_folder_others_may_read_is_refused_and_opens_nothing(state):
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    with pytest.raises(signouts.StateError, match=f"mode 0755.*chmod 700 {state}"):
        signouts.check_store()
    assert not signouts.is_current(ANA, time.time())


def test_a_state_folder_that_cannot_be_made_is_refused(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv(signouts.STATE_ENV, str(tmp_path / "file" / "state"))
    with pytest.raises(signouts.StateError, match=f"{tmp_path / 'file' / 'state'}: the login state folder cannot be made"):
        signouts.check_store()
    with pytest.raises(signouts.StateError):
        signouts.sign_out(ANA)


# ---- the identity cookie -----------------------------------------------------------------------------

def test_the_issue_time_is_when_the_server_signed_the_cookie():
    before = int(time.time())
    identity = signouts.read_identity(streamlit_cookies({"email": ANA, "email_verified": True, "iat": 1}), SECRET)
    assert identity is not None and identity.email == ANA and identity.claims["email_verified"] is True
    assert before <= identity.issued_at <= time.time()  # the server's clock, not the token's iat


def test_a_large_login_is_read_from_its_chunks():
    rng = random.Random(20)
    groups = [f"{rng.getrandbits(80):020x}" for _ in range(400)]  # random: little for the signer to compress
    cookies = streamlit_cookies({"email": ANA, "groups": groups})
    assert f"{signouts.COOKIE}_2" in cookies
    identity = signouts.read_identity(cookies, SECRET)
    assert identity is not None and identity.email == ANA and identity.claims["groups"] == groups
    del cookies[f"{signouts.COOKIE}_2"]
    assert signouts.read_identity(cookies, SECRET) is None


def test_a_cookie_that_does_not_verify_gives_no_identity(monkeypatch):
    good = streamlit_cookies({"email": ANA})
    assert signouts.read_identity(good, "another-secret-" + SECRET) is None
    assert signouts.read_identity({}, SECRET) is None
    value = good[signouts.COOKIE]
    assert signouts.read_identity({signouts.COOKIE: value[:-2] + "xx"}, SECRET) is None
    payload = json.dumps({"email": "eve@partner.org", "is_logged_in": True})
    assert signouts.read_identity({signouts.COOKIE: payload}, SECRET) is None  # unsigned
    import itsdangerous.timed

    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: time.time_ns() / 1e9 - 40 * 86400)
    old = streamlit_cookies({"email": ANA})
    monkeypatch.undo()
    assert signouts.read_identity(old, SECRET) is None  # 40 days old: past the cookie's life


def test_the_module_imports_no_streamlit():
    code = "import sys, care_dashboard.signouts; print('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=paths.ROOT).stdout.strip() == "False"
