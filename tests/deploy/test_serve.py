"""`make serve`'s stack, for real: deploy/serve.py starts Caddy and two Streamlit workers on free
local ports. On the wire: compression, cache and security headers, body limits, host names. In
Chromium: the pages render through the proxy with no Content-Security-Policy violation and
within the 3 MB budget of a first visit; a session stays on its worker across reruns; a worker
killed mid-session leaves the other sessions working and is restarted; stopping the supervisor
leaves no process behind. Every wait polls a condition with a deadline."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid

import pytest

from bench import transfer
from care_dashboard import paths

from . import stack as st
from .stack import http, wait_until

SERVE = [sys.executable, str(paths.ROOT / "deploy" / "serve.py")]
FIRST_VISIT_BUDGET_BYTES = 3_000_000
# a deep link's frontend first probes /PAGE/_stcore/health and /PAGE/_stcore/host-config (404)
PROBE_404 = "Failed to load resource: the server responded with a status of 404 (Not Found)"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    s = st.start(tmp_path_factory.mktemp("serve"), workers=2)
    yield s
    started = st.stop(s)
    assert not [p for p in started if st.alive(p)], s.log()


def main_bundle(url: str) -> str:
    status, _, body = http(f"{url}/")
    assert status == 200
    return re.search(r'src="\./(static/js/index\.[A-Za-z0-9_-]{8}\.js)"', body.decode()).group(1)


# ---- configuration -----------------------------------------------------------------------------

def serve_module():
    sys.path.insert(0, str(paths.ROOT / "deploy"))
    import serve

    return serve


def adapt(env: dict, tmp_path) -> dict:
    """The JSON config Caddy makes of the Caddyfile serve.py writes with ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CARE_") and k != "PORT"}
    config = subprocess.run([*SERVE, "--print-config"], env={**clean, **env}, capture_output=True,
                            text=True, check=True).stdout
    (tmp_path / "Caddyfile").write_text(config)
    done = subprocess.run([serve_module().find_caddy(), "adapt", "--adapter", "caddyfile",
                           "--config", str(tmp_path / "Caddyfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_domain_is_served_with_automatic_https_and_hsts(tmp_path):
    config = adapt({"CARE_DOMAIN": "care.example.org", "CARE_ACME_EMAIL": "ops@example.org"}, tmp_path)
    server = config["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]  # Caddy adds :80 for the HTTP->HTTPS redirect itself
    assert server["routes"][0]["match"] == [{"host": ["care.example.org"]}]
    assert "automatic_https" not in server  # not disabled: certificates are obtained and renewed
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["email"] == "ops@example.org"
    text = json.dumps(config)
    assert "Strict-Transport-Security" in text and "max-age=31536000" in text
    assert config["admin"]["disabled"] is True


def test_local_config_binds_loopback_only_and_has_no_hsts(tmp_path):
    config = adapt({"PORT": "8080"}, tmp_path)
    server = config["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == ["127.0.0.1:8080"]
    assert server["automatic_https"]["disable"] is True
    assert server["routes"][0]["match"] == [{"host": ["127.0.0.1", "localhost"]}]
    assert "Strict-Transport-Security" not in json.dumps(config)


def test_workers_answer_only_the_served_host_names():
    """Streamlit's allowedHosts is the served names, on each worker's command line."""
    serve = serve_module()
    s = serve.settings_from_env({"CARE_DOMAIN": "care.example.org"})
    argv = serve.worker_argv(s, 9999)
    assert argv[argv.index("--server.allowedHosts") + 1] == "care.example.org"
    assert argv[argv.index("--server.address") + 1] == "127.0.0.1"
    assert serve.settings_from_env({}).import_page == "on"  # offered to importers only: needs a login
    assert argv[argv.index("--secrets.files") + 1].endswith(".streamlit/secrets.toml")
    assert serve.worker_env(s, paths.ROOT)["CARE_SERVE"] == "1"
    assert serve.settings_from_env({"CARE_IMPORT_PAGE": "on"}).import_page == "on"


def test_the_login_and_access_files_are_checked_before_anything_starts(tmp_path, monkeypatch):
    serve = serve_module()
    monkeypatch.delenv("CARE_ACCESS_FILE", raising=False)
    secrets = tmp_path / "secrets.toml"
    s = serve.settings_from_env({"CARE_SECRETS_FILE": str(secrets)})
    assert serve.check_login(s).startswith("no login (no secrets file)")
    with pytest.raises(SystemExit, match="must be a .toml file"):
        serve.check_login(serve.settings_from_env({"CARE_SECRETS_FILE": str(tmp_path)}))
    secrets.write_text('[auth]\nredirect_uri = "http://127.0.0.1:8080/oauth2callback"\n')
    with pytest.raises(SystemExit, match="lacks cookie_secret, client_id, client_secret, server_metadata_url"):
        serve.check_login(s)
    # a strong cookie secret (weak ones are refused: tests/test_login.py)
    secrets.write_text("".join(f'{k} = "x"\n' for k in ("[auth]\nredirect_uri", "client_id", "client_secret",
                                                          "server_metadata_url"))
                       + 'cookie_secret = "0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a"\n')
    monkeypatch.setenv("CARE_STATE_DIR", str(tmp_path / "state"))  # the login's state, checked at start too
    assert serve.check_login(s).startswith("login through x; access file (no access file)")
    (tmp_path / "access.toml").write_text('[roles]\npartner = ["not an address"]\n')
    monkeypatch.setenv("CARE_ACCESS_FILE", str(tmp_path / "access.toml"))
    with pytest.raises(SystemExit, match="CARE_ACCESS_FILE: .*neither an e-mail address"):
        serve.check_login(s)


# ---- on the wire ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["zstd", "gzip", "br"])
def test_the_main_bundle_is_compressed_and_cached_for_a_year(stack, encoding):
    bundle = main_bundle(stack.url)
    status, headers, body = http(f"{stack.url}/{bundle}", {"Accept-Encoding": encoding})
    plain = http(f"{stack.url}/{bundle}", {"Accept-Encoding": "identity"})[2]
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert len(body) < len(plain) / 2.5, (len(body), len(plain))
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in headers.get("Vary", "")


def test_pages_are_not_cached_and_carry_the_security_headers(stack):
    status, headers, body = http(f"{stack.url}/territory", {"Accept-Encoding": "zstd, gzip"})
    assert status == 200 and headers["Content-Encoding"] in ("zstd", "gzip")
    assert headers["Cache-Control"] == "no-cache"
    csp = headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "connect-src 'self'"):
        assert directive in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'wasm-unsafe-eval' blob: 'sha256-" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS only with HTTPS
    assert "Server" not in headers  # neither "Caddy" nor "uvicorn"
    assert "care_worker=" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]


def test_internal_metrics_and_unknown_host_names_are_refused(stack):
    assert http(f"{stack.url}/_stcore/metrics")[0] == 404
    assert http(f"{stack.url}/_stcore/health")[0] == 200
    status, _, body = http(f"{stack.url}/", {"Host": f"evil.example:{stack.url.rsplit(':', 1)[1]}"})
    assert status == 421 and b"answers only" in body


def _session(stack_url: str):
    """A real Streamlit session through the proxy: (cookie header, xsrf token, session id)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    status, headers, _ = http(f"{stack_url}/_stcore/health")
    cookies = dict(c.split(";", 1)[0].split("=", 1) for c in headers.get_all("Set-Cookie"))
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    host = stack_url.split("//", 1)[1]
    ws = connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=stack_url,
                 additional_headers={"Cookie": cookie}, open_timeout=30)
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    ws.send(msg.SerializeToString())
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(ws.recv(timeout=60))
        if fwd.WhichOneof("type") == "new_session":
            return ws, cookie, cookies["_streamlit_xsrf"], fwd.new_session.initialize.session_id


def _put(stack_url, cookie, xsrf, session_id, size):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + b"a" * size + f"\r\n--{boundary}--\r\n".encode()
    return http(f"{stack_url}/_stcore/upload_file/{session_id}/{uuid.uuid4().hex}", method="PUT", data=body,
                headers={"Cookie": cookie, "X-Xsrftoken": xsrf, "Content-Type": f"multipart/form-data; boundary={boundary}"},
                timeout=60)[0]


def test_uploads_are_refused_by_the_proxy_when_nobody_can_import(stack):
    """No login: nobody may import, so the proxy refuses every upload, small or over the limit
    (the limit with a login: tests/test_guard.py)."""
    ws, cookie, xsrf, session_id = _session(stack.url)
    try:
        assert _put(stack.url, cookie, xsrf, session_id, 200_000) == 403
        try:
            status = _put(stack.url, cookie, xsrf, session_id, 12 * 1024 * 1024)
        except OSError as exc:  # Caddy may close the connection while the client still sends
            status = exc
        assert status == 403 or "Connection reset" in str(status) or "Broken pipe" in str(status), status
    finally:
        ws.close()


# ---- in Chromium -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["territory", "people?dataset=care_2025_synthetic", "", "method?lang=es"])
def test_pages_render_through_the_proxy_with_no_csp_violation(stack, browser, path):
    visit = transfer.first_visit(browser, f"{stack.url}/{path}")
    assert visit["csp_violations"] == []
    assert [e for e in visit["console_errors"] if e != PROBE_404] == []
    if path == "territory":
        assert visit["http_bytes"] <= FIRST_VISIT_BUDGET_BYTES, visit["largest"]


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto(url)
    transfer.wait_for_dashboard(page)
    return context, page


def _worker(stack_, context) -> int | None:
    value = next((c["value"] for c in context.cookies() if c["name"] == "care_worker"), None)
    return st.worker_of_cookie(value, stack_.ports) if value else None


def _rerun(page, lang: str) -> None:
    """Choose the sidebar language (a rerun on the server) and wait for the page to follow."""
    title = {"en": "Overview", "es": "Resumen"}[lang]
    page.get_by_text({"en": "English", "es": "Español"}[lang], exact=True).click()
    page.wait_for_function(
        "t => [...document.querySelectorAll('[data-testid=\"stMainBlockContainer\"] h1')].some(h => h.innerText.includes(t))"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')", arg=title, timeout=30_000)


def _two_sessions_on_two_workers(stack_, browser):
    sessions = []
    for _ in range(6):
        context, page = _open(browser, f"{stack_.url}/")
        sessions.append((context, page, _worker(stack_, context)))
        workers = {w for *_, w in sessions}
        if len(workers) == 2:
            a = next(s for s in sessions if s[2] == sessions[0][2])
            b = next(s for s in sessions if s[2] != sessions[0][2])
            for s in sessions:
                if s is not a and s is not b:
                    s[0].close()
            return a, b
    raise AssertionError(f"six new sessions all went to one worker: {[w for *_, w in sessions]}")


def test_a_session_stays_on_its_worker_across_reruns(stack, browser):
    a, b = _two_sessions_on_two_workers(stack, browser)
    try:
        for context, page, worker in (a, b):
            assert worker in stack.ports
            for lang in ("es", "en", "es", "en"):
                _rerun(page, lang)
                assert _worker(stack, context) == worker
            assert not page.query_selector("[data-testid='stException']")
    finally:
        a[0].close()
        b[0].close()


def test_a_killed_worker_leaves_other_sessions_working_and_is_restarted(stack, browser):
    (ctx_a, page_a, worker_a), (ctx_b, page_b, worker_b) = _two_sessions_on_two_workers(stack, browser)
    try:
        before = {w["port"]: w for w in stack.state()["workers"]}
        killed = before[worker_a]["pid"]
        os.kill(killed, signal.SIGKILL)
        wait_until(lambda: not st.alive(killed), 10, "the killed worker is gone")
        for lang in ("es", "en", "es"):  # the other worker's session goes on as if nothing happened
            _rerun(page_b, lang)
        assert _worker(stack, ctx_b) == worker_b

        def restarted():
            w = {w["port"]: w for w in stack.state()["workers"]}[worker_a]
            return w["pid"] not in (None, killed) and w["ready"] and st.alive(w["pid"])

        wait_until(restarted, 120, f"worker on port {worker_a} restarted and answering")
        assert http(f"http://127.0.0.1:{worker_a}/_stcore/health")[0] == 200
        # The killed worker's browser reconnects by itself (to the other worker, which holds no
        # session of it). Its first click there is lost: the new session's first run makes its
        # widgets anew (ui_nav.leave_legacy_pages_mode), so the browser's values do not match; later
        # clicks work. A reload, as a person would do, gives a working page at once.
        page_a.reload()
        transfer.wait_for_dashboard(page_a)
        _rerun(page_a, "es")
        _rerun(page_a, "en")
        assert stack.ready()
    finally:
        ctx_a.close()
        ctx_b.close()


# ---- stopping --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_supervisor_leaves_no_process(tmp_path, sig):
    s = st.start(tmp_path, workers=1)
    ws, *_ = _session(s.url)  # an open WebSocket through Caddy while it stops
    runtime = re.search(r"(/\S+/care-serve-[^/\s]+)/Caddyfile", s.log())
    started = s.pids()
    assert len(started) == 2 and all(st.alive(p) for p in started)
    st.stop(s, sig)
    ws.close()
    assert s.proc.returncode == 0, s.log()
    assert [p for p in started if st.alive(p)] == []
    assert [m for p in started for m in st.group_members(p)] == []  # nothing left in their groups
    assert runtime is None or not os.path.exists(runtime.group(1))
    assert not s.state_file.exists()
