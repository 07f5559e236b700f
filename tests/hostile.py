"""A record-level dataset whose every free-text value is hostile or strange: HTML and script,
Markdown and Streamlit directives, spreadsheet formulas, a very long name, emoji and right-to-left
text. Issue 6: all of it must show as plain text everywhere, and nothing in it may run.

Any script that runs sets ``window.__care_pwned`` (the browser test checks it stays unset).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from care_dashboard import schema, store
from tests import fixtures

NAME = "hostile"
IMG = '<img src=x onerror="window.__care_pwned=1">'
SCRIPT = "<script>window.__care_pwned=2</script>"
SVG = "<svg onload=window.__care_pwned=3>"
MARKDOWN = "**bold** [click](javascript:window.__care_pwned=4) :red[red] :material/home: ![i](x)"
FORMULA = '=HYPERLINK("http://example.invalid","x")'
LONG = "Asociación " + "muy " * 300 + "larga"
EMOJI_RTL = "♻️🧤 جمعية إعادة التدوير שלום"

ORGANISATION_NAMES = {"org-1": IMG, "org-2": FORMULA, "org-3": LONG}
TERRITORY_NAMES = {"north": SCRIPT, "south": EMOJI_RTL}
COMPONENT_NAMES = {"comp-a": SVG, "comp-b": MARKDOWN, "comp-c": "@SUM(A1:A9) -cmd|' /C calc'!A0"}
HOSTILE = (IMG, SCRIPT, SVG, MARKDOWN, FORMULA, LONG, EMOJI_RTL, *COMPONENT_NAMES.values())


def tables() -> dict[str, pd.DataFrame]:
    """fixtures.PEOPLE_TABLES with every name replaced by a hostile one."""
    rows = dict(fixtures.PEOPLE_TABLES)
    rows["territories"] = [(t[0], TERRITORY_NAMES[t[0]], *t[2:]) for t in rows["territories"]]
    rows["components"] = [(c[0], COMPONENT_NAMES[c[0]], COMPONENT_NAMES[c[0]], *c[3:]) for c in rows["components"]]
    rows["organisations"] = [(o[0], ORGANISATION_NAMES[o[0]], o[2], True, *o[4:]) for o in rows["organisations"]]
    out = {name: pd.DataFrame(data, columns=list(schema.ALL_TABLES[name].columns)) for name, data in rows.items()}
    for df in out.values():
        for col in ("period_start_date", "period_end_date", "session_date"):
            if col in df:
                df[col] = pd.to_datetime(df[col])
    return out


def publish(data_dir: Path) -> Path:
    """The hostile dataset as the import would write it (with its rollups), in ``data_dir``."""
    return store.publish(NAME, "record_level", tables(), {
        "title_en": f"Hostile {IMG} {MARKDOWN}", "title_es": f"Hostil {SCRIPT}",
        "source_citation": f"{SVG} {FORMULA}", "licence": MARKDOWN, "licence_url": "javascript:window.__care_pwned=5",
        "is_synthetic": False,
    }, data_dir)
