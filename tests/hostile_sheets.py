"""Hostile sign-in sheets, built in code (security_probe.md, findings 4, 5, 6, 12): small files that
cost a naive reader gigabytes or minutes. Also used by bench/import_under_load.py."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl

HEADER = ["Fecha", "Ciudad", "Organización", "Nombre(s) y apellidos", "Cédula", "Rol", "Componente"]


def _workbook(rows=(), header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _rewrite(xlsx: bytes, part: str, change) -> bytes:
    """The workbook with one part's text changed by ``change`` (every other part as it was)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def dimension_bomb() -> bytes:
    """A few KB: a header row, one cell in the last row, and <dimension ref="A1:XFD1048576"/>.
    openpyxl pads every missing row to the claimed width; a reader that keeps rows as lists
    needs about 130 GB for it."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(HEADER)
    ws.cell(row=1_048_576, column=1, value="x")
    buf = io.BytesIO()
    book.save(buf)
    return _rewrite(buf.getvalue(), SHEET,
                    lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml))


def deflate_bomb(unpacked_mb: int = 300) -> bytes:
    """A workbook whose sheet XML unzips to ``unpacked_mb`` MB of rows (a few MB zipped)."""
    base = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    # rows without r="" attributes are all alike, so they compress about 400 to 1
    chunk = ('<row><c t="inlineStr"><is><t>18/11/2025</t></is></c><c t="inlineStr"><is><t>Bogota</t></is></c></row>' * 10_000).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in base.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, base.read(info.filename))
                continue
            xml = base.read(SHEET).decode()
            head, tail = xml.split("</sheetData>")
            head = re.sub(r'<dimension ref="[^"]*"\s*/>', "", head)
            with dst.open(SHEET, "w", force_zip64=True) as f:
                f.write(head.encode())
                for _ in range(unpacked_mb * 1000 * 1000 // len(chunk) + 1):
                    f.write(chunk)
                f.write(("</sheetData>" + tail).encode())
    return out.getvalue()


def shared_string_bomb(string_mb: int = 300) -> bytes:
    """One shared string of ``string_mb`` MB (a few hundred KB zipped), used by one cell."""
    xlsx = _workbook([("18/11/2025", "Bogotá", "ASOREPCOL", "Ana", "52031676", "Recicladora", "SST")])
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                continue
            if info.filename == SHEET:  # the organisation cell points at shared string 0
                data = re.sub(rb'<c r="C2"[^>]*>.*?</c>', b'<c r="C2" t="s"><v>0</v></c>', data)
            if info.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in data:
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            dst.writestr(info.filename, data)
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
            block = b"A" * (1000 * 1000)
            for _ in range(string_mb):
                f.write(block)
            f.write(b"</t></si></sst>")
    return out.getvalue()


def entity_workbook(kind: str) -> bytes:
    """A workbook whose sheet XML declares entities: "xxe" reads /etc/hostname into a cell,
    "laughs" is the billion laughs (ten levels of ten)."""
    xlsx = _workbook([("18/11/2025", "Bogotá", "ASOREPCOL", "Ana", "52031676", "Recicladora", "SST")])
    if kind == "xxe":
        doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>'
        text = "&xxe;"
    else:
        levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
        doctype = "<!DOCTYPE worksheet [" + "".join(levels) + "]>"
        text = "&lol9;"

    def change(xml: str) -> str:
        xml = xml.replace("?>", "?>" + doctype, 1) if xml.startswith("<?xml") else doctype + xml
        return re.sub(r'<c r="B2"[^>]*>.*?</c>', f'<c r="B2" t="inlineStr"><is><t>{text}</t></is></c>', xml)

    return _rewrite(xlsx, SHEET, change)


def redos_csv() -> bytes:
    """96 KB of ',"a': csv.Sniffer's regular expression took 55 s on it."""
    return b',"a' * 32000


def long_field_csv(chars: int = 200_000) -> bytes:
    """A header and a row whose organisation cell holds ``chars`` characters (csv's own field
    limit is 131,072)."""
    return (";".join(HEADER) + "\r\n" + ";".join(["18/11/2025", "Bogotá", "X" * chars, "Ana", "52031676", "", "SST"])
            + "\r\n").encode("utf-8")


def understated_dimension(rows, ref: str = "A1:G2") -> bytes:
    """A workbook with ``rows`` under the header whose sheet XML declares ``<dimension ref=REF>``
    (fewer rows than it holds): openpyxl's read-only mode stops at the declared last row."""
    return _rewrite(_workbook(rows), SHEET, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml))


def formulas_without_values(rows, columns=(2,), cached: dict | None = None) -> bytes:
    """A workbook whose cells in ``columns`` (0-based) of every data row are formulas, saved
    without their results, as a program that does not calculate saves them. ``cached``: column ->
    a text result written in the XML after the formula, as Excel saves it."""
    formula_rows = [tuple(f'="{v}"' if i in columns else v for i, v in enumerate(r)) for r in rows]
    xlsx = _workbook(formula_rows)
    if not cached:
        return xlsx

    def add_values(xml: str) -> str:
        for col, text in cached.items():
            letter = "ABCDEFG"[col]
            xml = re.sub(rf'(<c r="{letter}(\d+)")([^>]*)>(<f>.*?</f>)(<v\s*/>|<v></v>)?</c>',
                         lambda m: f'{m.group(1)} t="str">{m.group(4)}<v>{text}</v></c>', xml)  # noqa: B023 - re.sub calls it at once
        return xml

    return _rewrite(xlsx, SHEET, add_values)
