"""Normalising single cell values (pure functions)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_SPANISH_MONTHS = {
    "enero": 1, "ene": 1, "febrero": 2, "feb": 2, "marzo": 3, "mar": 3, "abril": 4, "abr": 4,
    "mayo": 5, "may": 5, "junio": 6, "jun": 6, "julio": 7, "jul": 7, "agosto": 8, "ago": 8,
    "septiembre": 9, "setiembre": 9, "sep": 9, "sept": 9, "set": 9, "octubre": 10, "oct": 10,
    "noviembre": 11, "nov": 11, "diciembre": 12, "dic": 12,
    "january": 1, "jan": 1, "february": 2, "march": 3, "april": 4, "apr": 4, "june": 6,
    "july": 7, "august": 8, "aug": 8, "september": 9, "october": 10, "november": 11,
    "december": 12, "dec": 12,
}
EXCEL_EPOCH = dt.date(1899, 12, 30)
EARLIEST = dt.date(2000, 1, 1)


class UnsavedFormula(str):
    """An XLSX cell holding a formula whose value was not saved with the file (a workbook written
    by a program that does not calculate): there is no value to read. Blank to every check, so it
    is never taken for a value; named as a formula in the messages."""

    def __new__(cls):
        return super().__new__(cls, "")

    def __getnewargs__(self):
        return ()

    def __repr__(self) -> str:
        return "UnsavedFormula()"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def fold(text: str) -> str:
    """Case, accents, punctuation and spaces folded away: 'Bogotá, D.C.' -> 'bogota d c'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def tidy(text) -> str:
    """Stray spaces removed, otherwise as written (for display names)."""
    return " ".join(str(text).split())


def slug(text: str) -> str:
    return fold(text).replace(" ", "-")


def parse_date(value, today: dt.date | None = None) -> dt.date | None:
    """A date written day first (18/11/2025, 18-11-25, 18 de noviembre de 2025), an ISO date,
    a real Excel date, or an Excel serial number. None when it is none of these."""
    today = today or dt.date.today()
    found: dt.date | None
    if isinstance(value, dt.datetime):
        found = value.date()
    elif isinstance(value, dt.date):
        found = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (30000 <= value < 80000):
            return None
        found = EXCEL_EPOCH + dt.timedelta(days=int(value))
    else:
        found = _parse_date_text(str(value).strip())
    if found is None or not (EARLIEST <= found <= today + dt.timedelta(days=366)):
        return None
    return found


def _parse_date_text(text: str) -> dt.date | None:
    text = re.sub(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?$", "", text.strip())  # a time after the date
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = map(int, m.groups())
        return _safe_date(y, mo, d)
    m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})", text)
    if m:
        d, mo, y = map(int, m.groups())
        return _safe_date(y + 2000 if y < 100 else y, mo, d)
    words = fold(text).split()
    words = [w for w in words if w not in ("de", "del", "of")]
    if len(words) == 3 and words[0].isdigit() and words[2].isdigit() and words[1] in _SPANISH_MONTHS:
        d, y = int(words[0]), int(words[2])
        return _safe_date(y + 2000 if y < 100 else y, _SPANISH_MONTHS[words[1]], d)
    return None


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


_DOC_PREFIX = re.compile(r"^(?:c\.?\s*c\.?|t\.?\s*i\.?|c\.?\s*e\.?|ppt|pep|pasaporte|cedula|no\.?|n[°º]|#)\s*", re.I)


class DocumentError(ValueError):
    """A document number that cannot be read. The message never contains the value itself;
    ``key`` names it for the import's messages (``import.msg.document_KEY``)."""

    def __init__(self, text: str, key: str = "bad"):
        super().__init__(text)
        self.key = key


def normalise_document(value) -> str | None:
    """'52.031.676', 'CC 52031676', 52031676.0 -> '52031676'. None for an empty cell.

    Raises DocumentError (whose message never repeats the value) when the cell holds something
    that is not a document number.
    """
    if is_blank(value):
        return None
    if isinstance(value, float):
        if value != int(value):
            raise DocumentError("has decimals, so it is not a document number", "decimals")
        value = int(value)
    text = str(value).strip()
    if re.search(r"\d[.,]?\d*e\+?\d+", text, re.I):
        raise DocumentError(
            "looks rounded by the spreadsheet (scientific notation); format the column as text and type the number again",
            "rounded",
        )
    text = _DOC_PREFIX.sub("", text)
    compact = re.sub(r"[\s.\-,']", "", text).upper()
    if re.fullmatch(r"\d{4,12}", compact) or (
        re.fullmatch(r"[A-Z0-9]{5,15}", compact) and re.search(r"\d", compact)
    ):
        return compact
    raise DocumentError(
        "is not a document number; write only its digits (letters and digits for a passport)"
    )
