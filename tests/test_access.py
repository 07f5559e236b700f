"""care_dashboard.access: roles from the access file, and who may see and import what."""

from __future__ import annotations

import re

import pytest

from care_dashboard import access, addresses, datasets
from care_dashboard.datasets import Dataset

FILE = """\
[roles]
partner = ["ana@partner.org", "@cempre.org.co"]   # see record-level datasets
importer = ["Ana@Partner.org"]                     # also the Import page
"""


def ds(kind="record_level", synthetic=False):
    return Dataset(name="x", path="x", kind=kind, title_en="x", title_es="x", is_synthetic=synthetic, metadata={})


@pytest.fixture
def rules(tmp_path, monkeypatch):
    path = tmp_path / "access.toml"
    path.write_text(FILE)
    monkeypatch.setenv(access.ENV, str(path))
    return access.load()


@pytest.mark.parametrize("email, roles", [
    ("ana@partner.org", {"partner", "importer"}),
    ("  ANA@partner.ORG ", {"partner", "importer"}),
    ("luis@cempre.org.co", {"partner"}),
    ("Luis@CEMPRE.org.co", {"partner"}),
    ("x@sub.cempre.org.co", set()),  # a domain entry is that domain only
    ("x@evilcempre.org.co", set()),
    ("cempre.org.co", set()),
    ("ana@partner.org.evil.com", set()),
    ("", set()),
    (None, set()),
    ("not an address", set()),
    ("@cempre.org.co", set()),  # an entry, not an address
    # characters that Unicode folding turns into others: refused, never matched to a plain address
    ("\u212aelvin@cempre.org.co", set()),  # KELVIN SIGN, which str.lower() turns into k
    ("\u212aana@partner.org", set()),
    ("\uff41na@partner.org", set()),  # FULLWIDTH LATIN SMALL LETTER A
    ("ana@partner.or\u212a", set()),
    ("\ufb01@cempre.org.co", set()),  # the ligature fi
    ("stra\u00dfe@cempre.org.co", set()),  # ß, which case folding turns into ss
    ("a\u200dna@partner.org", set()),  # a zero-width joiner
    ("\x00x@cempre.org.co", set()),  # a NUL
    ("ANA@partner.org\n", {"partner", "importer"}),  # surrounding space: the same person, by design
])
def test_roles_for(rules, email, roles):
    assert rules.roles_for(email) == frozenset(roles)
    assert access.roles_for(email) == frozenset(roles)  # from CARE_ACCESS_FILE


def test_the_address_rule_is_one_for_entries_and_logins():
    assert addresses.canonical(" Ana@Partner.ORG ") == "ana@partner.org"
    assert addresses.canonical("jos\u00e9@partner.org") == "jos\u00e9@partner.org"  # plain letters, any script
    assert addresses.canonical("\u212aana@partner.org") is None
    assert addresses.canonical_domain("@CEMPRE.org.co") == "@cempre.org.co"
    assert addresses.canonical_domain("@cempre.org.co\u212a") is None


@pytest.mark.parametrize("entry", ["\u212aana@partner.org", "@partner.or\u212a", "stra\u00dfe@partner.org"])
def test_an_entry_that_unicode_folding_would_change_is_refused_saying_why(tmp_path, entry):
    path = tmp_path / "access.toml"
    path.write_text(f'[roles]\npartner = ["{entry}"]\n', encoding="utf-8")
    with pytest.raises(access.AccessFileError, match="line 2: roles.partner: .*KELVIN SIGN.*type it again"):
        access.load(path)


@pytest.mark.parametrize("verified, trusted, expected", [
    (True, False, True),
    (False, False, False),
    ("false", False, False),  # a string is not the boolean
    ("true", False, False),
    ("True", False, False),
    (1, False, False),
    (None, False, False),
    ("missing", False, False),  # no claim: unverified unless the issuer is trusted by name
    ("missing", True, True),
    (False, True, False),  # a trusted issuer that says false is believed
    ("false", True, False),
    (1, True, False),
])
def test_only_a_true_boolean_or_a_trusted_issuer_without_the_claim_verifies(verified, trusted, expected):
    issuer = "https://login.microsoftonline.com/0000-tenant/v2.0"
    rules = access.parse(FILE + (f'\n[email]\ntrust_issuers = ["{issuer}"]\n' if trusted else ""))
    claims = {"email": "ana@partner.org", "iss": issuer}
    if verified != "missing":
        claims["email_verified"] = verified
    assert rules.email_verified(claims) is expected
    assert access.parse(FILE).email_verified({**claims, "iss": "https://other.example"}) is (verified is True)


@pytest.mark.parametrize("text, expected", [
    ("[email]\ntrust = []", "[email] may hold only trust_issuers, not 'trust'"),
    ("[email]\ntrust_issuers = 'https://x.example'", "email.trust_issuers: must be a list"),
    ("[email]\ntrust_issuers = ['https://login.microsoftonline.com/{tenantid}/v2.0']", "is not an issuer address"),
    ("[email]\ntrust_issuers = ['login.example.org']", "is not an issuer address"),
])
def test_a_malformed_trust_issuers_is_refused(tmp_path, text, expected):
    path = tmp_path / "access.toml"
    path.write_text(FILE + text)
    with pytest.raises(access.AccessFileError, match=re.escape(expected)):
        access.load(path)


@pytest.mark.parametrize("secret, problem", [
    ("replace-with-64-random-hex-characters", "example's placeholder"),
    ("x" * 31, "shorter than 32"),
    ("x" * 32, "too easy to guess"),
    ("abcdefghij" * 4, "too easy to guess"),  # ten different characters, repeated
    ("test-cookie-secret-0123456789abcdef0123456789abcdef", None),
    ("0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a", None),
])
def test_the_cookie_secret_rule(secret, problem):
    found = access.cookie_secret_problem(secret)
    assert (found is None) if problem is None else (problem in found), found


def test_public_datasets_for_everyone_record_level_for_partners_only():
    public = [ds("published_aggregate"), ds("record_level", synthetic=True)]
    private = ds("record_level")
    for d in public:
        assert access.can_see(d, frozenset())
    assert not access.can_see(private, frozenset())
    assert access.can_see(private, {"partner"}) and access.can_see(private, {"importer"})
    assert access.visible([*public, private], frozenset()) == public


def test_only_importers_import():
    assert access.can_import({"importer"}) and access.can_import({"partner", "importer"})
    assert not access.can_import({"partner"}) and not access.can_import(frozenset())


def test_the_repository_datasets_are_public():
    found = {d.name: d for d in datasets.list_datasets()}
    assert access.can_see(found["care_2025"], frozenset())
    assert access.can_see(found["care_2025_synthetic"], frozenset())


def test_no_access_file_means_nobody_has_a_role(monkeypatch):
    monkeypatch.delenv(access.ENV, raising=False)
    assert access.load() is access.NOBODY
    assert access.roles_for("ana@partner.org") == frozenset()


@pytest.mark.parametrize("text, expected", [
    ("[roles\npartner = []", "is not valid TOML"),
    ("partner = ['a@b.org']", "line 1: unknown key or table 'partner'; only [roles] and [email] are read"),
    ("[roles]\npartners = ['a@b.org']", "line 2: roles.partners: unknown role; the roles are partner, importer"),
    ("[roles]\npartner = 'a@b.org'", "line 2: roles.partner: must be a list of addresses in [ ]"),
    ("[roles]\npartner = ['a@b.org',\n  'ana at partner']", "line 3: roles.partner: 'ana at partner' is neither an e-mail address"),
    ("[roles]\nimporter = ['@']", "roles.importer: '@' is neither"),
    ("[roles]\nimporter = [42]", "roles.importer: 42 is neither"),
    ("", "has no [roles] table"),
])
def test_a_malformed_file_says_which_file_where_and_what_to_do(tmp_path, text, expected):
    path = tmp_path / "access.toml"
    path.write_text(text)
    with pytest.raises(access.AccessFileError) as raised:
        access.load(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and expected in message, message


def test_a_named_file_that_is_missing_is_an_error_not_nobody(tmp_path, monkeypatch):
    monkeypatch.setenv(access.ENV, str(tmp_path / "nope.toml"))
    with pytest.raises(access.AccessFileError, match="not found"):
        access.load()


def test_the_module_imports_no_streamlit():
    import subprocess
    import sys

    code = "import sys, care_dashboard.access; print('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
