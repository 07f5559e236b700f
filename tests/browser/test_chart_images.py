"""A chart's taken-away files in a real browser: the camera button saves its PNG named after the
figure, the language and the filters, as drawn on the page or, with the sidebar's slide size, at
16:9 (2560 x 1440); the Excel button beside the CSV gives a workbook of the same name. The
images go to test-artifacts/screens/."""

import io
import struct

import openpyxl

from tests.browser.conftest import ARTIFACTS, wait_for_app

KEY = "territory_participations"
NAME = f"care-{KEY}-es-territory-cajica"


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def save_image(page, block):
    block.locator(".js-plotly-plot").first.hover()
    with page.expect_download() as info:
        block.locator(".modebar-btn[data-title*='PNG'], .modebar-btn[data-title*='png']").first.click()
    download = info.value
    path = ARTIFACTS / download.suggested_filename
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    download.save_as(path)
    return download.suggested_filename, png_size(path)


def test_chart_image_and_excel_are_named_for_figure_language_and_filters(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    page.goto(f"{server}/territory?lang=es&territory=cajica")
    wait_for_app(page)
    block = page.locator(f".st-key-care_chart_{KEY}")
    name, (width, height) = save_image(page, block)
    assert name == f"{NAME}.png"
    assert width > 0 and height > 0

    page.get_by_text("Imágenes de gráficos en tamaño de diapositiva (16:9)").click()
    page.wait_for_function(
        f"() => [...document.querySelectorAll('.st-key-care_chart_{KEY} .js-plotly-plot')]"
        ".some((c) => (c._context || {}).toImageButtonOptions?.width === 1280)", timeout=60_000)
    wait_for_app(page)
    name, size = save_image(page, page.locator(f".st-key-care_chart_{KEY}"))
    assert (name, size) == (f"{NAME}-slide.png", (2560, 1440))

    with page.expect_download() as info:
        page.locator(f".st-key-care_chart_{KEY}").get_by_role("button", name="Descargar Excel").click()
    assert info.value.suggested_filename == f"{NAME}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    rows = [[c.value for c in row] for row in book["Datos"].iter_rows()]
    assert rows[0][:3] == ["Territorio", "Componente", "Participaciones"]
    assert sorted(r[2] for r in rows[1:]) == [18, 22]
    page.close()
