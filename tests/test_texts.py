"""Caveats and interface texts: both languages complete, every id used exists, each caveat cites
a report section (or, for attendance records and synthetic data, this dashboard's method), and no
sentence of the report is copied."""

import re
from pathlib import Path

import pytest

from care_dashboard import catalogue, caveats, frontend_texts, i18n, paths, schema
from tests.care_words import CARE_WORDS

REPORT = Path(paths.ROOT.parent / "shared" / "seeds" / "000_b6f67a489e4b30bb.txt")


def test_caveat_entries_complete():
    for cid, entry in caveats.catalogue().items():
        assert set(entry) - set(caveats.BINDING_KEYS) == {"section", "title_en", "text_en", "short_en", "title_es", "text_es", "short_es"}, cid
        for lang in ("en", "es"):  # a short form: a few words, shorter than the full title
            assert len(entry[f"short_{lang}"].split()) <= 8, (cid, lang)
        assert set(entry.get("kinds", schema.DATASET_KINDS)) <= set(schema.DATASET_KINDS), cid
        for key in ("kinds", "datasets", "when"):  # an empty list would hide it everywhere
            assert entry.get(key, True), f"{cid}: an empty {key} list would hide it everywhere"
        assert all(isinstance(d, str) and d for d in entry.get("datasets", ())), cid
        assert set(caveats.needs(cid)) <= set(caveats.FACTS), cid
        assert all(other in caveats.catalogue() and other != cid for other in caveats.unless_of(cid)), cid
        # a report section, or this dashboard's method for caveats about records and synthetic data
        assert re.fullmatch(r"[0-9.]+(, [0-9.]+)*|method", entry["section"]), cid


def test_caveat_placeholders_match_and_are_filled():
    for cid, entry in caveats.catalogue().items():
        en, es = (set(re.findall(r"{(\w+)}", entry[f"text_{lang}"])) for lang in ("en", "es"))
        assert en == es and en <= {"threshold"}, cid
    text = caveats.get("small_numbers_suppressed", "es", {"threshold": 7}).text
    assert '"<7"' in text and "{" not in text


CARE = caveats.DataFacts("care_2025", "published_aggregate", frozenset(
    {"territory_with_one_organisation", "unnamed_organisation", "period_by_month", "component_in_organisations"}))
DEMO = caveats.DataFacts("care_2025_synthetic", "record_level", frozenset(
    {"territory_with_one_organisation", "unnamed_organisation", "period_by_month", "synthetic"}))
PARTNER = caveats.DataFacts("partner_2026", "record_level", frozenset({"territory_with_one_organisation"}))


def test_care_facts_are_bound_to_the_care_datasets():
    """The report's facts hold on its datasets and never on a partner's; on each dataset one of a
    CARE caveat and the caveat written for any data in its place shows, never both."""
    for cid in ("organisations_not_summable", "unnamed_organisations", "small_territories_fragile",
                "soft_skills_selected_not_sampled", "period_precision", "territory_is_organisation_city",
                "outputs_not_outcomes"):
        assert caveats.holds(cid, CARE) and caveats.holds(cid, DEMO) and not caveats.holds(cid, PARTNER), cid
    for cid in ("formalisation_counted_in_organisations", "formalisation_not_in_total", "formalisation_by_venue",
                "per_organisation_only_soft_skills"):
        assert caveats.holds(cid, CARE) and not caveats.holds(cid, DEMO) and not caveats.holds(cid, PARTNER), cid
    assert caveats.holds("synthetic_data", DEMO) and not caveats.holds("synthetic_data", CARE)
    for cid in caveats.catalogue():
        for other in caveats.unless_of(cid):
            for data in (CARE, DEMO, PARTNER, "record_level", "published_aggregate"):
                assert not (caveats.holds(cid, data) and caveats.holds(other, data)), (cid, other, data)
    partner = {c.id for c in caveats.all_caveats("en", PARTNER)}
    assert {"organisations_counted_per_component", "territory_is_organisation_municipality", "attendance_not_effects",
            "participants_not_a_sample", "periods_from_sessions", "single_organisation_territories",
            "participation_not_person", "people_from_person_keys"} <= partner
    assert not partner & {"organisations_not_summable", "unnamed_organisations", "some_organisations_unnamed",
                          "periods_by_month", "synthetic_data", "synthetic_records", "distinct_people_range"}
    # a fact decides: without a single-organisation territory, no caveat about one
    alone = caveats.DataFacts("partner_2026", "record_level", frozenset())
    assert not caveats.holds("single_organisation_territories", alone)
    # a synthetic dataset other than the CARE demo gets the caveat for any invented records
    other_demo = caveats.DataFacts("bench_demo", "record_level", frozenset({"synthetic"}))
    assert [c.id for c in caveats.for_ids(caveats.SYNTHETIC_IDS, "en", other_demo)] == ["synthetic_records"]
    assert caveats.synthetic_caveat("es", PARTNER) is None


def test_caveats_true_of_any_data_state_no_care_fact():
    """A caveat that can hold on a partner's dataset says nothing only the CARE report makes true,
    and cites no report section there (it rests on this dashboard's method)."""
    for cid in caveats.catalogue():
        if "datasets" in caveats.catalogue()[cid]:
            continue
        for lang in caveats.LANGS:
            c = caveats.get(cid, lang, {"threshold": 5}, PARTNER)
            for text in (c.title, c.short, c.text):
                assert not CARE_WORDS[lang].search(text), (cid, lang, CARE_WORDS[lang].search(text).group(0))
            assert c.rests_on_method, cid
    # on the report's own datasets, the same caveat cites its section
    assert caveats.get("participation_not_person", "en", data=CARE).section == "6.1"
    assert caveats.get("participation_not_person", "en", data=PARTNER).section == "method"


def test_data_facts_query_gives_every_fact(care):
    """The named query data_facts has one column has_FACT for each fact a caveat may need (but
    synthetic, from dataset.toml), and on the report's figures they are those of CARE above."""
    from care_dashboard import queries

    row = care.one("data_facts")
    assert {c.removeprefix(caveats.FACT_PREFIX) for c in queries.get("data_facts").columns} == set(caveats.FACTS) - {caveats.SYNTHETIC_FACT}
    assert caveats.DataFacts.from_row(care.dataset, row.to_dict()) == CARE


def test_caveats_follow_the_kind_of_dataset():
    published = {c.id for c in caveats.for_ids(caveats.catalogue(), "en", "published_aggregate")}
    records = {c.id for c in caveats.for_ids(caveats.catalogue(), "en", "record_level")}
    assert "distinct_people_range" in published and "distinct_people_range" not in records
    assert "small_numbers_suppressed" in records and "small_numbers_suppressed" not in published
    assert "participation_not_person" in published & records
    assert caveats.SYNTHETIC not in {c.id for c in caveats.all_caveats("en", "record_level", synthetic=False)}


def test_caveats_about_records_rest_on_the_method():
    for cid in ("synthetic_data", "people_from_person_keys", "records_without_person_key", "small_numbers_suppressed"):
        assert caveats.get(cid, "en").rests_on_method, cid


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
    package = paths.ROOT / "care_dashboard"
    folders = [paths.ROOT, paths.ROOT / "pages", package, package / "charts", package / "map_chart"]
    code = "\n".join(p.read_text(encoding="utf-8") for folder in folders for p in folder.glob("*.py"))
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
    ours = [c[k] for c in caveats.catalogue().values() for k in ("text_en", "title_en", "short_en")]
    ours += list(i18n.catalogue("en").values())
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


def test_every_figure_has_key_caveats_among_its_own():
    """content/figures.toml: each figure's key caveats exist and are caveats of that figure (of
    its query, or added by the page), so a short caveat is never shown beside a figure it does
    not describe; each holds for at least one kind of dataset."""
    for key, entry in catalogue.entries().items():
        own = set(entry.caveat_ids)
        assert entry.key_caveats, key
        assert set(entry.key_caveats) <= own, (key, set(entry.key_caveats) - own)
        # a key caveat that holds on each kind of data the figure is shown on
        for kind in entry.data:
            assert caveats.for_ids(entry.key_caveats, "en", kind), (key, kind)


def _every_data():
    """The report's datasets as they are, and a partner's dataset of either kind with any facts."""
    yield CARE
    yield DEMO
    facts = [f for f in caveats.FACTS if f != caveats.SYNTHETIC_FACT]
    for kind in schema.DATASET_KINDS:
        for n in range(2 ** len(facts)):
            found = {f for i, f in enumerate(facts) if n >> i & 1}
            for synthetic in (False, True):
                yield caveats.DataFacts("partner_2026", kind, frozenset(found | ({"synthetic"} if synthetic else set())))


def test_every_figure_keeps_a_key_caveat_that_holds_on_any_dataset():
    """On any dataset (a partner's, of any place and components, whatever is true of it) of a kind
    a figure is shown on, at least one of its key caveats holds: the CARE ones bound to the
    report's datasets leave a caveat written for any data in their place. A figure is shown on a
    kind when one of its key caveats is written for it."""
    for key, entry in catalogue.entries().items():
        for data in _every_data():
            if data.kind in entry.data:
                assert caveats.for_ids(entry.key_caveats, "en", data), (key, data)
        # and one that holds on any dataset of each such kind, needing no fact and no dataset name
        for kind in entry.data:
            assert caveats.for_ids(entry.key_caveats, "en", caveats.DataFacts("any_partner", kind)), (key, kind)


def test_every_entry_of_the_figure_catalogue_is_a_figure_of_the_dashboard():
    """Every entry is laid out on each page it names (a page is a layout of figure ids), and no
    page lays out an id the catalogue lacks."""
    for page in {p for e in catalogue.entries().values() for p in e.pages}:
        code = (paths.ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8")
        laid_out = set(re.findall(r'"([a-z_]+)"', code)) & set(catalogue.entries())
        assert laid_out == {e.id for e in catalogue.on_page(page)}, page


# ---- Streamlit's and Plotly's own texts (care_dashboard/frontend_texts.py) ------------------------

def _streamlit_bundle() -> str:
    """Every script of the installed Streamlit's frontend, one string."""
    import streamlit

    folder = Path(streamlit.__file__).parent / "static" / "static" / "js"
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.glob("*.js"))


def test_streamlit_texts_are_the_ones_its_frontend_writes():
    """Each English text of content/i18n/streamlit/ is written by the installed Streamlit (each
    sentence's literal parts around any {placeholder}; "NAME icon" is composed from a Material
    icon's name):
    a text Streamlit no longer writes would sit in the table unused while its new one shows in
    English."""
    bundle = _streamlit_bundle()
    texts = {k: v for k, v in i18n.catalogue("en").items() if k.startswith(frontend_texts.PREFIX)}
    assert len(texts) > 40
    for key, text in texts.items():
        if re.fullmatch(r"[a-z_]+ icon", text):
            assert "} icon`" in bundle, key
            continue
        for sentence in re.split(r"(?<=\.) ", text):  # Streamlit joins some of its sentences
            for piece in filter(None, re.split(r"\{\w+\}", sentence.removesuffix("."))):
                assert piece in bundle, (key, piece)


def test_streamlit_texts_turn_each_language_into_the_other_and_never_loop():
    es, en = frontend_texts.replacements("es"), frontend_texts.replacements("en")
    assert ["Upload", "Subir"] in es["uploader"] and ["Subir", "Upload"] in en["uploader"]
    assert ["Help for {label}", "Ayuda: {label}"] in es["label"]
    assert ["Page not found", "Página no encontrada"] in es["dialog"]
    assert set(es) == {"label", "uploader", "dialog", "tooltip", "menu", "skip", "table"}
    for part, pairs in es.items():
        sources = {source for source, _ in pairs}
        # a replaced text is never replaced again (the page's script would loop)
        assert not sources & {target for _, target in pairs}, part
        assert len(sources) == len(pairs), part  # one Spanish text per English one
    # the script knows every part the catalogue has (content/js/document_language.js, PARTS)
    script = (paths.CONTENT_DIR / "js" / "document_language.js").read_text(encoding="utf-8")
    declared = set(re.findall(r"^  (\w+): '", script, flags=re.M))
    assert declared == set(es) - {"label"}


def test_plotly_speaks_the_page_s_language_from_its_own_locale():
    config = frontend_texts.plotly_config("es")
    assert config["locale"] == "es"
    dictionary = config["locales"]["es"]["dictionary"]
    toolbar = {"Download plot as a PNG": "Descargar gráfica como PNG", "Zoom": "Modo Ampliar/Reducir",
               "Pan": "Modo Panorámica", "Reset axes": "Reiniciar ejes", "Autoscale": "Autoescalar",
               "Zoom in": "Ampliar", "Zoom out": "Reducir", "Double-click to zoom back out": "Haga doble-clic para restaurar la escala"}
    assert {k: dictionary[k] for k in toolbar} == toolbar
    assert config["locales"]["es"]["format"]["shortMonths"][0] == "Ene"
    assert frontend_texts.plotly_config("en") == {}
    # the Plotly that Streamlit ships asks for these texts (the locale, copied unchanged, also
    # has some that newer Plotly no longer shows)
    bundle = _streamlit_bundle()
    assert [k for k in toolbar if f"`{k}`" not in bundle] == []


def test_every_test_the_security_notes_name_exists():
    """docs/security.md says which test shows each protection; a renamed or deleted test must
    not leave the table pointing at nothing."""
    text = (paths.ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named, missing, last = 0, [], None
    for m in re.finditer(r"`(tests/[\w/]+\.py)?::(\w+)`", text):
        last = m.group(1) or last
        named += 1
        if not re.search(rf"def {m.group(2)}\b", (paths.ROOT / last).read_text(encoding="utf-8")):
            missing.append(f"{last}::{m.group(2)}")
    assert named >= 17 and missing == []
