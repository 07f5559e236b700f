"""One rule for comparing e-mail addresses: the access file's entries, the address a login
gives, and the account a Log out ends (access.py, signouts.py). No Streamlit.

An address is compared in one canonical form, made like this:

1. Surrounding white space is dropped (a provider's ``" Ana@Partner.org\\n"`` is that person).
2. It must hold no control, format, private-use or unassigned character (a NUL, a zero-width
   joiner, a right-to-left mark): such an address is refused, not cleaned.
3. It must be unchanged by Unicode NFKC normalisation. NFKC maps compatibility characters onto
   plain ones: U+212A KELVIN SIGN onto ``K``, full-width ``Ａ`` onto ``A``, the ligature ``ﬁ``
   onto ``fi``. A provider may hold ``\\u212aim@partner.org`` and ``kim@partner.org`` as two
   accounts; folding the first onto the second would hand one person's access to another, so
   an address that NFKC changes is refused instead.
4. It is case-folded (``str.casefold``), and case folding may change letter case only: an
   address where full case folding differs from ``str.lower`` (``ß`` becomes ``ss``, ``ς``
   becomes ``σ``) is refused for the same reason.
5. What remains must look like ``local@domain`` with an ASCII domain of letters, digits and
   hyphens (internationalised domains are written in their ``xn--`` form).

So ``Ana@Partner.ORG`` and ``ana@partner.org`` are one person, while ``\\u212aana@partner.org``
is refused, never matched to ``kana@partner.org`` nor to a rule for ``@partner.org``.
"""

from __future__ import annotations

import re
import unicodedata

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_EMAIL = re.compile(rf"^[^@\s]+@{_LABEL}(?:\.{_LABEL})+$")
_DOMAIN = re.compile(rf"^@{_LABEL}(?:\.{_LABEL})+$")
# control, format, surrogate, private use, unassigned
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def folds_into_another(text: str) -> bool:
    """Whether NFKC normalisation or full case folding turns ``text`` into other characters than
    its lower case (steps 3 and 4 of the module's rule)."""
    return unicodedata.normalize("NFKC", text) != text or text.casefold() != text.lower()


def _fold(text: str) -> str | None:
    """The case-folded form of ``text`` (steps 2 to 4 of the module's rule), or None."""
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in text) or folds_into_another(text):
        return None
    return text.casefold()


def canonical(address: object) -> str | None:
    """The canonical form of an e-mail address, or None for anything that is not a plain
    address under the module's rule."""
    if not isinstance(address, str):
        return None
    folded = _fold(address.strip())
    return folded if folded and _EMAIL.match(folded) else None


def canonical_domain(entry: object) -> str | None:
    """The canonical form of an access-file ``@domain`` entry, or None."""
    if not isinstance(entry, str):
        return None
    folded = _fold(entry.strip())
    return folded if folded and _DOMAIN.match(folded) else None


def domain_of(canonical_address: str) -> str:
    """``@domain`` of an address already in canonical form."""
    return "@" + canonical_address.rsplit("@", 1)[1]
