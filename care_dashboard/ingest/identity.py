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
import math
import os
import secrets
import stat
from collections import Counter
from pathlib import Path

from .. import paths, settings

MIN_KEY_LENGTH = 32
# A key must be hard to guess: with it, anyone holding a list of document numbers finds those
# people in the data. A rough measure of what a key holds: its length times the Shannon entropy
# of its characters: 64 random hex digits give about 250 bits, a 34-character passphrase about
# 125, "a" * 32 gives 0.
MIN_KEY_BITS = 100
MIN_DISTINCT_CHARACTERS = 10


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
    raise KeyRefused(f"the key file {path} is inside {data_dir}; move it outside the data folder")


class KeyRefused(KeyMissing):
    """A key that is there but must not be used (readable by others, too easy to guess)."""


def key_bits(key: str) -> float:
    """Length times the Shannon entropy per character: a rough upper bound of what a key holds."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values()) if key else 0.0


def _repeats(key: str) -> bool:
    """True when the key is a shorter text written again and again ("abcd" * 8)."""
    return any(len(key) % n == 0 and key[:n] * (len(key) // n) == key for n in range(1, len(key) // 2 + 1))


def _check_strength(key: str, where: str) -> None:
    weak = None
    if len(key) < MIN_KEY_LENGTH:
        weak = f"is too short: use at least {MIN_KEY_LENGTH} characters"
    elif len(set(key)) < MIN_DISTINCT_CHARACTERS or key_bits(key) < MIN_KEY_BITS or _repeats(key):
        weak = "is too easy to guess (too few different characters, or a pattern repeated)"
    if weak:
        raise KeyRefused(f"{where} {weak}. Make a new random key with:  python ingest.py --make-key "
                         "(and, if this key was used for imports, re-import every sheet with --replace)")


def _check_private(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyRefused(f"the key file {path} can be read or changed by other users (mode {mode:04o}); "
                         f"make it readable only by you with:  chmod 600 {path}")


def load_key(data_dir: Path | None = None) -> bytes:
    """The key from ATTENDANCE_ID_KEY or the key file. Raises KeyMissing when there is none, and
    KeyRefused (a KeyMissing) when the file is inside data/ or readable by group or others, or
    the key is short or easy to guess: each message says how to fix it."""
    data_dir = data_dir or paths.DATA_DIR
    env = os.environ.get("ATTENDANCE_ID_KEY")
    if env:
        _check_strength(env, "ATTENDANCE_ID_KEY")
        return env.encode("utf-8")
    path = settings.key_file()
    if not path.is_file():
        raise KeyMissing(how_to_make_a_key())
    _check_outside_data(path, data_dir)
    _check_private(path)
    key = path.read_text(encoding="utf-8").strip()
    _check_strength(key, f"the key in {path}")
    return key.encode("utf-8")


def key_in_environment() -> bool:
    return bool(os.environ.get("ATTENDANCE_ID_KEY"))


def key_status(data_dir: Path | None = None) -> str:
    """"ok"; "missing" when there is no key at all (the Import page offers to make one); or
    "refused" when there is one that must not be used (load_key says why)."""
    try:
        load_key(data_dir)
    except KeyRefused:
        return "refused"
    except KeyMissing:
        return "missing"
    return "ok"


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
