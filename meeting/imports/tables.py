"""Reading a spreadsheet into rows of cells, whatever the format the village office has."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from openpyxl import load_workbook

from ..domain.messages import Message, msg

T = TypeVar("T")
#: rows read between two yields to the server's other work
YIELD_EVERY = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file: where (row as the spreadsheet numbers it, column
    header) and what."""

    row: int | None
    column: str | None
    message: Message


class ImportRejected(Exception):
    """The file was rejected whole; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the import file")
        self.problems = problems


@dataclass(frozen=True)
class Table:
    """The header row and the data rows of a sheet; row numbers count the header as row 1."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def read_table(filename: str, data: bytes, row_limit: int | None = None) -> Table:
    """Read a .csv (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves it) or .xlsx;
    a file of more than ``row_limit`` rows (after the header) is rejected whole."""
    name = filename.lower()
    if name.endswith(".csv"):
        lines = _read_csv(data)
    elif name.endswith(".xlsx"):
        lines = _read_xlsx(data)
    elif name.endswith(".xls"):
        lines = _read_xls(data)
    else:
        raise ImportRejected(
            [Problem(None, None, msg("Only .csv, .xlsx and .xls files can be imported."))]
        )
    numbered = [
        (number, [cell.strip() for cell in line])
        for number, line in taking_turns(enumerate(lines, start=1))
        if any(cell.strip() for cell in line)
    ]
    if not numbered:
        raise ImportRejected([Problem(None, None, msg("The file is empty."))])
    # a NUL character cannot be stored (PostgreSQL refuses it): named where it is, not a 500
    nul = [
        Problem(number, None, msg("This row contains a NUL character, which cannot be stored."))
        for number, line in numbered
        if any("\x00" in cell for cell in line)
    ]
    if nul:
        raise ImportRejected(nul)
    (_, headers), *rows = numbered
    if row_limit is not None and len(rows) > row_limit:
        raise ImportRejected(
            [
                Problem(
                    None,
                    None,
                    msg(
                        "The file has %(rows)d rows; at most %(limit)d can be imported at once.",
                        rows=len(rows),
                        limit=row_limit,
                    ),
                )
            ]
        )
    return Table(headers=headers, rows=rows)


def taking_turns(items: Iterable[T]) -> Iterator[T]:
    """``items``, with a yield every few hundred: a long file read on a server of greenlets
    does not hold up the phones of other meetings (a thread lets the others run too)."""
    for count, item in enumerate(items, start=1):
        if not count % YIELD_EVERY:
            time.sleep(0)
        yield item


def _read_csv(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # e.g. a UTF-16 "Unicode text" export
        raise ImportRejected([Problem(None, None, msg("The CSV file's text encoding is unknown."))])
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRejected(
            [Problem(None, None, msg("The CSV file cannot be read: %(error)s", error=str(exc)))]
        ) from exc


def _read_xlsx(data: bytes) -> list[list[str]]:
    # openpyxl reads lazily and a damaged file can fail in many ways (zip, XML, values), at
    # load or halfway through the rows; any of them means the same thing to the person.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [
                [_cell_text(value) for value in row]
                for row in taking_turns(sheet.iter_rows(values_only=True))
            ]
        finally:
            workbook.close()
    except Exception as exc:
        raise ImportRejected(
            [Problem(None, None, msg("The file is not a readable .xlsx workbook."))]
        ) from exc


def _read_xls(data: bytes) -> list[list[str]]:
    """The older Excel format (.xls), which many village offices' computers still save."""
    import xlrd

    try:
        sheet = xlrd.open_workbook(file_contents=data, on_demand=True).sheet_by_index(0)
        return [
            [_cell_text(value) for value in sheet.row_values(index)]
            for index in taking_turns(range(sheet.nrows))
        ]
    except Exception as exc:
        raise ImportRejected(
            [Problem(None, None, msg("The file is not a readable .xls workbook."))]
        ) from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 3 as 3.0
    return str(value)
