"""Who may see what, in the app (AppTest): the login's sidebar, the dataset picker and the Import
page for each kind of visitor, a link to a dataset the visitor may not see, and `make run`'s one
user. Streamlit's login itself (st.login with an OIDC provider) runs in a browser:
tests/deploy/test_login_browser.py."""

from __future__ import annotations

import logging
import shutil
import sys
import time
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from care_dashboard import access, paths, signouts, ui, ui_access
from tests import fixtures

PRIVATE = "fixture_rec"
PRIVATE_TITLE = "Fixture records of Partner"
AUTH = {"redirect_uri": "http://127.0.0.1:8080/oauth2callback",
        "cookie_secret": "0f3a9c2e7b1d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d2f4a", "client_id": "care",
        "client_secret": "secret", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
ACCESS = '[roles]\npartner = ["ana@partner.org", "@cempre.org.co"]\nimporter = ["ines@partner.org"]\n'


class Login:
    """The issue time of the identity cookie the AppTest session "sent" (AppTest has no cookies):
    what ui_access reads from st.context.cookies in a real session."""

    issued_at: float | None = None


@pytest.fixture
def private_data(tmp_path, monkeypatch):
    """A data folder with the embedded report and one record-level dataset of real-looking records;
    a login state folder of its own, and a login issued a minute ago."""
    shutil.copytree(paths.DATA_DIR / "care_2025", tmp_path / "data" / "care_2025")
    fixtures.write_dataset(tmp_path / "data" / PRIVATE, "record_level", fixtures.RECORD_TABLES, title=PRIVATE_TITLE,
                           is_synthetic=False)
    monkeypatch.setattr(paths, "DATA_DIR", tmp_path / "data")
    (tmp_path / "access.toml").write_text(ACCESS)
    monkeypatch.setenv(access.ENV, str(tmp_path / "access.toml"))
    monkeypatch.delenv("CARE_SERVE", raising=False)
    monkeypatch.delenv("CARE_IMPORT_PAGE", raising=False)
    monkeypatch.setenv(signouts.STATE_ENV, str(tmp_path / "state"))
    monkeypatch.delenv(signouts.IDLE_ENV, raising=False)
    signouts._touched.clear()
    Login.issued_at = float(int(time.time()) - 60)
    monkeypatch.setattr(ui_access, "_issued_at", lambda secret: Login.issued_at)
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
    """st.user of a login whose provider verified the address (unless ``claims`` say otherwise)."""
    return {"is_logged_in": True, "email": email, "email_verified": True, **claims}


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


@pytest.mark.parametrize("claims", [
    {"email_verified": False}, {"email_verified": "false"}, {"email_verified": "true"}, {"email_verified": 1},
    {"email_verified": None}, {},  # no claim at all: unverified (Microsoft Entra sends none)
])
@pytest.mark.parametrize("lang, says", [
    ("en", "has not confirmed that this address is yours"), ("es", "no ha confirmado que esta dirección sea suya")])
def test_anything_but_a_true_boolean_is_unverified_and_the_person_is_told(private_data, claims, lang, says):
    at = run(user={"is_logged_in": True, "email": "ana@partner.org", **claims}, lang=lang)
    assert len(picker(at)) == 1 and PRIVATE_TITLE not in picker(at) and PRIVATE_TITLE not in shown_text(at)
    assert not has_import_page(at)
    sidebar = shown_text(at).replace("\\", "")
    assert says in sidebar and "ana@partner.org" in sidebar  # logged in, and why there is no role
    assert "Not logged in" not in sidebar and "Sin iniciar sesión" not in sidebar
    assert [b.key for b in at.sidebar.button if b.key and b.key.startswith("care_log")] == ["care_log_out"]


def test_a_trusted_issuer_without_the_claim_gives_the_role(private_data):
    issuer = "https://login.microsoftonline.com/0000-tenant/v2.0"
    (private_data / "access.toml").write_text(ACCESS + f'[email]\ntrust_issuers = ["{issuer}"]\n')
    assert PRIVATE_TITLE in picker(run(user={"is_logged_in": True, "email": "ana@partner.org", "iss": issuer}))
    assert PRIVATE_TITLE not in picker(run(user={"is_logged_in": True, "email": "ana@partner.org",
                                                 "iss": "https://elsewhere.example/v2.0"}))


def test_a_kelvin_sign_address_has_no_role_and_is_told_why(private_data):
    at = run(user=logged_in("\u212aelvin@cempre.org.co"))
    assert PRIVATE_TITLE not in picker(at)
    assert "could stand for another address" in shown_text(at)


# ---- logins that end: Log out, another tab, idleness -----------------------------------------------

def test_a_login_replayed_after_its_log_out_opens_nothing(private_data):
    at = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE})
    assert PRIVATE_TITLE in picker(at) and at.sidebar.radio(key="dataset").value == PRIVATE
    [b for b in at.sidebar.button if b.key == "care_log_out"][0].click()
    at.run()  # Log out: the server records it before Streamlit's own logout
    assert signouts.status("ana@partner.org", Login.issued_at) == signouts.SIGNED_OUT
    # the same identity cookie, saved before Log out, sent again by a fresh browser
    replay = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE})
    assert picker(replay) == ["CARE 2025 report"] and PRIVATE_TITLE not in shown_text(replay)
    assert replay.main.get("title")[0].value == "This data needs a login"
    assert "You logged out" in shown_text(replay) and "Logged in as" not in shown_text(replay)
    assert [b.label for b in replay.sidebar.button if b.key == "care_log_in"] == ["Log in again"]
    # a new login, issued after the Log out, opens it again
    Login.issued_at = time.time() + 2
    assert PRIVATE_TITLE in picker(run(user=logged_in("ana@partner.org")))


@pytest.mark.parametrize("lang, says", [("en", "You logged out"), ("es", "Usted cerró la sesión")])
def test_an_open_tab_loses_the_records_at_its_next_run_after_a_log_out_elsewhere(private_data, lang, says):
    tab_b = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE}, lang=lang)
    assert tab_b.sidebar.radio(key="dataset").value == PRIVATE and tab_b.metric
    signouts.sign_out("ana@partner.org")  # Log out pressed in tab A
    tab_b.run()  # tab B's next run: its session still holds the identity it read when it opened
    assert tab_b.sidebar.radio(key="dataset").value == "care_2025"
    assert PRIVATE_TITLE not in shown_text(tab_b) and PRIVATE_TITLE not in picker(tab_b)
    assert says in shown_text(tab_b)
    assert [t.value for t in tab_b.toast if says in t.value]  # said where a phone shows it too


def test_a_login_unused_for_the_idle_timeout_opens_nothing(private_data):
    Login.issued_at = float(int(time.time() - 9 * 3600))  # logged in 9 h ago (default timeout 8 h)
    at = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE})
    assert PRIVATE_TITLE not in picker(at)
    assert "Your login was not used for 8 h" in shown_text(at)
    # used an hour ago (another worker's run, say): still open, and this run counts as a use
    signouts.touch("ana@partner.org", Login.issued_at, now=time.time() - 3600)
    at = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE})
    assert PRIVATE_TITLE in picker(at)


def test_a_short_idle_timeout_closes_an_open_tab(private_data, monkeypatch):
    monkeypatch.setenv(signouts.IDLE_ENV, "1h")
    Login.issued_at = float(int(time.time()) - 30)
    at = run(user=logged_in("ana@partner.org"), link={"dataset": PRIVATE})
    assert at.sidebar.radio(key="dataset").value == PRIVATE
    monkeypatch.setattr(signouts, "clock", lambda: time.time() + 3601)  # an hour later, nothing clicked
    at.run()
    assert at.sidebar.radio(key="dataset").value == "care_2025"
    assert "Your login was not used for 1 h" in shown_text(at)


def test_a_download_built_after_the_login_ended_is_refused(private_data):
    """What the briefing and CSV buttons run when pressed (access.checked), in Streamlit's thread
    for deferred files, perhaps long after the page run that drew them."""
    from care_dashboard import datasets

    dataset = {d.name: d for d in datasets.list_datasets()}[PRIVATE]
    public = {d.name: d for d in datasets.list_datasets()}["care_2025"]
    who = access.visitor(logged_in("ana@partner.org", email_verified=True), login=True, serving=True,
                         issued_at=Login.issued_at)
    built = []
    briefing = access.checked(who, dataset, lambda: built.append(1) or b"private")
    assert briefing() == b"private"
    signouts.sign_out("ana@partner.org")
    with pytest.raises(access.LoginEnded):
        briefing()
    assert built == [1]  # nothing was built after the Log out
    assert access.checked(who, public, lambda: b"public")() == b"public"  # public data stays public
    context = ui.PageContext("en", dataset, ui.Selection(), None, 5, visitor=who)
    with pytest.raises(access.LoginEnded):
        context.later(lambda: b"csv")()


def test_a_partner_removed_from_the_access_file_loses_a_pending_download(private_data):
    from care_dashboard import datasets

    dataset = {d.name: d for d in datasets.list_datasets()}[PRIVATE]
    who = access.visitor(logged_in("luis@cempre.org.co", email_verified=True), login=True, serving=True,
                         issued_at=Login.issued_at)
    download = access.checked(who, dataset, lambda: b"private")
    assert download() == b"private"
    (private_data / "access.toml").write_text('[roles]\npartner = ["ana@partner.org"]\n')
    with pytest.raises(access.LoginEnded):
        download()


# ---- the cookie secret ---------------------------------------------------------------------------

def example_auth() -> dict:
    return tomllib.loads((paths.ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))["auth"]


@pytest.mark.parametrize("secret", [None, "short-but-random-9f8e7d", "x" * 64])
def test_make_run_with_the_example_or_a_weak_cookie_secret_offers_no_login_and_says_why(private_data, secret, caplog):
    auth = example_auth() if secret is None else {**AUTH, "cookie_secret": secret}
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = {"auth": auth}
    at.user = logged_in("ana@partner.org", email_verified=True)  # a cookie forged with that secret
    with caplog.at_level(logging.WARNING, logger="care_dashboard.ui_access"):
        at.run()
    assert not at.exception
    assert not login_buttons(at)
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "The login is off" in warning and "cookie_secret" in warning and "token_hex(32)" in warning
    assert "cookie_secret" in caplog.text and "no login is offered" in caplog.text
    assert "Logged in as" not in shown_text(at)


def test_make_serve_with_the_example_or_a_weak_cookie_secret_offers_no_login_to_anyone(private_data, monkeypatch):
    monkeypatch.setenv("CARE_SERVE", "1")
    at = AppTest.from_file(str(paths.ROOT / "dashboard.py"), default_timeout=60)
    at.secrets = {"auth": example_auth()}
    at.user = logged_in("ines@partner.org", email_verified=True)  # the probe's forged importer cookie
    at.run()
    assert picker(at) == ["CARE 2025 report"] and not has_import_page(at) and not login_buttons(at)


def serve_module():
    """deploy/serve.py, imported as tests/deploy/test_serve.py does."""
    sys.path.insert(0, str(paths.ROOT / "deploy"))
    import serve

    return serve


def write_secrets(path, secret: str) -> None:
    path.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in {**AUTH, "cookie_secret": secret}.items()))


@pytest.mark.parametrize("secret, says", [
    ("replace-with-64-random-hex-characters", "is still the example's placeholder"),
    ("0123456789abcdef", "is shorter than 32 characters"),
    ("ab" * 20, "is too easy to guess"),
])
def test_make_serve_refuses_to_start_with_the_example_or_a_weak_cookie_secret(private_data, secret, says):
    serve = serve_module()
    secrets = private_data / "secrets.toml"
    write_secrets(secrets, secret)
    with pytest.raises(SystemExit) as refused:
        serve.check_login(serve.settings_from_env({"CARE_SECRETS_FILE": str(secrets)}))
    message = str(refused.value)
    assert message.startswith(f"{secrets}: [auth] cookie_secret {says}")
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in message


def test_make_serve_refuses_the_example_file_as_it_is(private_data):
    serve = serve_module()
    secrets = private_data / "secrets.toml"
    secrets.write_text((paths.ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    with pytest.raises(SystemExit, match="cookie_secret is still the example's placeholder"):
        serve.check_login(serve.settings_from_env({"CARE_SECRETS_FILE": str(secrets)}))


def test_make_serve_checks_the_login_state_folder_and_the_idle_timeout(private_data, monkeypatch):
    serve = serve_module()
    secrets = private_data / "secrets.toml"
    write_secrets(secrets, AUTH["cookie_secret"])
    settings = serve.settings_from_env({"CARE_SECRETS_FILE": str(secrets)})
    line = serve.check_login(settings)
    assert "logins end at Log out and after 8 h unused" in line and str(private_data / "state") in line
    (private_data / "state").chmod(0o755)
    with pytest.raises(SystemExit, match="CARE_STATE_DIR: .*mode 0755.*chmod 700"):
        serve.check_login(settings)
    (private_data / "state").chmod(0o700)
    monkeypatch.setenv(signouts.IDLE_ENV, "8 hours")
    with pytest.raises(SystemExit, match="CARE_IDLE_TIMEOUT is a duration such as 8h"):
        serve.check_login(settings)


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
    assert access.login_problem(None) is None and access.login_problem(AUTH) is None
    assert access.login_problem({**AUTH, "cookie_secret": " "})[0] == access.INCOMPLETE
    assert access.login_problem(example_auth())[0] == access.WEAK_SECRET


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


def test_a_check_outside_a_page_run_reads_the_cookie_and_sees_its_log_out(private_data):
    """What a middleware answering a download does (signouts' module docstring)."""
    from tests.identity_cookies import SECRET, streamlit_cookies

    cookies = streamlit_cookies({"email": "luis@cempre.org.co", "email_verified": True}, SECRET)
    identity = signouts.read_identity(cookies, SECRET)
    assert signouts.is_current(identity.email, identity.issued_at)
    assert access.visitor(identity.claims, login=True, serving=True, issued_at=identity.issued_at).sees_every_dataset
    signouts.sign_out("Luis@CEMPRE.org.co")
    assert not signouts.is_current(identity.email, identity.issued_at)
    who = access.visitor(identity.claims, login=True, serving=True, issued_at=identity.issued_at)
    assert not who.sees_every_dataset and who.held_back == access.SIGNED_OUT
    unverified = streamlit_cookies({"email": "ana@partner.org", "email_verified": "false"}, SECRET)
    identity = signouts.read_identity(unverified, SECRET)
    assert not access.visitor(identity.claims, login=True, serving=True, issued_at=identity.issued_at).roles
