"""Which variants of a chart a visitor's browser is sent.

A chart of the pages has a wide variant and one laid out for a phone (``content/figures.toml``,
``narrow``); CSS shows the one that fits the screen (``content/css/page.css``). Building the phone
variant costs as much as the wide one (the map's labels are placed again for a stacked layout), so
it is built and sent only to a browser that says it runs on a phone or a tablet, in its
User-Agent header. Every other visitor (a laptop, a projector, the interactive dashboard behind a
shared link opened on a desktop) gets the wide variant, drawn at any width: a desktop window made
narrower than a phone still shows every figure, only less roomy. ``is_phone`` is the rule.
"""

from __future__ import annotations

# MDN's advice for telling a phone from its User-Agent is "Mobi" anywhere in it; Android tablets
# (no "Mobi"), older iPads and e-readers are named too: they get both variants, as phones do
PHONE_MARKERS = ("Mobi", "Android", "iPhone", "iPad", "iPod", "Opera Mini", "IEMobile", "Silk", "Kindle")

# a session_state key that, when set, says whether the visitor is on a phone (Streamlit's AppTest
# sends no headers: a test of the phone variants sets it)
PHONE_KEY = "care_phone"


def is_phone(user_agent: str | None) -> bool:
    """Whether a browser's User-Agent says it runs on a phone or a tablet."""
    return any(marker in (user_agent or "") for marker in PHONE_MARKERS)
