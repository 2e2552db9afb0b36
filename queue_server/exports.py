"""Report tables as files: CSV (UTF-8 with a BOM, so Excel shows the Chinese) and XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook


def to_csv(table: dict[str, Any]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table["columns"])
    writer.writerows(["" if v is None else v for v in row] for row in table["rows"])
    return out.getvalue()


def to_xlsx(table: dict[str, Any], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "report")
    sheet.append(table["columns"])
    for row in table["rows"]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
