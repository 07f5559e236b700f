"""Who may see what: roles from an access file, and the rules that use them (no Streamlit).

The access file (path in ``CARE_ACCESS_FILE``, TOML) gives each role its members, as e-mail
addresses (any case) or ``@domain`` entries for everyone of a domain:

    [roles]
    partner = ["ana@partner.org", "@cempre.org.co"]   # see record-level datasets
    importer = ["ana@partner.org"]                      # also the Import page

Rules (docs/security.md, "Who may see what"):

* public datasets, which anyone may see: the published figures (kind ``published_aggregate``)
  and synthetic data (``is_synthetic``);
* every other dataset (record-level attendance, pseudonymised) only for ``partner`` or
  ``importer``;
* the Import page only for ``importer``.

An address is matched case-insensitively and exactly; ``@cempre.org.co`` matches
``x@cempre.org.co`` but not ``x@sub.cempre.org.co`` nor ``x@evilcempre.org.co``. The e-mail
must come from a login that verified it (Streamlit's ``st.user.email`` after OIDC, or a trusted
proxy's header); this module never sees a password.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

PARTNER = "partner"
IMPORTER = "importer"
ROLES = (PARTNER, IMPORTER)
ENV = "CARE_ACCESS_FILE"

_EMAIL = re.compile(r"^[^@\s]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_DOMAIN = re.compile(r"^@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


class AccessFileError(ValueError):
    """The access file cannot be used; the message names the file, where, and what to do."""


@dataclass(frozen=True)
class Access:
    """Members of each role: exact addresses and whole domains, all lower-case."""

    emails: dict[str, frozenset[str]]
    domains: dict[str, frozenset[str]]
    source: str = ""

    def roles_for(self, email: str | None) -> frozenset[str]:
        """The roles of a verified e-mail address (none for None, "" or a malformed address)."""
        if not email or not isinstance(email, str):
            return frozenset()
        address = email.strip().lower()
        if not _EMAIL.match(address):
            return frozenset()
        domain = "@" + address.rsplit("@", 1)[1]
        return frozenset(role for role in ROLES
                         if address in self.emails.get(role, ()) or domain in self.domains.get(role, ()))


NOBODY = Access({}, {}, "(no access file)")


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def parse(text: str, source: str = "(text)") -> Access:
    """An Access from the access file's text. AccessFileError for anything that is not exactly
    the documented shape: unknown roles or keys, entries that are not addresses or @domains."""
    how = (f"; the file must look like:\n  [roles]\n  partner = [\"ana@partner.org\", \"@cempre.org.co\"]\n"
           f"  importer = [\"ana@partner.org\"]")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(f"{source}: is not valid TOML ({exc}){how}") from None
    extra = sorted(set(data) - {"roles"})
    if extra:
        raise AccessFileError(f"{source}: line {_line_of(text, extra[0]) or '?'}: unknown key or table {extra[0]!r}; "
                              f"only [roles] is read{how}")
    roles = data.get("roles")
    if not isinstance(roles, dict):
        raise AccessFileError(f"{source}: has no [roles] table{how}")
    emails: dict[str, set[str]] = {r: set() for r in ROLES}
    domains: dict[str, set[str]] = {r: set() for r in ROLES}
    for role, members in roles.items():
        line = _line_of(text, role) or "?"
        if role not in ROLES:
            raise AccessFileError(f"{source}: line {line}: roles.{role}: unknown role; the roles are {', '.join(ROLES)}")
        if not isinstance(members, list):
            raise AccessFileError(f"{source}: line {line}: roles.{role}: must be a list of addresses in [ ], "
                                  f"e.g. {role} = [\"ana@partner.org\"]")
        for member in members:
            entry = member.strip().lower() if isinstance(member, str) else None
            where = f"{source}: line {_line_of(text, member) if isinstance(member, str) else line}: roles.{role}"
            if entry and _DOMAIN.match(entry):
                domains[role].add(entry)
            elif entry and _EMAIL.match(entry):
                emails[role].add(entry)
            else:
                raise AccessFileError(f"{where}: {member!r} is neither an e-mail address (ana@partner.org) nor a "
                                      "whole domain (@cempre.org.co); correct or remove it")
    return Access({r: frozenset(v) for r, v in emails.items()}, {r: frozenset(v) for r, v in domains.items()}, source)


def load(path: Path | str | None = None) -> Access:
    """The access file at ``path`` (default: ``CARE_ACCESS_FILE``); NOBODY when neither is set,
    so every visitor gets only the public datasets. A set path that cannot be read is an error,
    never "nobody": a typo must not silently lock partners out, or in."""
    path = path if path is not None else os.environ.get(ENV, "").strip() or None
    if path is None:
        return NOBODY
    path = Path(path).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccessFileError(f"{path}: not found ({ENV} names it); create it or correct {ENV}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessFileError(f"{path}: cannot be read ({exc}); make it a UTF-8 text file readable by the dashboard") from None
    return parse(text, str(path))


def roles_for(email: str | None, access: Access | None = None) -> frozenset[str]:
    """The roles of a verified e-mail address under ``access`` (default: the access file)."""
    return (access or load()).roles_for(email)


def is_public(dataset) -> bool:
    """Published figures and synthetic data: anyone may see them."""
    return dataset.kind == "published_aggregate" or bool(dataset.is_synthetic)


def can_see(dataset, roles: frozenset[str] | set[str]) -> bool:
    """Whether someone with ``roles`` may see ``dataset`` (a datasets.Dataset, or anything with
    ``kind`` and ``is_synthetic``)."""
    return is_public(dataset) or bool(set(roles) & {PARTNER, IMPORTER})


def can_import(roles: frozenset[str] | set[str]) -> bool:
    return IMPORTER in roles


def visible(datasets, roles) -> list:
    """The datasets of ``datasets`` that ``roles`` may see, in their order."""
    return [d for d in datasets if can_see(d, roles)]
