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
from collections.abc import Mapping
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


# ---- one visitor: what this run may show (dashboard.py passes in Streamlit's values) ----------

# The [auth] settings of .streamlit/secrets.toml that st.login() (its default provider) needs.
LOGIN_SETTINGS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")

_loaded: dict[tuple, Access] = {}


def missing_login_settings(auth: Mapping | None) -> list[str]:
    """The settings st.login() needs that the ``[auth]`` section lacks (all of them when there is
    no section); empty when a login can be offered."""
    if not isinstance(auth, Mapping):
        return list(LOGIN_SETTINGS)
    return [key for key in LOGIN_SETTINGS if not (isinstance(auth.get(key), str) and auth.get(key).strip())]


def load_current(path: Path | str | None = None) -> Access:
    """``load``, read again only when the file changes (its size or time), so an edited access
    file takes effect at the next page run without a restart."""
    path = path if path is not None else os.environ.get(ENV, "").strip() or None
    if path is None:
        return NOBODY
    try:
        stat = Path(path).expanduser().stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load(path)  # says what is wrong with it
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = load(path)
    return _loaded[key]


@dataclass(frozen=True)
class Visitor:
    """Who is looking, as far as this run knows, and what that allows.

    Three cases (docs/security.md, "Who may see what"):

    * a login is configured (``login``): the roles of the verified e-mail of a logged-in visitor
      decide, and an anonymous visitor has none (public datasets only, no Import page);
    * no login, under ``make serve`` (``serving``): everyone is anonymous;
    * no login, not serving (``make run`` on this machine, ``single_user``): the machine's one
      user sees every dataset and the Import page as settings.import_page_enabled() says.
    """

    email: str | None = None
    roles: frozenset[str] = frozenset()
    login: bool = False
    single_user: bool = False
    # the access file cannot be read: nobody gets a role until it is fixed (the message says why)
    access_problem: str | None = None

    @property
    def logged_in(self) -> bool:
        return self.email is not None

    def may_see(self, dataset) -> bool:
        return self.single_user or can_see(dataset, self.roles)

    def datasets(self, datasets) -> list:
        return [d for d in datasets if self.may_see(d)]

    def may_import(self, import_page_on: bool) -> bool:
        return import_page_on and (self.single_user or can_import(self.roles))

    @property
    def sees_every_dataset(self) -> bool:
        return self.single_user or bool(self.roles & {PARTNER, IMPORTER})


def visitor(user: Mapping, login: bool, serving: bool, access_file: Path | str | None = None) -> Visitor:
    """The Visitor of one run. ``user``: Streamlit's ``st.user`` as a dict (its claims from the
    identity provider, read only when ``login`` is true: without a login configured nothing in it
    is verified). An e-mail counts only when the visitor is logged in and the provider did not say
    it is unverified (``email_verified = false``)."""
    if not login:
        return Visitor(single_user=not serving)
    email = user.get("email") if user.get("is_logged_in") is True else None
    if not isinstance(email, str) or not email.strip() or user.get("email_verified") is False:
        return Visitor(login=True)
    email = email.strip()
    try:
        roles = load_current(access_file).roles_for(email)
    except AccessFileError as exc:
        return Visitor(email=email, login=True, access_problem=str(exc))
    return Visitor(email=email, roles=roles, login=True)


def refused_link(ignored: list[tuple[str, str]], who: Visitor) -> tuple[str | None, list[tuple[str, str]]]:
    """Split the values a link gave that were not used (``ui.load_view_from_url`` reads the link
    against the datasets ``who`` may see) into the dataset it asked for that is not open to this
    visitor, if any, and the rest.

    For a visitor who does not see every dataset, a dataset name the link gives that is not
    among theirs is refused, whether or not it exists (the answer must not tell an anonymous
    visitor which private datasets there are), and the link's other values are dropped with it:
    nothing of that view is opened. Anyone else sees every dataset, so a name not found is a
    wrong link, reported with the other ignored values as before."""
    if who.sees_every_dataset:
        return None, ignored
    asked = [value for key, value in ignored if key == "dataset"]
    if not asked:
        return None, ignored
    return asked[-1], []
