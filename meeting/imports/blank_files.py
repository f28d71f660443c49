"""Blank import files to download: the headers people fill in, with one example row."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def blank_file(headers: list[str], example: list[str], fmt: str) -> bytes:
    """A CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX with a header row and an example."""
    return spreadsheet([headers, example], fmt)


def spreadsheet(rows: list[list[object]], fmt: str) -> bytes:
    """``rows`` as a CSV (UTF-8 with BOM) or an XLSX whose first row is the header, in bold."""
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, header in enumerate(rows[0] if rows else [], start=1):
            width = max(10, 2 * len(str(header)) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(f"unknown format {fmt!r}")
