"""care_dashboard.access: roles from the access file, and who may see and import what."""

from __future__ import annotations

import pytest

from care_dashboard import access, datasets
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
])
def test_roles_for(rules, email, roles):
    assert rules.roles_for(email) == frozenset(roles)
    assert access.roles_for(email) == frozenset(roles)  # from CARE_ACCESS_FILE


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
    ("partner = ['a@b.org']", "line 1: unknown key or table 'partner'; only [roles] is read"),
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
