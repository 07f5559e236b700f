"""Deployment settings, from environment variables (documented in README, "Settings").

| variable | default | meaning |
|---|---|---|
| CARE_IMPORT_PAGE | on | "off" hides the in-app Import page (public deployments) |
| CARE_SMALL_NUMBER_THRESHOLD | 5 | in organisation-level views of record-level data, counts of people below this show as "<N" |
| ATTENDANCE_ID_KEY | (none) | the secret pseudonymisation key itself |
| ATTENDANCE_ID_KEY_FILE | ~/.config/care-dashboard/attendance_id.key | file holding the key, outside data/ |
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_KEY_FILE = Path.home() / ".config" / "care-dashboard" / "attendance_id.key"


def import_page_enabled() -> bool:
    return os.environ.get("CARE_IMPORT_PAGE", "on").strip().lower() not in ("off", "0", "false", "no")


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
