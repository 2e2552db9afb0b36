"""Report tables as files: CSV (UTF-8 with a BOM, so Excel shows the Chinese) and XLSX.

Every text cell is made safe for spreadsheet programs first (`neutralise`): a department
named `=HYPERLINK("http://…","详情")` must reach the manager's spreadsheet as that text,
never as a live formula. Numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What makes Excel, LibreOffice or WPS read a cell as a formula (OWASP "CSV Injection"):
# = + - @ and a leading tab or carriage return; NUL as well (OWASP ASVS 1.2.10).
FORMULA_STARTS = frozenset("=+-@\t\r\0")
# The escape OWASP recommends: a leading single quote, which spreadsheets read as "text".
QUOTE = "'"


def _starts_formula(text: str) -> bool:
    # The full-width forms (＝ ＋ － ＠, typed with a Chinese input method) count too: some
    # spreadsheet programs accept ＝ as the start of a formula, and NFKC folds each to its
    # ASCII form, as it does ﹦ and the other compatibility variants.
    first = text[0]
    return first in FORMULA_STARTS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def neutralise(value: Any) -> Any:
    """A cell as written to CSV or XLSX: text that a spreadsheet would take for a formula
    gets a leading single quote; text that already starts with one gets another, so
    `restore` gives back exactly what was written (the catalogue round-trips). Anything
    that is not text — numbers, negative ones included — is returned as it is."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] == QUOTE or _starts_formula(value):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The text a `neutralise`d cell stood for (catalogue import of our own CSV)."""
    return text[1:] if text.startswith(QUOTE) else text


def csv_writer(out: io.StringIO, lineterminator: str = "\r\n") -> Any:
    # Every text cell quoted (OWASP: quote the field as well), numbers bare so a
    # spreadsheet still reads them as numbers.
    return csv.writer(out, lineterminator=lineterminator, quoting=csv.QUOTE_NONNUMERIC)


def _row(values: Any) -> list[Any]:
    return [neutralise("" if v is None else v) for v in values]


def to_csv(table: dict[str, Any]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow(_row(table["columns"]))
    writer.writerows(_row(row) for row in table["rows"])
    return out.getvalue()


def _xlsx_cell(value: Any) -> Any:
    # XLSX cannot hold most control characters (openpyxl refuses the whole file): drop them.
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


def to_xlsx(table: dict[str, Any], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "report")
    sheet.append([_xlsx_cell("" if v is None else v) for v in table["columns"]])
    for row in table["rows"]:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
