"""CSV downloads a spreadsheet cannot turn into formulas.

A cell starting with = + - @ (or a tab or carriage return) is read as a formula by Excel,
LibreOffice and Google Sheets: `=HYPERLINK(...)` typed as a patient's name would run on the
manager's machine. Such cells get a leading apostrophe, which spreadsheets show as text.
(The lead will fold this into the project's shared helper.)
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_download(*, filename: str, header: list[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return response
