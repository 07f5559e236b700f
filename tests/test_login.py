"""Who may see what, in the app (AppTest): the login's sidebar, the dataset picker and the Import
page for each kind of visitor, a link to a dataset the visitor may not see, and `make run`'s one
user. Streamlit's login itself (st.login with an OIDC provider) runs in a browser:
tests/deploy/test_login_browser.py."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from care_dashboard import access, paths, ui
from tests import fixtures

PRIVATE = "fixture_rec"
PRIVATE_TITLE = "Fixture records of Partner"
AUTH = {"redirect_uri": "http://127.0.0.1:8080/oauth2callback", "cookie_secret": "x" * 32, "client_id": "care",
        "client_secret": "secret", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ACCESS = '[roles]\npartner = ["ana@partner.org", "@cempre.org.co"]\nimporter = ["ines@partner.org"]\n'


@pytest.fixture
def private_data(tmp_path, monkeypatch):
    """A data folder with the embedded report and one record-level dataset of real-looking records."""
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "data" / "care_2025")
    fixtures.write_dataset(tmp_path / "data" / PRIVATE, "record_level", fixtures.RECORD_TABLES, title=PRIVATE_TITLE,
                           is_synthetic=False)
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path / "data")
    (tmp_path / "access.toml").write_text(ACCESS)
    monkeypatch.setenv(access.ENV, str(tmp_path / "access.toml"))
    monkeypatch.delenv("CARE_SERVE", raising=False)
    monkeypatch.delenv("CARE_IMPORT_PAGE", raising=False)
    return tmp_path


def run(user=None, auth=True, link=None, lang=None):
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    if auth:
        at.secrets = {"auth": AUTH}
    at.user = user if user is not None else {}
    if link:
        at.query_params = dict(link)
    at.run()
    if lang:
        at.sidebar.radio(key="lang").set_value(lang)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def picker(at):
    return at.sidebar.radio(key="dataset").options


def has_import_page(at) -> bool:
    try:
        at.switch_page(str(paths.ROOT / "pages/import.py"))
    except ValueError:
        return False
    return True


def shown_text(at) -> str:
    parts = [str(e.value) for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "info",
                                         "error", "success", "toast") for e in at.get(kind)]
    parts += [" ".join(r.options) for r in at.radio] + [b.label for b in at.button]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts).replace("\u2060", "")


def login_buttons(at):
    return [b for b in at.button if b.key and b.key.startswith(("care_log", "care_refusal_log"))]


def logged_in(email, **claims):
    return {"is_logged_in": True, "email": email, **claims}


def test_make_run_without_a_login_is_the_one_user_who_sees_everything(private_data):
    at = run(user={"email": "test@example.com"}, auth=False)  # AppTest's default user: never trusted
    assert PRIVATE_TITLE in picker(at)
    assert has_import_page(at)
    assert not login_buttons(at)  # no login offered: none is configured


def test_make_serve_without_a_login_shows_public_data_only(private_data, monkeypatch):
    monkeypatch.setenv("CARE_SERVE", "1")
    monkeypatch.setenv("CARE_IMPORT_PAGE", "on")  # even so: nobody can be an importer without a login
    at = run(user=logged_in("ines@partner.org"), auth=False)  # claims without a login: not verified
    assert picker(at) == ["CARE 2025 report"]
    assert not has_import_page(at)


def test_an_anonymous_visitor_sees_public_data_and_a_login_button(private_data):
    at = run(user={"is_logged_in": False})
    assert picker(at) == ["CARE 2025 report"]
    assert not has_import_page(at)
    assert "Not logged in" in " ".join(c.value for c in at.sidebar.caption)
    assert [b.label for b in at.sidebar.button if b.key == "care_log_in"] == ["Log in"]


@pytest.mark.parametrize("email, sees, imports, role", [
    ("ana@partner.org", True, False, "Partner:"),
    ("luis@cempre.org.co", True, False, "Partner:"),
    ("ines@partner.org", True, True, "Partner and importer"),
    ("eve@elsewhere.org", False, False, "no partner access"),
])
def test_roles_decide_datasets_and_the_import_page(private_data, email, sees, imports, role):
    at = run(user=logged_in(email))
    assert (PRIVATE_TITLE in picker(at)) is sees
    assert has_import_page(at) is imports
    sidebar = shown_text(at)
    assert f"Logged in as {email}" in sidebar.replace("\\", "") and role in sidebar
    assert [b.label for b in at.sidebar.button if b.key == "care_log_out"] == ["Log out"]


def test_an_unverified_email_has_no_role(private_data):
    at = run(user=logged_in("ana@partner.org", email_verified=False))
    assert picker(at) == ["CARE 2025 report"]


def test_an_access_file_that_cannot_be_read_gives_no_role_and_says_so(private_data, monkeypatch):
    (private_data / "access.toml").write_text("[roles]\npartner = [\"not an address\"]\n")
    at = run(user=logged_in("ana@partner.org"))
    assert picker(at) == ["CARE 2025 report"]
    assert any("could not be checked" in w.value for w in at.sidebar.warning)


@pytest.mark.parametrize("lang, title", [("en", "This data needs a login"), ("es", "Estos datos requieren iniciar sesión")])
@pytest.mark.parametrize("name", [PRIVATE, "no_such_dataset"])  # the same answer: no hint of which exist
def test_a_link_to_a_private_dataset_shows_nothing_of_it(private_data, lang, title, name):
    at = run(link={"dataset": name, "territory": "north", "lang": lang}) if lang == "es" else \
        run(link={"dataset": name, "territory": "north"})
    assert [t.value for t in at.main.get("title")] == [title]
    text = shown_text(at)
    assert PRIVATE_TITLE not in text and "Fixture" not in text
    assert not at.metric and not at.get("plotly_chart") and not at.dataframe
    assert not at.toast  # the link's other values are not reported one by one either
    assert [b.key for b in at.main.button] == ["care_refusal_log_in", "care_refusal_public"]
    assert f"«{name}»" in text.replace("\\", "")
    assert at.sidebar.radio(key="dataset").value == "care_2025"


def test_the_public_data_button_and_a_partner_link(private_data):
    at = run(link={"dataset": PRIVATE})
    [b for b in at.main.button if b.key == "care_refusal_public"][0].click()
    at.run()
    assert at.title[0].value == "Overview" and at.metric
    partner = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE})
    assert partner.sidebar.radio(key="dataset").value == PRIVATE
    assert partner.title[0].value == "Overview"


def test_a_refused_link_under_make_serve_without_a_login_offers_no_login_button(private_data, monkeypatch):
    monkeypatch.setenv("CARE_SERVE", "1")
    at = run(auth=False, link={"dataset": PRIVATE})
    assert at.title[0].value == "This data needs a login"
    assert [b.key for b in at.main.button] == ["care_refusal_public"]
    assert any("offers no login" in c.value for c in at.main.caption)


def test_an_incomplete_auth_section_offers_no_login(private_data, monkeypatch):
    monkeypatch.setenv("CARE_SERVE", "1")
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = {"auth": {k: v for k, v in AUTH.items() if k != "client_secret"}}
    at.user = logged_in("ana@partner.org")
    at.run()
    assert not at.exception
    assert picker(at) == ["CARE 2025 report"] and not login_buttons(at)


# ---- the rules, without Streamlit --------------------------------------------------------------

def test_missing_login_settings():
    assert access.missing_login_settings(None) == list(access.LOGIN_SETTINGS)
    assert access.missing_login_settings(AUTH) == []
    assert access.missing_login_settings({**AUTH, "cookie_secret": " "}) == ["cookie_secret"]


def test_refused_link_only_for_visitors_who_do_not_see_every_dataset():
    ignored = [("dataset", "x"), ("territory", "north")]
    assert access.refused_link(ignored, access.Visitor(login=True)) == ("x", [])
    assert access.refused_link(ignored, access.Visitor(single_user=True)) == (None, ignored)
    partner = access.Visitor(email="a@b.org", roles=frozenset({"partner"}), login=True)
    assert access.refused_link(ignored, partner) == (None, ignored)
    assert access.refused_link([("territory", "north")], access.Visitor(login=True)) == (None, [("territory", "north")])


def test_an_edited_access_file_takes_effect_without_a_restart(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text('[roles]\npartner = ["ana@partner.org"]\n')
    assert access.load_current(path).roles_for("ana@partner.org") == {"partner"}
    path.write_text('[roles]\npartner = []\nimporter = ["ana@partner.org", "luis@partner.org"]\n')
    assert access.load_current(path).roles_for("ana@partner.org") == {"importer"}


# ---- Markdown in titles --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["https://x.example/login", ":material/home:", "www.example.org", "ana@partner.org",
                                  ":red[x]", "HTTP://X", "WWW.X.ORG"])
def test_plain_breaks_autolinks_and_icon_codes_invisibly(text):
    shown = ui.plain(text)
    assert shown.replace("\u2060", "").replace("\\", "") == text  # as typed, once rendered
    for pattern in ("://", ":material/", "www.", "@p", ":red["):
        assert pattern not in shown.replace("\\", "").lower()
