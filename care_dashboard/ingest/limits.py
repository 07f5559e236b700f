"""What one import may cost, and the refusals an import gives.

Sign-in sheets are small: a session's list has tens of rows, a programme's a few thousand. The
limits are far above that and far below what takes a server down (security_probe.md, findings
4 to 6): a 4 KB workbook claiming a million rows, a 600 KB one unpacking to 260 MB of XML, a
96 KB CSV that froze csv.Sniffer for a minute. The reading code checks the data limits as it
goes (``Budget``); ``isolation`` runs the reading in a child process under the memory and
time limits. A limit hit refuses the whole import (nothing is written) with a message naming
the file, the limit and what to do, in English and Spanish (``content/i18n/import/*.toml``,
``import.limit.*``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .. import i18n

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_files: int = 20  # files in one import
    max_total_bytes: int = 25 * MIB  # all files of one import, as uploaded
    max_rows: int = 100_000  # rows with any value under a header (not the header or title lines), all sheets
    max_columns: int = 64  # columns read per row (the recognised ones are among the first)
    max_cells: int = 2_000_000  # cells read, all sheets of one import
    max_cell_chars: int = 10_000  # characters in one cell
    max_unpacked_bytes: int = 100 * MIB  # an XLSX's files once unzipped (ZipInfo.file_size summed)
    max_worksheets: int = 50  # worksheets in one workbook
    memory_bytes: int = 1024 * MIB  # address space of the reading process (RLIMIT_AS)
    wall_seconds: float = 60.0  # reading and checking, in the child process

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT = Limits()


class ImportRefused(ValueError):
    """Invalid input: nothing was written. ``problems`` holds one line per problem."""

    # components the sheets name that nothing declares, set by the import on a refusal for them
    # (readers ask with getattr: other refusals have none)
    unknown_components: list[str]

    def __init__(self, problems: Sequence[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def size_text(n: int) -> str:
    """Bytes as people read them: 4.8 MB, 260 MB (decimal, as the browser's upload limit shows)."""
    if n < 1000 * 1000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1000 / 1000:.1f} MB" if n < 100 * 1000 * 1000 else f"{n / 1000 / 1000:.0f} MB"


class LimitExceeded(ImportRefused):
    """An import over a limit of ``Limits``: refused as a whole, nothing written.

    ``code`` names the limit (``import.limit.CODE`` is its text), ``file`` the file being read
    when it was hit (None for limits of the whole import), ``values`` the figures in the text."""

    def __init__(self, code: str, file: str | None = None, **values):
        self.code = code
        self.file = file
        self.values = values
        super().__init__([self.text("en")])

    def text(self, lang: str) -> str:
        def show(key, value):
            if key.endswith("bytes"):
                return size_text(value)
            if isinstance(value, float):  # seconds: 60, 0.4 (0,4 in Spanish)
                return i18n.number(value, lang)
            return i18n.number(value, lang) if isinstance(value, int) and key != "row" else value

        shown = {k: show(k, v) for k, v in self.values.items()}
        return i18n.t(f"import.limit.{self.code}", lang, file=self.file or "", **shown)

    def as_dict(self) -> dict:
        return {"code": self.code, "file": self.file, "values": self.values}

    @classmethod
    def from_dict(cls, d: dict) -> LimitExceeded:
        return cls(d["code"], d.get("file"), **d.get("values", {}))


class Budget:
    """The data limits of one import, spent as the sheets are read (rows, cells)."""

    def __init__(self, limits: Limits = DEFAULT):
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def row(self, label: str, number: int, width: int, data: bool = True) -> None:
        """Count one row with any value (``number`` as the spreadsheet shows it) of ``width`` cells.
        ``data``: False for a sheet's header and the title lines above it, whose cells count but
        which are not rows of attendance (at most ``sheets.HEADER_SEARCH_ROWS`` per sheet)."""
        self.rows += data
        self.cells += min(width, self.limits.max_columns)
        if self.rows > self.limits.max_rows:
            raise LimitExceeded("rows", label, limit=self.limits.max_rows, row=number)
        if self.cells > self.limits.max_cells:
            raise LimitExceeded("cells", label, limit=self.limits.max_cells, row=number)

    def cell_text(self, label: str, number: int, value) -> None:
        if isinstance(value, str) and len(value) > self.limits.max_cell_chars:
            raise LimitExceeded("cell_chars", label, limit=self.limits.max_cell_chars, row=number)
