"""The pseudonymisation key and the person key.

A person key is HMAC-SHA256(secret key, normalised document number), written as 64 hex digits.
Without the key nobody can tell which document number a key stands for, and the same person gets
the same key in every import made with the same key, so people can be counted across sheets.

The key comes from the environment variable ATTENDANCE_ID_KEY or from a key file (by default
~/.config/care-dashboard/attendance_id.key, or the path in ATTENDANCE_ID_KEY_FILE). It is never
stored under data/ and never committed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .. import paths, settings

MIN_KEY_LENGTH = 32


class KeyMissing(RuntimeError):
    pass


def how_to_make_a_key() -> str:
    return (
        "no pseudonymisation key found. Create one with:  python ingest.py --make-key\n"
        f"(it writes a random key to {settings.key_file()}, readable only by you), or set the environment "
        "variable ATTENDANCE_ID_KEY to a secret of at least 32 characters. Use the same key for every "
        "import of a programme, keep a copy in a safe place, and never commit or share it."
    )


def _check_outside_data(path: Path, data_dir: Path) -> None:
    try:
        path.resolve().relative_to(data_dir.resolve())
    except ValueError:
        return
    raise KeyMissing(f"the key file {path} is inside {data_dir}; move it outside the data folder")


def load_key(data_dir: Path | None = None) -> bytes:
    data_dir = data_dir or paths.DATA_DIR
    env = os.environ.get("ATTENDANCE_ID_KEY")
    if env:
        if len(env) < MIN_KEY_LENGTH:
            raise KeyMissing(f"ATTENDANCE_ID_KEY is too short: use at least {MIN_KEY_LENGTH} characters")
        return env.encode("utf-8")
    path = settings.key_file()
    if not path.is_file():
        raise KeyMissing(how_to_make_a_key())
    _check_outside_data(path, data_dir)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise KeyMissing(f"the key in {path} is too short: use at least {MIN_KEY_LENGTH} characters")
    return key.encode("utf-8")


def make_key(path: Path | None = None, data_dir: Path | None = None) -> Path:
    """Write a new random key (64 hex digits) to a file only its owner can read. Never overwrites."""
    path = path or settings.key_file()
    _check_outside_data(path, data_dir or paths.DATA_DIR)
    if path.exists():
        raise FileExistsError(f"{path} already exists: keep using it (a new key would make new person keys)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secrets.token_hex(32) + "\n")
    return path


def person_key(document: str, key: bytes) -> str:
    return hmac.new(key, document.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short fingerprint telling whether two imports used the same key (reveals nothing of it)."""
    return hmac.new(key, b"care-dashboard key id", hashlib.sha256).hexdigest()[:12]
