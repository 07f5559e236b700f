"""care_dashboard.guard, the ASGI middleware in front of Streamlit's server (app.py), driven with
ASGI messages around a stand-in for Streamlit: private downloads only for their account and only
while its login holds (signouts), uploads refused before their body is read unless the Import page
registered the session, the token buckets, the one upload figure, and the proxy's part of it in
the Caddyfile serve.py writes (Secure cookies under HTTPS, body timeouts, uploads refused when
nobody can import). The same defences through the real stack: tests/deploy/test_guard.py."""

from __future__ import annotations

import asyncio
import time

import pytest

from care_dashboard import signouts
from care_dashboard.guard import asgi, identity, limits
from care_dashboard.guard.buckets import Bucket, Buckets, Flood
from care_dashboard.guard.registry import PUBLIC, Registry, UploadGrant
from tests import event_loop

SECRET = "6b1d0e7c2a9f4e3b8d5c1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"
ORIGIN = "http://127.0.0.1:8080"
ANA = {"is_logged_in": True, "email": "ana@partner.org", "email_verified": True, "sub": "ana-1",
       "iss": "https://id.example.org", "provider": "default", "origin": ORIGIN}
LUIS = {**ANA, "email": "luis@partner.org", "sub": "luis-2"}
FILE = "3f9a0c1b2d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0"


def streamlit_cookies(claims: dict, secret: str) -> dict[str, str]:
    """The identity cookies as Streamlit's login callback writes them (signed, split when large)."""
    from streamlit.auth_util import set_cookie_with_chunks
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    jar: dict[str, str] = {}
    set_cookie_with_chunks(lambda name, value: jar.__setitem__(name, create_signed_value(secret, name, value).decode()),
                           lambda name, value: create_signed_value(secret, name, value), signouts.COOKIE, claims,
                           cookie_attr_size=60)
    return jar


@pytest.fixture(autouse=True)
def login_state(tmp_path, monkeypatch):
    monkeypatch.setenv(signouts.STATE_ENV, str(tmp_path / "state"))
    monkeypatch.delenv(signouts.IDLE_ENV, raising=False)
    monkeypatch.setattr("streamlit.web.server.server_util.get_cookie_secret", lambda: SECRET)
    signouts._touched.clear()


class Streamlit:
    """The app behind the guard: answers 200 and notes what reached it and whether the request's
    body was read."""

    def __init__(self):
        self.reached: list[str] = []

    async def __call__(self, scope, receive, send):
        self.reached.append(scope["path"])
        if scope["method"] == "PUT":
            while (await receive()).get("more_body"):
                pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the file"})


def request(guard, method: str, path: str, cookies: dict | None = None, body: bytes = b"",
            headers: dict | None = None) -> tuple[int, bytes, int]:
    """One request through ``guard``: its status, its body, and how many body messages were read."""
    head = {"host": "127.0.0.1:8080", **(headers or {})}
    if cookies:
        head["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    scope = {"type": "http", "method": method, "path": path, "scheme": "http",
             "headers": [(k.encode(), v.encode()) for k, v in head.items()], "client": ("127.0.0.1", 5000)}
    read, sent = [0], []

    async def receive():
        read[0] += 1
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    event_loop.run(guard(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"), read[0]


def guarded() -> tuple[asgi.Guard, Streamlit, Registry]:
    inner, registry = Streamlit(), Registry()
    return asgi.Guard(inner, registry=registry), inner, registry


# ---- downloads (/media) ------------------------------------------------------------------------

def test_a_private_download_is_served_only_to_its_account():
    guard, inner, registry = guarded()
    registry.add_owner(FILE, identity.account(ANA))
    url = f"/media/{FILE}.csv"
    assert request(guard, "GET", url)[:2] == (404, b"File not found")  # no cookie: the bearer URL of main
    assert request(guard, "GET", url, streamlit_cookies(LUIS, SECRET))[0] == 404  # another account
    assert request(guard, "GET", url, streamlit_cookies(ANA, "another-secret-" + SECRET))[0] == 404  # forged
    assert request(guard, "GET", url, streamlit_cookies({**ANA, "origin": "http://evil.example"}, SECRET))[0] == 404
    assert inner.reached == []
    assert request(guard, "GET", url, streamlit_cookies(ANA, SECRET))[:2] == (200, b"the file")
    assert inner.reached == [url]


def test_a_private_download_is_refused_once_its_login_has_ended():
    guard, inner, registry = guarded()
    registry.add_owner(FILE, identity.account(ANA))
    saved = streamlit_cookies(ANA, SECRET)  # the cookie a browser held, saved before Log out
    url = f"/media/{FILE}.csv"
    assert request(guard, "GET", url, saved)[0] == 200
    signouts.sign_out(ANA["email"], now=time.time() + 1)  # Log out, in this or any other browser
    assert request(guard, "GET", url, saved)[0] == 404
    assert request(guard, "HEAD", url, saved)[0] == 404
    assert inner.reached == [url]


def test_a_private_download_is_refused_to_an_idle_login(monkeypatch):
    guard, _, registry = guarded()
    registry.add_owner(FILE, identity.account(ANA))
    cookies = streamlit_cookies(ANA, SECRET)
    monkeypatch.setenv(signouts.IDLE_ENV, "1h")
    assert request(guard, "GET", f"/media/{FILE}.csv", cookies)[0] == 200
    real = time.time()
    monkeypatch.setattr(signouts.time, "time", lambda: real + 2 * 3600)
    assert request(guard, "GET", f"/media/{FILE}.csv", cookies)[0] == 404


def test_public_downloads_and_unknown_files():
    guard, _, registry = guarded()
    registry.add_owner(FILE, PUBLIC)  # made by an anonymous session: public data only
    assert request(guard, "GET", f"/media/{FILE}.csv")[0] == 200
    assert request(guard, "GET", "/media/0123456789abcdef.csv", streamlit_cookies(ANA, SECRET))[0] == 404
    registry.add_owner("feedbeef", None)  # a maker the guard could not tell: nobody
    assert request(guard, "GET", "/media/feedbeef.html", streamlit_cookies(ANA, SECRET))[0] == 404


# ---- uploads -----------------------------------------------------------------------------------

def upload_path(session: str = "s-1", file: str = "f-1") -> str:
    return f"/_stcore/upload_file/{session}/{file}"


def test_an_upload_to_a_session_the_import_page_did_not_register_is_refused_unread():
    guard, inner, registry = guarded()
    status, body, read = request(guard, "PUT", upload_path(), body=b"x" * 1000)
    assert (status, read) == (403, 0) and b"Import page" in body
    assert inner.reached == []
    registry.allow_uploads(UploadGrant("s-1", None, None))  # make run: no login, the machine's user
    assert request(guard, "PUT", upload_path(), body=b"x" * 1000)[::2] == (200, 1)
    assert request(guard, "PUT", upload_path("s-2"), body=b"x")[0] == 403


def test_an_importers_upload_is_taken_only_from_that_login_while_it_holds(tmp_path, monkeypatch):
    (tmp_path / "access.toml").write_text('[roles]\nimporter = ["ana@partner.org"]\npartner = ["luis@partner.org"]\n')
    monkeypatch.setenv("CARE_ACCESS_FILE", str(tmp_path / "access.toml"))
    monkeypatch.setenv("CARE_SERVE", "1")
    guard, _, registry = guarded()
    registry.allow_uploads(UploadGrant("s-1", identity.account(ANA), ANA["email"]))
    ana = streamlit_cookies(ANA, SECRET)
    assert request(guard, "PUT", upload_path(), body=b"x")[::2] == (403, 0)
    assert request(guard, "PUT", upload_path(), streamlit_cookies(LUIS, SECRET), body=b"x")[::2] == (403, 0)
    assert request(guard, "PUT", upload_path(), ana, body=b"x")[::2] == (200, 1)
    signouts.sign_out(ANA["email"], now=time.time() + 1)
    assert request(guard, "PUT", upload_path(), ana, body=b"x")[::2] == (403, 0)


def test_an_upload_declared_over_the_limit_is_refused_unread():
    guard, _, registry = guarded()
    registry.allow_uploads(UploadGrant("s-1", None, None))
    big = str(limits.upload_body_bytes() + 1)
    assert request(guard, "PUT", upload_path(), headers={"content-length": big})[::2] == (413, 0)


def test_one_upload_figure_in_decimal_megabytes_as_the_browser_counts():
    # the browser's uploader refuses a 10,076,106-byte file under "10MB": the server's figure is the same
    assert limits.upload_limit_mb() == 10
    assert limits.upload_file_bytes() == 10_000_000 < 10_076_106
    assert 10_000_000 < limits.upload_body_bytes() < 10_076_106


# ---- the token buckets -------------------------------------------------------------------------

def test_a_bucket_lets_a_burst_through_and_slows_a_flood_to_its_rate():
    b = Bucket.full(rate=6, burst=30, now=0.0)
    assert [b.take(0.0) for _ in range(30)] == [0.0] * 30  # a person's clicks, a presenter's keys
    waits = [b.take(0.0) for _ in range(12)]
    assert waits[0] == pytest.approx(1 / 6) and waits[-1] == pytest.approx(2.0)
    assert b.take(10.0) == 0.0  # ten seconds later: full again (up to its burst)


def test_a_room_of_50_phones_behind_one_address_gets_through():
    d = limits.DEFAULT
    room = Buckets(d.client_rate, d.client_burst)
    # fifty phones open the link within two seconds, one message each, then one click each every 10 s
    waits = [room.take("203.0.113.7", i * 0.04) for i in range(50)]
    assert max(waits) == 0.0
    later = [room.take("203.0.113.7", 10 + i * 0.2) for i in range(50)]
    assert max(later) < 1.0
    assert room.take("198.51.100.1", 2.0) == 0.0  # another address has its own bucket


def test_only_a_connection_that_keeps_a_backlog_is_closed():
    f = Flood(close_after_s=15)
    assert not any(f.note(True, 0.2, t / 10) for t in range(149))
    assert f.note(True, 0.2, 15.0)
    g = Flood(close_after_s=15)
    # a person: never a message queued behind the last one, whatever the wait
    assert not any(g.note(False, 0.5, t) for t in range(60))


def websocket_waits(monkeypatch, headers: dict[str, str], messages: int = 6) -> list[float]:
    """The waits the guard puts on ``messages`` websocket messages sent at once by one connection
    with these handshake headers (asyncio.sleep is noted, not slept), at one message a second
    with a burst of two."""
    waits: list[float] = []

    async def note(seconds):
        waits.append(round(seconds, 3))

    monkeypatch.setattr(asgi.asyncio, "sleep", note)
    monkeypatch.setattr(asgi.time, "monotonic", lambda: 1000.0)  # all of them in the same instant
    strict = limits.Limits(connection_rate=1.0, connection_burst=2.0, client_rate=1.0, client_burst=2.0)
    queue = [{"type": "websocket.receive", "bytes": b"rerun"} for _ in range(messages)]

    async def receive():
        return queue.pop(0) if queue else {"type": "websocket.disconnect", "code": 1000}

    async def app(scope, receive_, send_):
        while (await receive_())["type"] == "websocket.receive":
            pass

    async def send(message):
        pass

    scope = {"type": "websocket", "path": asgi.STREAM_PATH, "scheme": "ws", "client": ("127.0.0.1", 5000),
             "headers": [(k.encode(), v.encode()) for k, v in {"host": "127.0.0.1:8501", **headers}.items()]}
    event_loop.run(asgi.Guard(app, limits_=strict, registry=Registry())(scope, receive, send))
    return waits


WARM_KEY = "k" * 20 + "3f9a0c1b2d4e5f60718293a4"


def test_only_the_warm_up_presenting_this_start_s_key_is_not_slowed(monkeypatch):
    monkeypatch.setenv("CARE_WARM_KEY", WARM_KEY)
    assert websocket_waits(monkeypatch, {"x-care-warm-key": WARM_KEY}) == []
    # a visitor, a wrong key, or the right one when no key was given to this start: slowed to the rate
    assert websocket_waits(monkeypatch, {}) == [1.0, 2.0, 3.0, 4.0]
    assert websocket_waits(monkeypatch, {"x-care-warm-key": WARM_KEY[:-1] + "x"}) == [1.0, 2.0, 3.0, 4.0]
    monkeypatch.delenv("CARE_WARM_KEY")
    assert websocket_waits(monkeypatch, {"x-care-warm-key": WARM_KEY}) == [1.0, 2.0, 3.0, 4.0]
    monkeypatch.setenv("CARE_WARM_KEY", "short")  # a guessable key is no key
    assert websocket_waits(monkeypatch, {"x-care-warm-key": "short"}) == [1.0, 2.0, 3.0, 4.0]


def test_the_proxy_passes_no_warm_up_key_on_to_a_worker(tmp_path):
    (proxy,) = handlers(caddy_config({"PORT": "8080"}, tmp_path), "reverse_proxy")
    assert "X-Care-Warm-Key" in proxy["headers"]["request"]["delete"]


# ---- the proxy (the Caddyfile serve.py writes, as Caddy reads it) --------------------------------

def caddy_config(env: dict, tmp_path) -> dict:
    from tests.deploy.test_serve import adapt

    return adapt(env, tmp_path)


def handlers(config: dict, kind: str) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("handler") == kind:
                found.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(config)
    return found


def test_under_https_streamlits_cookies_get_secure(tmp_path):
    config = caddy_config({"CARE_DOMAIN": "care.example.org"}, tmp_path)
    (proxy,) = handlers(config, "reverse_proxy")
    (replace,) = proxy["headers"]["response"]["replace"]["Set-Cookie"]
    assert replace == {"search_regexp": "^(_streamlit_.*)$", "replace": "$1; Secure"}
    local = caddy_config({"PORT": "8080"}, tmp_path)
    assert "replace" not in handlers(local, "reverse_proxy")[0]["headers"]["response"]


def test_a_request_body_that_stops_coming_is_cut_by_the_proxy(tmp_path):
    config = caddy_config({"PORT": "8080"}, tmp_path)
    (server,) = config["apps"]["http"]["servers"].values()
    assert server["read_idle_timeout"] == 10 * 10**9  # read_body_idle: reset by every byte read


def test_uploads_refused_at_the_proxy_when_nobody_can_import(tmp_path):
    config = caddy_config({"PORT": "8080"}, tmp_path)  # no login configured
    refusals = [h for h in handlers(config, "static_response") if h.get("status_code") == 403]
    assert refusals and "uploads are not taken" in refusals[0]["body"]
    assert not [h for h in handlers(config, "request_body") if h.get("max_size", 0) > 2**20]


# ---- what an ended session held ------------------------------------------------------------------

class Runtime:
    """Streamlit's runtime as sessions.release sees it, with Streamlit's own managers of uploads
    and downloads."""

    def __init__(self, active: set[str]):
        from streamlit.runtime.media_file_manager import MediaFileManager
        from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
        from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

        self.active, self.closed = active, []
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")
        self.media_file_mgr = MediaFileManager(MemoryMediaFileStorage("/media"))

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.active

    def close_session(self, session_id: str) -> None:
        self.closed.append(session_id)


def test_an_ended_sessions_uploads_are_freed_and_a_resumed_ones_kept():
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    from care_dashboard.guard import sessions

    rt, registry = Runtime(active={"resumed"}), Registry()
    for sid in ("ended", "resumed"):
        rt.uploaded_file_mgr.add_file(sid, UploadedFileRec("f-1", "sheet.csv", "text/csv", b"a" * 1_000_000))
        registry.allow_uploads(UploadGrant(sid, None, None))
    assert sum(len(r.data) for s in rt.uploaded_file_mgr.file_storage.values() for r in s.values()) == 2_000_000
    assert sessions.release(rt, "ended", registry) is True
    assert sessions.release(rt, "resumed", registry) is False  # a browser reconnected to it
    assert "ended" not in rt.uploaded_file_mgr.file_storage and rt.closed == ["ended"]
    assert len(rt.uploaded_file_mgr.get_files("resumed", ["f-1"])) == 1
    assert registry.upload_grant("ended") is None and registry.upload_grant("resumed") is not None


def test_an_accepted_upload_that_stalls_or_trickles_is_cut():
    from starlette.exceptions import HTTPException

    quick = limits.Limits(upload_idle_s=0.3, upload_min_bytes_per_s=1000)
    registry = Registry()
    registry.allow_uploads(UploadGrant("s-1", None, None))
    guard = asgi.Guard(Streamlit(), quick, registry)

    def upload(chunks: list[tuple[float, bytes]]) -> int:
        """Chunks sent after a pause each; how many the app got before the cut (HTTPException)."""
        got = [0]

        async def receive():
            pause, data = chunks[min(got[0], len(chunks) - 1)]
            await asyncio.sleep(pause)
            got[0] += 1
            return {"type": "http.request", "body": data, "more_body": got[0] < len(chunks)}

        async def send(message):
            pass

        scope = {"type": "http", "method": "PUT", "path": upload_path(), "scheme": "http", "headers": [],
                 "client": ("127.0.0.1", 5000)}
        with pytest.raises(HTTPException) as refused:
            event_loop.run(guard(scope, receive, send))
        assert refused.value.status_code == 408
        return got[0]

    assert upload([(0.0, b"x" * 100), (5.0, b"x")]) == 1  # stalled after its first chunk
    assert upload([(0.1, b"x" * 10)] * 50) < 10  # 100 bytes a second: under the minimum rate
    # a body that keeps coming reaches the app whole
    assert request(asgi.Guard(Streamlit(), quick, registry), "PUT", upload_path(), body=b"x" * 5000)[::2] == (200, 1)


def test_with_a_login_the_proxy_takes_one_file_at_the_limit(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("".join(f'{k} = "x"\n' for k in ("[auth]\nredirect_uri", "client_id", "client_secret",
                                                          "server_metadata_url")) + f'cookie_secret = "{SECRET}"\n')
    config = caddy_config({"PORT": "8080", "CARE_SECRETS_FILE": str(secrets)}, tmp_path)
    sizes = sorted(h["max_size"] for h in handlers(config, "request_body"))
    assert sizes == [2**20, limits.upload_body_bytes()]  # elsewhere 1 MiB; uploads 10,000,000 bytes + framing
    assert not [h for h in handlers(config, "static_response") if h.get("status_code") == 403]
    off = caddy_config({"PORT": "8080", "CARE_SECRETS_FILE": str(secrets), "CARE_IMPORT_PAGE": "off"}, tmp_path)
    assert [h for h in handlers(off, "static_response") if h.get("status_code") == 403]
