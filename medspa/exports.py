"""CSV exports: every one goes through `csv_response`, so no cell is read as a formula.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula: a patient's name "=HYPERLINK(…)" would run on the manager's machine. Such cells get a
leading apostrophe, which spreadsheets show as text and do not display.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """The cell as it should be written: text that a spreadsheet would run gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    """An attachment of `rows` under `header`, every cell neutralised."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return response
