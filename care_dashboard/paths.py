"""Where things live in the repository. One place, so tests can point elsewhere."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUERIES_DIR = ROOT / "queries"
VIEWS_DIR = QUERIES_DIR / "views"
CONTENT_DIR = ROOT / "content"
DEFAULT_DATASET = "care_2025"
