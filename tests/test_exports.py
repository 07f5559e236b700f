"""The files a table or chart is taken away as: the Excel workbook read back with openpyxl (typed
numbers, an unknown cell empty with its marker, the notes sheet, no formula), the Spanish CSV
parsed with the csv module (";", decimal commas, no words in a number column), the files' names,
the chart's footer (no note number the image does not hold) and its 16:9 image size, and, on
every page, both download buttons under every chart and table."""

from __future__ import annotations

import csv
import functools
import io
import json
import re

import openpyxl
import pytest

from care_dashboard import catalogue, caveats, datasets, exports, i18n, typed_table, ui, ui_figures, views
from care_dashboard.selection import Selection
from tests.apptest_helpers import SYNTHETIC, elements, keyed_blocks, open_page, wide_figure

FORMULA = '=HYPERLINK("http://x","y")'


@functools.cache
def context(name: str, lang: str, organisations: tuple[str, ...] = ()) -> ui.PageContext:
    dataset = datasets.load_dataset(name)
    return ui.PageContext(lang, dataset, Selection(organisations=organisations),
                          ui.filter_options(dataset).labels(lang), 5)


def exported(ctx: ui.PageContext, key: str):
    view = views.build_view(catalogue.get(key), ctx.source)
    assert view is not None and view.typed_table is not None, key
    return view, ui_figures.export_header(ctx, ctx.frame(view))


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def csv_table(data: bytes, delimiter: str) -> tuple[list[list[str]], list[list[str]]]:
    """The header block and the table of a CSV (split at its blank row)."""
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))
    blank = rows.index([])
    return rows[:blank], rows[blank + 1:]


def test_the_xlsx_holds_numbers_as_numbers_and_says_why_a_cell_is_empty():
    view, header = exported(context("care_2025", "en"), "territory_participations")
    book = workbook(exports.xlsx_bytes(view.typed_table, header, "en"))
    assert book.sheetnames == ["Data", "Notes"]
    rows = sheet_rows(book["Data"])
    assert rows[0] == ["Territory", "Component", "Participations", "Participations: why empty", "Organisations",
                       "Placed by"]
    assert rows[1] == ["Bogotá", "Occupational health and safety", 147, None, 7, "organisation's city"]
    # formalisation's attendance was not published: empty, never 0, and the marker says so
    assert rows[3] == ["Bogotá", "Public waste service and formalisation", None, "not published", 5, "where the session was held"]
    assert all(isinstance(r[2], int) for r in rows[1:] if r[3] is None)
    assert len(rows) == 1 + len(view.table)
    # the page shows the same table in words
    assert view.table.iloc[2].tolist()[2] == "not published"


def test_the_xlsx_notes_sheet_has_every_caveat_in_full_and_the_source():
    ctx = context("care_2025", "es")
    view, header = exported(ctx, "territory_participations")
    notes = dict(enumerate(sheet_rows(workbook(exports.xlsx_bytes(view.typed_table, header, "es"))["Notas"])))
    found = list(notes.values())
    assert found[0] == ["Título", "Participaciones por territorio y componente"]
    assert found[1] == ["Unidad de conteo", "participaciones (asistencias), no personas"]
    said = [text for what, text in found if what == "Advertencia"]
    assert len(said) == len(ctx.frame(view).all_caveats) >= 2
    held = caveats.get("participation_not_person", "es")
    assert f"{held.title}. {held.text} (sección 6.1 del informe)" in said
    assert ["Filtros", "Componente: Todos; Territorio: Todos; Organización: Todos"] in found
    assert ["Datos", "Informe CARE 2025"] in found
    assert found[-1] == ["Licencia", "CC BY-NC 4.0"]
    assert any(what == "Fuente" and text.startswith("CEMPRE Colombia y ASI. (2025).") for what, text in found)


def test_the_xlsx_runs_no_formula_from_a_title_or_a_cell():
    table = typed_table.Table((typed_table.text("Organisation", [FORMULA, "@SUM(1)", "ok\x07"]),
                               typed_table.count("People", [3, None, 12])), "en")
    header = exports.ExportHeader(title=FORMULA, unit="+people", caveats=[], filters="-x", dataset="d",
                                  source="s", licence=FORMULA)
    book = workbook(exports.xlsx_bytes(table, header, "en"))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    data = sheet_rows(book["Data"])
    assert data[1] == [FORMULA, 3, None]  # written as it is, as text, not run
    assert data[3] == ["ok", 12, None]  # a control character XML refuses is dropped
    assert data[2] == ["@SUM(1)", None, "not published"]
    assert sheet_rows(book["Notes"])[0] == ["Title", FORMULA]


def test_the_spanish_csv_has_semicolons_decimal_commas_and_no_words_in_number_columns():
    view, header = exported(context("care_2025", "es"), "territory_map")
    head, table = csv_table(exports.csv_bytes(view.typed_table, header, "es"), ";")
    assert head[0] == [view.title] and head[1] == ["Unidad de conteo: participaciones, no personas"]
    assert table[0] == ["Territorio", "Departamento", "Latitud (aproximada)", "Longitud (aproximada)",
                        "Participaciones", "Fuera de la suma (no publicado)"]
    rows = {r[0]: r for r in table[1:]}
    assert rows["Bogotá"][1:5] == ["Bogotá, D.C.", "4,711", "-74,0721", "348"]
    assert rows["Puerto Colombia"][2:5] == ["10,9878", "-74,9547", "38"]
    assert rows["Bogotá"][5] == "Servicio público de aseo y formalización"


@pytest.mark.parametrize("lang,delimiter", [("es", ";"), ("en", ",")])
def test_no_number_column_of_any_csv_holds_words(lang, delimiter):
    """Every table of the report and of the synthetic demo filtered to three organisations (so
    small counts are hidden): a number column holds numbers or nothing, and where it holds
    nothing its marker column says why."""
    decimal = re.compile(r"^-?\d+(,\d+)?$" if lang == "es" else r"^-?\d+(\.\d+)?$")
    markers = 0
    for ctx in (context("care_2025", lang), context(SYNTHETIC, lang, ("asorepcol", "unnamed-cajica", "unnamed-bogota-1"))):
        for entry in catalogue.entries().values():
            view = views.build_view(entry, ctx.source)
            if view is None or view.make_table is None:
                continue
            _, table = csv_table(exports.csv_bytes(view.typed_table, ui_figures.export_header(ctx, ctx.frame(view)), lang),
                                 delimiter)
            header, body = table[0], table[1:]
            columns = [c for shown in view.typed_table.columns for c in shown.exported()]
            for column in (c for c in columns if c.is_number):
                j = header.index(column.header)
                marker = (header[j + 1] if j + 1 < len(header) and header[j + 1]
                          == i18n.t("exports.why_empty", lang, column=column.header) else None)
                for row in body:
                    assert row[j] == "" or decimal.match(row[j]), (entry.id, column.header, row[j])
                    if row[j] == "":
                        assert marker is not None and row[j + 1], (entry.id, column.header)
                        markers += 1
    assert markers >= 10


def test_a_hidden_count_is_empty_with_its_reason_and_shows_as_under_five_on_the_page():
    ctx = context(SYNTHETIC, "en", ("asorepcol", "unnamed-cajica", "unnamed-bogota-1"))
    view, header = exported(ctx, "people_by_organisation")
    rows = sheet_rows(workbook(exports.xlsx_bytes(view.typed_table, header, "en"))["Data"])
    head = rows[0]
    j = head.index("Public waste service and formalisation")
    asorepcol = next(r for r in rows if r[0] == "ASOREPCOL")
    assert asorepcol[j:j + 2] == [None, "hidden: fewer than 5 people"]
    assert asorepcol[head.index("Occupational health and safety")] == 37
    shown = view.table.set_index("Organisation")
    assert shown.loc["ASOREPCOL", "Public waste service and formalisation"] == "<5"
    # the matrix from attendance records: each component's participations and people, typed
    view, header = exported(ctx, "organisation_matrix")
    rows = sheet_rows(workbook(exports.xlsx_bytes(view.typed_table, header, "en"))["Data"])
    row = dict(zip(rows[0], next(r for r in rows if r[0] == "ASOREPCOL")))
    assert row["Occupational health and safety: Participations"] == 39
    assert row["Occupational health and safety: People"] == 37
    assert row["Public waste service and formalisation: People"] is None
    assert row["Public waste service and formalisation: People: why empty"] == "hidden: fewer than 5 people"


def test_file_names_carry_figure_language_and_filters():
    name = exports.file_name
    assert name("territory_participations", "es", Selection(), "csv") == "care-territory_participations-es-all.csv"
    chosen = Selection(components=("ohs",), territories=("cajica", "bogota"))
    assert name("territory_map", "en", chosen, "xlsx") == "care-territory_map-en-component-ohs_territory-cajica+bogota.xlsx"
    assert name("territory_map", "en", chosen, "", "slide") == "care-territory_map-en-component-ohs_territory-cajica+bogota-slide"
    # ids from imported data are reduced to letters and digits; a long choice is cut, with a hash
    odd = exports.file_name("m", "es", Selection(organisations=("../=Ünö Org",)), "csv")
    assert odd == "care-m-es-organisation-n-org.csv"
    many = [Selection(organisations=tuple(f"organisation-{i}" for i in range(n))) for n in (10, 11)]
    long_names = [exports.file_name("m", "en", s, "csv") for s in many]
    assert len(set(long_names)) == 2 and all(len(n) < 90 for n in long_names)


def test_the_camera_saves_a_named_image_as_drawn_or_at_16_9():
    page = ui_figures.plot_config("territory_map", "es", "care-territory_map-es-all", "page")["toImageButtonOptions"]
    assert page == {"format": "png", "filename": "care-territory_map-es-all", "scale": 2}
    slide = ui_figures.plot_config("territory_map", "es", "care-territory_map-es-all-slide", "slide")["toImageButtonOptions"]
    assert (slide["width"], slide["height"], slide["filename"]) == (1280, 720, "care-territory_map-es-all-slide")
    assert slide["width"] * 9 == slide["height"] * 16


def _blocks(at):
    return {**keyed_blocks(at, "care_chart_"), **keyed_blocks(at, "care_table_")}


@pytest.mark.parametrize("page,dataset", [("overview", None), ("territory", None), ("component", None),
                                          ("organisation", None), ("method", None), ("people", SYNTHETIC)])
def test_every_chart_and_table_offers_csv_and_excel_and_its_image_points_to_no_note(page, dataset):
    at = open_page(page, lang="es", dataset=dataset, territory=["cajica"])
    blocks = _blocks(at)
    assert blocks, page
    charts = keyed_blocks(at, "care_chart_")
    for key, block in blocks.items():
        buttons = sorted(b.label for b in elements(block, "download_button"))
        assert buttons == ["Descargar CSV", "Descargar Excel"], (key, buttons)
        if key in charts:
            fig, _ = wide_figure(block)
            footer = fig["layout"]["annotations"][-1]["text"]
            assert not re.search(r"\[\d+\]", footer), (key, footer)
            assert re.search(r"\((informe §|método)", footer), (key, footer)
            assert "Cajicá" in footer
            [chart] = [c for c in elements(block, "plotly_chart") if not c.proto.id.endswith("_narrow")]
            saved = json.loads(chart.proto.config)["toImageButtonOptions"]
            assert saved["filename"] == f"care-{key}-es-territory-cajica", saved


def test_the_typed_people_table_says_what_its_page_form_says_on_random_rows():
    """Each cell: a count typed where the page shows one, and where the page shows words ("<5",
    "did not take part") an empty cell whose reason says that."""
    import numpy as np
    import pandas as pd

    from care_dashboard import tables
    from tests.test_pure import people_labels

    rng = np.random.default_rng(11)
    for _ in range(20):
        rows = [(o, "bogota", c, None if hidden else int(rng.integers(0, 3000)), hidden)
                for o in ("asorepcol", "asofrain", "x1")[: rng.integers(1, 4)]
                for c in (None, "ohs", "human-rights", "formalisation") if rng.random() > 0.3
                for hidden in [bool(rng.random() < 0.25)]]
        if not rows:
            continue
        df = pd.DataFrame(rows, columns=["organisation_id", "territory_id", "component_id", "people_count",
                                         "is_below_threshold"])
        df["people_count"] = df["people_count"].astype("Int32")
        df["participations_count"] = df["people_count"]
        df["is_below_threshold"] = df["is_below_threshold"].astype("boolean")
        typed = tables.people_by_organisation_table(df, people_labels(), threshold=5)
        shown = typed.display()
        for j, column in enumerate(typed.columns[2:], start=2):
            for i, value in enumerate(column.values):
                cell = shown.iloc[i, j]
                if value is None:
                    reason = column.reason(i, "en")
                    assert reason is not None and reason.shown == cell, (i, column.header, cell)
                    assert reason.said == ("hidden: fewer than 5 people" if cell == "<5" else "did not take part")
                else:
                    assert isinstance(value, int) and i18n.number(value, "en") == cell
