"""Caveats and interface texts: both languages complete, every id used exists, each caveat cites
a report section, and no sentence of the report is copied."""

import re
from pathlib import Path

import pytest

from care_dashboard import caveats, i18n, paths

REPORT = Path(paths.ROOT.parent / "shared" / "seeds" / "000_b6f67a489e4b30bb.txt")


def test_caveat_entries_complete():
    for cid, entry in caveats.catalogue().items():
        assert set(entry) == {"section", "title_en", "text_en", "title_es", "text_es"}, cid
        assert re.fullmatch(r"[0-9.]+(, [0-9.]+)*", entry["section"]), cid


def test_required_caveats_present():
    assert {
        "participation_not_person", "organisations_not_summable", "formalisation_counted_in_organisations",
        "per_organisation_only_soft_skills", "soft_skills_selected_not_sampled", "outputs_not_outcomes",
        "small_territories_fragile", "territory_is_organisation_city",
    } <= set(caveats.catalogue())


def test_i18n_catalogues_have_the_same_keys():
    assert set(i18n.catalogue("en")) == set(i18n.catalogue("es"))


def test_i18n_placeholders_match():
    for key, text in i18n.catalogue("en").items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", i18n.catalogue("es")[key])), key


def test_every_text_key_used_in_code_exists():
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*paths.ROOT.glob("*.py"), *(paths.ROOT / "pages").glob("*.py"), *(paths.ROOT / "care_dashboard").glob("*.py")])
    used = set(re.findall(r"""(?:\bt|ctx\.t|i18n\.t)\(\s*["']([a-z_]+\.[a-z_.]+)["']""", code))
    assert used, "no text keys found: the pattern is wrong"
    missing = used - set(i18n.catalogue("en"))
    assert not missing


def test_pages_hold_no_hard_coded_text():
    """Pages pass text keys, never sentences: no string literal in a page has a space in it,
    apart from the bilingual language picker label."""
    for page in [*(paths.ROOT / "pages").glob("*.py"), paths.ROOT / "dashboard.py"]:
        src = page.read_text(encoding="utf-8")
        body = re.sub(r'""".*?"""', "", src, flags=re.S)  # docstrings
        literals = re.findall(r'(?<![\w])"([^"\n]*)"', body)
        prose = [s for s in literals if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", s) and s != "Language / Idioma"]
        assert not prose, f"{page.name}: {prose}"


def _words(text):
    return re.findall(r"[a-záéíóúñ0-9]+", text.lower())


@pytest.mark.skipif(not REPORT.exists(), reason="the report is in ../shared/seeds, beside the project")
def test_no_report_sentence_is_copied():
    """No run of 8 words of the report appears in our caveats or texts."""
    words = _words(REPORT.read_text(encoding="utf-8"))
    shingles = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    ours = [c["text_en"] for c in caveats.catalogue().values()] + list(i18n.catalogue("en").values())
    for text in ours:
        w = _words(text)
        copied = [" ".join(w[i : i + 8]) for i in range(len(w) - 7) if " ".join(w[i : i + 8]) in shingles]
        assert not copied, copied


def test_number_formats_follow_the_language():
    assert i18n.number(1234, "en") == "1,234"
    assert i18n.number(1234, "es") == "1.234"
    assert i18n.number(None, "en") == "not published"
    assert i18n.number(float("nan"), "es") == "no publicado"
    assert i18n.number(0, "en") == "0"
