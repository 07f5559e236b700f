"""Sign-in sheets built in code for the import tests (no personal data of real people)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

HEADER_ES = ["Fecha", "Ciudad", "Organización", "Nombre(s) y apellidos", "Cédula", "Rol", "Componente"]

# (date, city, organisation, name, document, role, component): 6 rows, 5 participations after the
# duplicate, 3 people with documents + 1 row without, 2 organisations, 3 sessions
ROWS = [
    ("10/04/2025", "Bogota D.C.", "ASOREPCOL", "Ana Pérez Quintero", "52.031.676", "Recicladora", "SST"),
    ("10/04/2025", "Bogotá", "Asorepcol ", "Luis Gómez Ardila", "CC 80111222", "Reciclador", "Seguridad y salud en el trabajo"),
    ("10/04/2025", "BOGOTÁ", "asorepcol", "Ana Pérez Quintero", "52031676", "Recicladora", "sst"),
    ("12/06/2025", "Bogotá", "ASOREPCOL", "Ana Pérez Quintero", "52031676", "Recicladora", "Derechos humanos"),
    ("12/06/2025", "Bogotá", "ASOFRAIN", "Pedro Ruiz Mora", "", "Reciclador", "DDHH"),
    ("27/11/2025", "Bogotá", "ASOFRAIN", "Marta Díaz Peña", "1.020.304.050", "Líder", "Habilidades blandas"),
]
NAMES = ["Ana Pérez Quintero", "Luis Gómez Ardila", "Pedro Ruiz Mora", "Marta Díaz Peña"]
DOCUMENTS = ["52031676", "80111222", "1020304050"]


def csv_bytes(rows=ROWS, header=HEADER_ES, sep=";", encoding="utf-8", title_rows=()):
    lines = [sep.join(t) for t in title_rows] + [sep.join(header)] + [sep.join(r) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text.encode("utf-8")
    return text.encode(encoding)


def xlsx_bytes(rows, header=HEADER_ES, title_rows=(("LISTA DE ASISTENCIA - PROYECTO CARE",), ("Sesión de formación",))):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Asistencia"
    for t in title_rows:
        ws.append(list(t))
    ws.append([])
    ws.append(header)
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


XLSX_ROWS = [  # real Excel dates, text dates, a serial number and a number for the document
    (dt.datetime(2025, 11, 18), "Barranquilla", "FENACICLAR", "Rosa Mejía Ortiz", 72123456, "Recicladora", "Habilidades blandas y bienestar"),
    ("18/11/2025", "barranquilla ", "Fenaciclar", "Jorge Salas Vega", "CC 72.654.321", "Reciclador", "Bienestar"),
    (45979, "Barranquilla", "METRORECICLAR", "Carmen Ríos Pardo", "72999888", "Recicladora", "habilidades blandas"),
    ("19-11-2025", "Puerto Colombia", "Asociación Costa Limpia", "Iván Cantillo Ruiz", "", "Asociado", "Soft skills"),
]
XLSX_NAMES = ["Rosa Mejía Ortiz", "Jorge Salas Vega", "Carmen Ríos Pardo", "Iván Cantillo Ruiz"]
XLSX_DOCUMENTS = ["72123456", "72654321", "72999888"]
