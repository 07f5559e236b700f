"""Import of sign-in sheets (listas de asistencia) into pseudonymised record-level datasets.

    reference   the known territories, components and aliases (content/reference/*.csv)
    normalise   one value at a time: text, dates (day first), document numbers, names to ids
    sheets      reading CSV (any separator, UTF-8/BOM/Latin-1) and XLSX (title rows, date cells)
    validate    every problem of every row, with pandera, as "FILE: row R: COLUMN: problem"
    personal    a document number or a participant's name where an organisation's name belongs
    ids         dataset names (why one is refused) and organisation ids (one per distinct name)
    identity    the secret key and the keyed hash (HMAC-SHA256) that replaces document numbers
    importer    the whole run: read, validate, pseudonymise, deduplicate, merge, publish

Names and raw document numbers are read into memory only: they are never written, logged or shown.
"""
