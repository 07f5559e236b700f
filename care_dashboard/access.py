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

An address is matched exactly in its canonical form (addresses.py: any case, surrounding
space dropped; an address that Unicode NFKC normalisation or case folding would turn into
another, such as one with U+212A KELVIN SIGN, matches nothing); ``@cempre.org.co`` matches
``x@cempre.org.co`` but not ``x@sub.cempre.org.co`` nor ``x@evilcempre.org.co``. This module
never sees a password.

The address must be one the provider verified: its ID token says ``email_verified`` with the
boolean ``true``. Anything else (``false``, the string ``"true"``, ``1``, no claim at all) is
unverified and gives no role. Some providers send no ``email_verified`` claim at all (Microsoft
Entra ID); their addresses count only when the access file names the provider's issuer (the
``iss`` claim) explicitly, which nothing does by default:

    [email]
    trust_issuers = ["https://login.microsoftonline.com/TENANT-ID/v2.0"]

For a listed issuer a *missing* claim counts as verified; ``false`` or a value that is not a
boolean still does not. Name only an issuer whose addresses are set by administrators you trust
(for Entra, one tenant's issuer, never a multi-tenant one).

A login also ends before its cookie does: at Log out and after CARE_IDLE_TIMEOUT without use
(signouts.py); such a login gives no role.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import addresses, signouts
from .ingest.identity import MIN_DISTINCT_CHARACTERS, MIN_KEY_BITS, _repeats, key_bits

PARTNER = "partner"
IMPORTER = "importer"
ROLES = (PARTNER, IMPORTER)
ENV = "CARE_ACCESS_FILE"
# why a logged-in visitor has no role whatever the access file says (Visitor.held_back)
UNVERIFIED, UNUSABLE_ADDRESS = "unverified", "unusable_address"
SIGNED_OUT, IDLE = signouts.SIGNED_OUT, signouts.IDLE
_ISSUER = re.compile(r"^https?://[^\s{}]+$")


class AccessFileError(ValueError):
    """The access file cannot be used; the message names the file, where, and what to do."""


@dataclass(frozen=True)
class Access:
    """Members of each role: exact addresses and whole domains, all lower-case."""

    emails: dict[str, frozenset[str]]
    domains: dict[str, frozenset[str]]
    source: str = ""
    # issuers whose ID tokens carry no email_verified claim and whose addresses count anyway
    trust_issuers: frozenset[str] = frozenset()

    def roles_for(self, email: str | None) -> frozenset[str]:
        """The roles of a verified e-mail address (none for None, "" or an address that is not
        plain under addresses.canonical)."""
        address = addresses.canonical(email)
        if address is None:
            return frozenset()
        domain = addresses.domain_of(address)
        return frozenset(role for role in ROLES
                         if address in self.emails.get(role, ()) or domain in self.domains.get(role, ()))

    def email_verified(self, claims: Mapping) -> bool:
        """Whether the provider verified the login's address: ``email_verified`` is the boolean
        True, or the claim is absent and the token's issuer is one of ``trust_issuers``."""
        if "email_verified" in claims:
            return claims["email_verified"] is True
        return claims.get("iss") in self.trust_issuers


NOBODY = Access({}, {}, "(no access file)")


def _line_of(text: str, needle: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return None


def parse(text: str, source: str = "(text)") -> Access:
    """An Access from the access file's text. AccessFileError for anything that is not exactly
    the documented shape: unknown roles or keys, entries that are not addresses or @domains."""
    how = ("; the file must look like:\n  [roles]\n  partner = [\"ana@partner.org\", \"@cempre.org.co\"]\n"
           "  importer = [\"ana@partner.org\"]")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(f"{source}: is not valid TOML ({exc}){how}") from None
    extra = sorted(set(data) - {"roles", "email"})
    if extra:
        raise AccessFileError(f"{source}: line {_line_of(text, extra[0]) or '?'}: unknown key or table {extra[0]!r}; "
                              f"only [roles] and [email] are read{how}")
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
            where = f"{source}: line {_line_of(text, member) if isinstance(member, str) else line}: roles.{role}"
            if isinstance(member, str) and member.strip().startswith("@"):
                entry, kind = addresses.canonical_domain(member), domains
            else:
                entry, kind = addresses.canonical(member), emails
            if entry is None:
                raise AccessFileError(f"{where}: {member!r} is neither an e-mail address (ana@partner.org) nor a "
                                      f"whole domain (@cempre.org.co){_why_not_plain(member)}; correct or remove it")
            kind[role].add(entry)
    return Access({r: frozenset(v) for r, v in emails.items()}, {r: frozenset(v) for r, v in domains.items()}, source,
                  _trust_issuers(data.get("email"), text, source))


def _why_not_plain(member: object) -> str:
    if not isinstance(member, str):
        return ""
    if addresses.folds_into_another(member.strip()):
        return (" in plain characters: it holds characters that Unicode normalisation or case folding turns into "
                "others (such as U+212A KELVIN SIGN for K), so it could stand for another account; type it again")
    return ""


def _trust_issuers(table: object, text: str, source: str) -> frozenset[str]:
    """The optional ``[email] trust_issuers``: issuers (``iss``) whose addresses count without
    an ``email_verified`` claim. Off unless the file names them."""
    if table is None:
        return frozenset()
    how = ('; it must look like:\n  [email]\n  trust_issuers = ["https://login.microsoftonline.com/TENANT-ID/v2.0"]')
    if not isinstance(table, dict) or set(table) - {"trust_issuers"}:
        unknown = sorted(set(table) - {"trust_issuers"}) if isinstance(table, dict) else ["email"]
        raise AccessFileError(f"{source}: line {_line_of(text, unknown[0]) or '?'}: [email] may hold only "
                              f"trust_issuers, not {unknown[0]!r}{how}")
    issuers = table.get("trust_issuers", [])
    line = _line_of(text, "trust_issuers") or "?"
    if not isinstance(issuers, list):
        raise AccessFileError(f"{source}: line {line}: email.trust_issuers: must be a list of issuer addresses in [ ]{how}")
    for issuer in issuers:
        if not (isinstance(issuer, str) and _ISSUER.match(issuer)):
            raise AccessFileError(f"{source}: line {line}: email.trust_issuers: {issuer!r} is not an issuer address "
                                  "(the provider's `iss`, such as https://login.microsoftonline.com/TENANT-ID/v2.0, "
                                  "with the tenant's id in place of any {tenantid}); correct or remove it")
    return frozenset(issuers)


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
    return [key for key in LOGIN_SETTINGS if not (isinstance(value := auth.get(key), str) and value.strip())]


# The cookie secret signs every login: whoever knows it can write an identity cookie for any
# address. The rule is the pseudonymisation key's (ingest/identity.py): at least 32 characters,
# 10 different ones, about 100 bits by their frequencies, no pattern repeated; and never the
# placeholder of .streamlit/secrets.toml.example, which is public.
EXAMPLE_COOKIE_SECRET = "replace-with-64-random-hex-characters"
MIN_COOKIE_SECRET_LENGTH = 32
MAKE_A_COOKIE_SECRET = 'python -c "import secrets; print(secrets.token_hex(32))"'
# why an [auth] section offers no login (Visitor.login_off)
INCOMPLETE, WEAK_SECRET = "incomplete", "weak_secret"


def cookie_secret_problem(secret: object) -> str | None:
    """Why ``secret`` must not sign logins, as the end of a sentence; None for a good one."""
    if not isinstance(secret, str):
        return "is not text"
    if EXAMPLE_COOKIE_SECRET in secret or "replace-with" in secret.lower():
        return "is still the example's placeholder, which anyone can read"
    if len(secret) < MIN_COOKIE_SECRET_LENGTH:
        return f"is shorter than {MIN_COOKIE_SECRET_LENGTH} characters"
    if len(set(secret)) < MIN_DISTINCT_CHARACTERS or key_bits(secret) < MIN_KEY_BITS or _repeats(secret):
        return "is too easy to guess (too few different characters, or a pattern repeated)"
    return None


def login_problem(auth: Mapping | None) -> tuple[str, str] | None:
    """Why an ``[auth]`` section offers no login: (INCOMPLETE or WEAK_SECRET, the reason in
    words for the log), or None when it can. No section at all is simply no login: None too."""
    if auth is None:
        return None
    missing = missing_login_settings(auth)
    if missing:
        return INCOMPLETE, f"[auth] lacks {', '.join(missing)}"
    weak = cookie_secret_problem(auth["cookie_secret"])
    if weak:
        return WEAK_SECRET, (f"[auth] cookie_secret {weak}; make a new one with  {MAKE_A_COOKIE_SECRET}  "
                             "and put it in the secrets file")
    return None


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
    # the access file or the login state cannot be read: nobody gets a role until it is fixed
    access_problem: str | None = None
    # when the server signed the login's identity cookie (signouts.read_identity)
    issued_at: float | None = None
    # why a logged-in visitor has no role whatever the access file says: UNVERIFIED,
    # UNUSABLE_ADDRESS, or the login ended (SIGNED_OUT, IDLE)
    held_back: str | None = None
    # an [auth] section that offers no login: INCOMPLETE or WEAK_SECRET (login_problem)
    login_off: str | None = None

    @property
    def logged_in(self) -> bool:
        """An identity the login still vouches for (an ended login is not logged in)."""
        return self.email is not None and not self.ended

    @property
    def ended(self) -> bool:
        """A login that Log out or idleness ended: the person must log in again."""
        return self.held_back in (SIGNED_OUT, IDLE)

    def may_see(self, dataset) -> bool:
        return self.single_user or can_see(dataset, self.roles)

    def datasets(self, datasets) -> list:
        return [d for d in datasets if self.may_see(d)]

    def may_import(self, import_page_on: bool) -> bool:
        return import_page_on and (self.single_user or can_import(self.roles))

    @property
    def sees_every_dataset(self) -> bool:
        return self.single_user or bool(self.roles & {PARTNER, IMPORTER})


def visitor(user: Mapping, login: bool, serving: bool, access_file: Path | str | None = None,
            issued_at: float | None = None, now: float | None = None, login_off: str | None = None) -> Visitor:
    """The Visitor of one run. ``user``: Streamlit's ``st.user`` as a dict (its claims from the
    identity provider, read only when ``login`` is true: without a login configured nothing in it
    is verified); ``issued_at``: when the server signed its identity cookie (None when unknown:
    no role). A logged-in visitor gets the access file's roles only when the address is plain
    (addresses.py), the provider verified it (``Access.email_verified``) and the login has not
    ended (signouts.status: Log out, idleness)."""
    if not login:
        return Visitor(single_user=not serving, login_off=login_off)
    email = user.get("email") if user.get("is_logged_in") is True else None
    if not isinstance(email, str) or not email.strip():
        return Visitor(login=True)
    email = email.strip()
    try:
        rules = load_current(access_file)
    except AccessFileError as exc:
        return Visitor(email=email, login=True, access_problem=str(exc))
    if addresses.canonical(email) is None:
        return Visitor(email=email, login=True, held_back=UNUSABLE_ADDRESS)
    try:
        state = signouts.status(email, issued_at, now)
    except (signouts.StateError, ValueError) as exc:
        return Visitor(email=email, login=True, access_problem=str(exc))
    if state != signouts.CURRENT:
        return Visitor(email=email, login=True, issued_at=issued_at, held_back=state)
    if not rules.email_verified(user):
        return Visitor(email=email, login=True, issued_at=issued_at, held_back=UNVERIFIED)
    return Visitor(email=email, roles=rules.roles_for(email), login=True, issued_at=issued_at)


def still_allowed(who: Visitor, dataset, now: float | None = None, access_file: Path | str | None = None) -> bool:
    """Whether ``who``, as a page run found them, may still see ``dataset`` now: for what that
    run hands out and uses later (a download built when it is pressed, the open tab's check).
    Public data always; record-level data only while the login is current (no Log out, not
    idle) and the access file still gives the role."""
    if is_public(dataset) or who.single_user:
        return True
    if not who.sees_every_dataset or not signouts.is_current(who.email, who.issued_at, now):
        return False
    try:
        return can_see(dataset, load_current(access_file).roles_for(who.email))
    except AccessFileError:
        return False


class LoginEnded(PermissionError):
    """A file of record-level data was asked for after the login that opened it ended."""


def checked(who: Visitor, dataset, build: Callable[[], bytes]) -> Callable[[], bytes]:
    """``build``, run only if ``who`` may still see ``dataset`` when it runs (``still_allowed``):
    for Streamlit's deferred downloads (``data=callable``), which run when the button is pressed,
    in a thread of their own, perhaps long after the page run. Otherwise LoginEnded: Streamlit
    answers the browser that the file could not be made, and nothing of it is built."""
    def data() -> bytes:
        if not still_allowed(who, dataset):
            raise LoginEnded("the login that opened this data has ended or lost its role")
        return build()
    return data


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
