"""Named queries: one ``queries/NAME.sql`` each, with a header that documents it.

    -- name:    coverage_by_territory
    -- title:   Participations and organisations by territory and component
    -- grain:   one row per territory per component
    -- params:  $components VARCHAR[], $territories VARCHAR[], $organisations VARCHAR[]
    -- columns: territory_id, component_id, participations_count (NULL = not published), ...
    -- caveats: participation_not_person, organisations_not_summable

Queries are referenced by name, never by path. ``run`` binds parameters (nothing is formatted
into SQL), runs on a fresh cursor, and fails loudly when the parameters or the result columns
differ from the header.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from . import paths

HEADER_KEYS = ("name", "title", "grain", "params", "columns", "caveats")
_HEADER_LINE = re.compile(r"^--\s*(\w+):\s*(.*)$")
_CONTINUATION = re.compile(r"^--\s{2,}(\S.*)$")
_PARAM_IN_SQL = re.compile(r"\$([a-z_][a-z0-9_]*)")


class QueryError(RuntimeError):
    pass


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    grain: str
    params: dict[str, str]  # name -> declared DuckDB type
    columns: tuple[str, ...]
    column_notes: dict[str, str]
    caveats: tuple[str, ...]
    sql: str
    path: Path

    def sql_params(self) -> set[str]:
        """Parameter names used in the SQL body (comments removed)."""
        body = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return set(_PARAM_IN_SQL.findall(body))


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        m = _HEADER_LINE.match(line)
        if m and m.group(1) in HEADER_KEYS:
            last = m.group(1)
            header[last] = m.group(2).strip()
        elif last and (c := _CONTINUATION.match(line)):
            header[last] += " " + c.group(1).strip()
        else:
            last = None
    missing = [k for k in HEADER_KEYS if k not in header]
    if missing:
        raise QueryError(f"{path}: header lacks {', '.join(missing)}")
    if header["name"] != path.stem:
        raise QueryError(f"{path}: header name {header['name']!r} differs from the file name")

    params: dict[str, str] = {}
    if header["params"].strip().lower() != "none":
        for item in _split_top_level(header["params"]):
            m = re.match(r"^\$([a-z_][a-z0-9_]*)\s+(.+)$", item)
            if not m:
                raise QueryError(f"{path}: cannot read parameter {item!r} (write '$name TYPE')")
            params[m.group(1)] = m.group(2).strip()

    columns, notes = [], {}
    for item in _split_top_level(header["columns"]):
        m = re.match(r"^([a-z_][a-z0-9_]*)\s*(?:\((.*)\))?$", item)
        if not m:
            raise QueryError(f"{path}: cannot read column {item!r}")
        columns.append(m.group(1))
        if m.group(2):
            notes[m.group(1)] = m.group(2)
    caveats = tuple(c.strip() for c in header["caveats"].split(",") if c.strip())
    if caveats == ("none",):
        caveats = ()
    return NamedQuery(
        name=header["name"],
        title=header["title"],
        grain=header["grain"],
        params=params,
        columns=tuple(columns),
        column_notes=notes,
        caveats=caveats,
        sql=text,
        path=path,
    )


@functools.cache
def get(name: str) -> NamedQuery:
    path = paths.QUERIES_DIR / f"{name}.sql"
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or not path.is_file():
        raise QueryError(f"no named query {name!r} in {paths.QUERIES_DIR}")
    return parse(path)


def all_names() -> list[str]:
    return sorted(p.stem for p in paths.QUERIES_DIR.glob("*.sql"))


def run(
    con: duckdb.DuckDBPyConnection, schema_name: str, name: str, params: dict[str, object]
) -> pd.DataFrame:
    """Run a named query on a dataset's schema, with bound parameters, on a fresh cursor."""
    query = get(name)
    if set(params) != set(query.params):
        raise QueryError(
            f"query {name!r} takes parameters {sorted(query.params)}, was given {sorted(params)}"
        )
    cur = con.cursor()
    try:
        # schema_name comes from a validated dataset name (datasets.validate_name)
        cur.execute(f"SET search_path = '{schema_name}'")
        df = cur.execute(query.sql, params).df()
    except duckdb.Error as exc:
        raise QueryError(f"query {name!r} failed: {exc}") from exc
    finally:
        cur.close()
    if tuple(df.columns) != query.columns:
        raise QueryError(
            f"query {name!r} returned columns {list(df.columns)}, its header says {list(query.columns)}"
        )
    return df
