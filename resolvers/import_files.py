"""Reading an uploaded CSV file into rows, with Python's `csv` module: the encoding, the
header and the cells, each problem said with its line and column.

A file is UTF-8 (with or without the byte-order mark spreadsheet programs write), its
first line names the columns, and its cells are separated by commas, or by semicolons or
tabs (what a spreadsheet program saves in some locales). Blank lines are skipped. Line
numbers count physical lines from 1, the header's, as an editor shows them; a row whose
quoted cell spans lines has the number of its first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import Reader

# What a cell a spreadsheet would take for a formula starts with.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A cell longer than this stops the reading: no field of any kind of record may be this
# long, and the csv module keeps a whole cell in memory to find its end.
MAX_CELL = 100_000
csv.field_size_limit(MAX_CELL)


class FileRefused(Exception):
    """The file as a whole cannot be read: nothing of it is imported. `field` is the
    column at fault, or `file`."""

    def __init__(self, message: str, *, field: str = "file", line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.line = line


@dataclass(frozen=True)
class FileRow:
    """One row: its first line in the file, its cells by column name (empty cells left
    out), and whether it had cells past the header's columns."""

    line: int
    cells: Mapping[str, str]
    overflow: bool = False


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    rows: Sequence[FileRow]


def text_of(content: bytes) -> str:
    """The file's text; refused unless it is UTF-8, which is what a spreadsheet program
    writes when asked for "CSV UTF-8"."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"file: not UTF-8 text (byte 0x{content[error.start]:02X} at offset {error.start}); "
            'save it as "CSV UTF-8".',
            line=content.count(b"\n", 0, error.start) + 1,
        ) from error


def read(text: str, known: Sequence[str], max_rows: int) -> CsvFile:
    """The file's columns (each one of `known`, matched without regard to case or spaces
    around it) and its rows; refused for an unknown or repeated column, an unreadable line
    or more than `max_rows` rows."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise FileRefused("file: the first line must name the columns; it is empty.", line=1)
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(first_line))
    lines = _lines(reader)
    try:
        _, header = next(lines)
    except StopIteration:  # pragma: no cover - an empty first line is refused above
        raise FileRefused("file: it is empty.", line=1) from None
    columns = _columns(header, known)
    rows: list[FileRow] = []
    for line, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == max_rows:
            raise FileRefused(
                f"file: more than {max_rows} rows; split it into smaller files.", line=line
            )
        named = {
            column: _unquoted(cell)
            for column, cell in zip(columns, cells, strict=False)
            if column and cell.strip()
        }
        overflow = any(cell.strip() for cell in cells[len(columns) :])
        rows.append(FileRow(line, named, overflow))
    return CsvFile(tuple(column for column in columns if column), rows)


def _unquoted(cell: str) -> str:
    """A cell an export wrote after a single quote, so that a spreadsheet would not take
    it for a formula (`kesher.resolvers.exports`), as it was."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def _dialect(first_line: str) -> type[csv.Dialect]:
    """Commas, unless the header holds none but does hold semicolons or tabs."""
    if "," not in first_line:
        if ";" in first_line:
            return _Semicolons
        if "\t" in first_line:
            return csv.excel_tab
    return csv.excel


class _Semicolons(csv.excel):
    delimiter = ";"


def _lines(reader: Reader) -> Iterator[tuple[int, list[str]]]:
    """Each row with the number of its first line."""
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRefused(_unreadable(str(error), line), line=line) from error
        yield line, cells
        line = reader.line_num + 1


def _unreadable(reason: str, line: int) -> str:
    if "field larger than field limit" in reason:
        return f"file: line {line} has a cell longer than {MAX_CELL} characters."
    if "NUL" in reason:
        return f"file: line {line} holds a NUL byte; it is not a text CSV file."
    return f"file: line {line} is not valid CSV ({reason})."


def _columns(header: Sequence[str], known: Sequence[str]) -> list[str]:
    by_name = {name.lower(): name for name in known}
    columns: list[str] = []
    for given in header:
        name = given.strip()
        if not name:
            columns.append("")
            continue
        column = by_name.get(name.lower())
        if column is None:
            raise FileRefused(
                f"{name}: not a column of this import; the columns are {', '.join(known)}.",
                field=name[:100],
                line=1,
            )
        if column in columns:
            raise FileRefused(f"{column}: the header names it twice.", field=column, line=1)
        columns.append(column)
    return columns
