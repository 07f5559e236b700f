"""The dataset tests/test_import_faults.py writes, shared with the writer it starts in a process of
its own (a module of its own, not the test file, so that the writer imports no tests and no
pytest)."""

import itertools

import pandas as pd

from care_dashboard import schema
from tests import fixtures

NAME = "faulty"
KIND = "record_level"


def record_tables(n: int) -> dict[str, pd.DataFrame]:
    """The fixture's reference tables and ``n`` attendance records, each a different person: so
    the dataset shows ``n`` participations and ``n`` distinct people."""
    cols = {t: list(schema.ALL_TABLES[t].columns) for t in fixtures.RECORD_TABLES}
    tables = {t: pd.DataFrame(rows, columns=cols[t]) for t, rows in fixtures.RECORD_TABLES.items()}
    rows = [(s, d, c, t, o, f"p{i}", r) for i, (s, d, c, t, o, _, r) in zip(range(n), itertools.cycle(fixtures.ATTENDANCE))]
    tables["attendance"] = pd.DataFrame(rows, columns=cols["attendance"])
    return tables
