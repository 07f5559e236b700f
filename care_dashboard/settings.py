"""Deployment settings, from environment variables (documented in README, "Settings").

| variable | default | meaning |
|---|---|---|
| CARE_IMPORT_PAGE | on | "off" hides the in-app Import page from everyone; with a login (or under `make serve`) it is offered only to importers (access.py) |
| CARE_SERVE | (none) | set by `make serve` (deploy/serve.py) for its workers: without a login every visitor is anonymous (public datasets only, no Import page) |
| CARE_ACCESS_FILE | (none) | the access file: who is a partner or an importer (care_dashboard/access.py) |
| CARE_SMALL_NUMBER_THRESHOLD | 5 | in organisation-level views of record-level data, counts of people below this show as "<N" |
| ATTENDANCE_ID_KEY | (none) | the secret pseudonymisation key itself |
| ATTENDANCE_ID_KEY_FILE | ~/.config/care-dashboard/attendance_id.key | file holding the key, outside data/ |
| CARE_IMPORT_DIR | $XDG_RUNTIME_DIR/care-dashboard/imports, else ~/.cache/care-dashboard/imports | private folder (0700, outside data/) where an import in progress keeps its files and state, so another worker or a reloaded page can say what became of it (care_dashboard/ingest/pending.py); `make serve` sets it to its runtime folder |
| CARE_WARM_KEY | (none) | set by `make serve` (deploy/serve.py) for its workers and its warm-up, a new random value at each start: a websocket that presents it (deploy/warm.py, on the worker's loopback port) is not slowed to a visitor's message rate (care_dashboard/guard/asgi.py) |
| CARE_DATA_URL | (none) | a dataset store whose datasets are listed beside those in data/: a local folder, s3://bucket/prefix or gs://bucket/prefix, laid out as `scripts/export_to_store.py` writes it (docs/performance.md, "Beyond one machine"); credentials come from the environment, never from the repo |
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_KEY_FILE = Path.home() / ".config" / "care-dashboard" / "attendance_id.key"
# Object stores DuckDB can list (glob) through its httpfs extension. A plain https:// server
# cannot list its files, so datasets there could not be found; S3-compatible stores use s3://.
REMOTE_SCHEMES = ("s3", "gs", "gcs")


def import_page_enabled(value: str | None = None) -> bool:
    """CARE_IMPORT_PAGE (or ``value``, its text) read as on or off."""
    raw = os.environ.get("CARE_IMPORT_PAGE", "on") if value is None else value
    return raw.strip().lower() not in ("off", "0", "false", "no")


def serving() -> bool:
    """True in the workers of `make serve` (deploy/serve.py sets CARE_SERVE=1): a server for many
    visitors, never "this machine's one user"."""
    return os.environ.get("CARE_SERVE", "").strip().lower() in ("1", "on", "true", "yes")


def small_number_threshold() -> int:
    raw = os.environ.get("CARE_SMALL_NUMBER_THRESHOLD", "5")
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"CARE_SMALL_NUMBER_THRESHOLD must be a whole number, not {raw!r}") from None
    if value < 1:
        raise ValueError("CARE_SMALL_NUMBER_THRESHOLD must be at least 1")
    return value


def key_file() -> Path:
    return Path(os.environ.get("ATTENDANCE_ID_KEY_FILE", str(DEFAULT_KEY_FILE))).expanduser()


def import_dir() -> Path:
    """CARE_IMPORT_DIR, or by default a folder in the user's runtime folder (in memory on most
    Linux systems, emptied at logout), else in the user's cache."""
    raw = os.environ.get("CARE_IMPORT_DIR", "").strip()
    if raw:
        return Path(raw).expanduser()
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "care-dashboard" / "imports"
    return Path.home() / ".cache" / "care-dashboard" / "imports"


def data_url() -> str | None:
    """CARE_DATA_URL: the root of a dataset store (no trailing slash), or None when unset.
    A local folder is made absolute, so the views over its files do not depend on the working
    directory."""
    raw = os.environ.get("CARE_DATA_URL", "").strip()
    if not raw:
        return None
    if "://" in raw:
        scheme = raw.split("://", 1)[0].lower()
        if scheme not in REMOTE_SCHEMES:
            raise ValueError(
                f"CARE_DATA_URL must be a local folder or start with "
                f"{', '.join(s + '://' for s in REMOTE_SCHEMES)}, not {raw!r}"
                + (" (an https:// server cannot list its files; for an S3-compatible store use s3://)"
                   if scheme in ("http", "https") else "")
            )
        return raw.rstrip("/")
    return str(Path(raw).expanduser().resolve())


WARM_KEY_ENV = "CARE_WARM_KEY"
# the header the warm-up presents it in (deploy/viewer.py); the proxy drops it from every request
WARM_KEY_HEADER = "x-care-warm-key"


def warm_key() -> str | None:
    """The warm-up's key for this start of ``make serve``, or None (no warm-up is trusted). Too
    short a value is ignored: a key must not be guessable."""
    raw = os.environ.get(WARM_KEY_ENV, "").strip()
    return raw if len(raw) >= 32 else None
