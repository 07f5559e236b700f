"""What an import says, in the reader's language: every problem and warning is a ``Message``, a
text key of ``content/i18n/import/LANG.toml`` (``[import.msg]``) with its values, and where it
is (file, row, column as written in the sheet).

A ``Message`` is also a ``str``, its English text, so logs, the command line's default and the
tests read it as before; the page and the command line (``--lang es``) show ``text(lang)``.
It crosses the process boundary of ``isolation`` as a plain dict (``as_dict``/``from_dict``).

Problems of many rows that say the same thing (the same unknown municipality in 20 rows) are
merged into one line that lists the rows (``grouped``): a sheet with one misspelt city has one
problem, not twenty.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import i18n


def _rows_text(rows: list[int], lang: str) -> str:
    """"4", "4, 7" or "4-9, 12" (runs of consecutive rows joined)."""
    rows = sorted(set(rows))
    runs: list[list[int]] = []
    for r in rows:
        if runs and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    parts = [f"{run[0]}" if len(run) == 1 else f"{run[0]}\u2013{run[-1]}" for run in runs]
    if len(parts) > 12:
        parts = parts[:12] + [i18n.t("import.msg.and_more", lang, n=len(parts) - 12)]
    return ", ".join(parts)


class Message(str):
    """One problem or warning of an import. ``key``: its text in ``[import.msg]``; ``label``:
    the file (and worksheet); ``rows``: the rows it is about, as the spreadsheet shows them;
    ``column``: the header as written in the sheet; ``values``: what the text says."""

    key: str
    label: str | None
    rows: tuple[int, ...]
    column: str | None
    values: dict

    def __new__(cls, key: str, label: str | None = None, rows: Iterable[int] | int | None = None,
                column: str | None = None, **values):
        rows = () if rows is None else ((rows,) if isinstance(rows, int) else tuple(int(r) for r in rows))
        text = cls._render(key, label, rows, column, values, "en")
        self = super().__new__(cls, text)
        self.key, self.label, self.rows, self.column, self.values = key, label, rows, column, values
        return self

    @staticmethod
    def _render(key, label, rows, column, values, lang) -> str:
        # a value may itself differ by language: {"en": ..., "es": ...}
        shown = {k: (v.get(lang, v.get("en", "")) if isinstance(v, dict) else v) for k, v in values.items()}
        body = i18n.t(f"import.msg.{key}", lang, **shown)
        where = []
        if label:
            where.append(label)
        if rows:
            word = "import.msg.row" if len(rows) == 1 else "import.msg.rows"
            where.append(i18n.t(word, lang, rows=_rows_text(list(rows), lang)))
        if column:
            where.append(column)
        return ": ".join([*where, body])

    def text(self, lang: str) -> str:
        return self._render(self.key, self.label, self.rows, self.column, self.values, lang)

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "rows": list(self.rows), "column": self.column,
                "values": dict(self.values)}

    @classmethod
    def from_dict(cls, d) -> Message:
        if isinstance(d, str):  # from code that still says a plain sentence
            return cls("plain", text=d)
        return cls(d["key"], d.get("label"), d.get("rows"), d.get("column"), **d["values"])

    def __reduce__(self):  # pickled (tests, multiprocessing) as what it is, not as a str
        return (Message.from_dict, (self.as_dict(),))


def text_of(message, lang: str) -> str:
    """A message in ``lang``; a plain string as it is."""
    return message.text(lang) if isinstance(message, Message) else str(message)


def grouped(messages: Iterable[Message]) -> list[Message]:
    """Messages that differ only in their row merged into one that lists every row, in the order
    of the first of each; messages without rows kept as they are."""
    order: list[tuple] = []
    merged: dict[tuple, list] = {}
    for m in messages:
        if not isinstance(m, Message) or not m.rows:
            key: tuple = ("single", len(order))
            order.append(key)
            merged[key] = [m]
            continue
        key = (m.key, m.label, m.column, repr(sorted(m.values.items(), key=lambda kv: kv[0])))  # noqa: E501
        if key not in merged:
            order.append(key)
            merged[key] = [m]
        else:
            merged[key].append(m)
    out = []
    for key in order:
        group = merged[key]
        first = group[0]
        if len(group) == 1:
            out.append(first)
        else:
            rows = list(dict.fromkeys(r for m in group for r in m.rows))  # a title block's line is named once
            out.append(Message(first.key, first.label, rows, first.column, **first.values))
    return out
