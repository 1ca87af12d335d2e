"""Read an .xlsx (the online form's export, or a province's summary table).

Where things are is found from the content, never fixed cell addresses: the
label/value table is wherever labels are, the equipment and summary tables start
at their header rows. Every sheet becomes one Page whose text holds every cell,
so classification and redaction see all of it (a 秘密★ marking in a corner too).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from extractors.classify import classify_text
from extractors.labels import FIELD_SPECS_BY_KEY, FieldType, match_label
from extractors.tables import (
    LabelValue,
    equipment_from_rows,
    equipment_header,
    fields_from_pairs,
    pairs_from_rows,
    province_from_title,
    signer_from_text,
    summary_from_rows,
    summary_header,
)
from pilot_intake.errors import BadInputError
from pilot_intake.models import DocKind, ExtractedDoc, Medium, Page, QuarantineReason, SourceFile

Grid = list[list[str]]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML file is an OLE compound file holding these streams (MS-OFFCRYPTO).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


def cell_text(value: object) -> str:
    """A cell's value as the text a person sees: dates ISO, whole floats without `.0`, booleans 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".12g")  # drops binary noise like 1250.5000000000002
    return str(value).strip()


def _check_container(path: Path) -> None:
    """Quarantine what openpyxl cannot read, with the reason a person needs."""
    with path.open("rb") as fh:
        head = fh.read(8)
        if head == _OLE_MAGIC:
            data = head + fh.read()
            if any(name in data for name in _ENCRYPTED_STREAMS):
                raise BadInputError(
                    QuarantineReason.ENCRYPTED,
                    f"{path.name}: workbook is password-protected (encrypted OOXML); ask the sender for an unprotected copy",
                )
            raise BadInputError(
                QuarantineReason.UNREADABLE,
                f"{path.name}: legacy .xls (OLE) workbook, not .xlsx; ask for it saved as .xlsx",
            )
    if not zipfile.is_zipfile(path):
        raise BadInputError(QuarantineReason.UNREADABLE, f"{path.name}: not an .xlsx (not a zip container)")


def read_grids(path: Path) -> list[tuple[str, Grid]]:
    """(sheet title, rows of cell texts) for every sheet; merged ranges keep their text in the top-left cell."""
    _check_container(path)
    try:
        # Not read_only: merged-cell ranges are only known to a fully loaded workbook,
        # and sheets of a filing are small.
        wb = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise BadInputError(
            QuarantineReason.UNREADABLE, f"{path.name}: workbook cannot be read ({type(exc).__name__}: {exc})"
        ) from exc
    except Exception as exc:  # openpyxl/lxml raise many kinds on damaged XML parts
        raise BadInputError(
            QuarantineReason.UNREADABLE, f"{path.name}: workbook is damaged ({type(exc).__name__}: {exc})"
        ) from exc
    try:
        out = []
        for ws in wb.worksheets:
            rows = [[cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            while rows and not any(rows[-1]):
                rows.pop()
            out.append((ws.title, rows))
        return out
    finally:
        wb.close()


def _block(grid: Grid, start: int) -> tuple[int, int]:
    """Rows [start, end) of the table whose header is at `start`: up to a blank row after data or a 盖章 line."""
    end = start + 1
    seen_data = False
    while end < len(grid):
        row = grid[end]
        if not any(row):
            if seen_data:
                break
        elif "盖章" in "".join(row):
            break
        else:
            seen_data = True
        end += 1
    return start, end


def _date_serial(pair: LabelValue) -> LabelValue:
    """A date cell without a date format arrives as its Excel serial number (46380 = 2026-12-24)."""
    key = match_label(pair.label)
    if key is None or FIELD_SPECS_BY_KEY[key].type is not FieldType.DATE:
        return pair
    if not re.fullmatch(r"\d{5}(?:\.0+)?", pair.value) or not 20_000 <= float(pair.value) <= 80_000:
        return pair
    return pair.model_copy(update={"value": from_excel(float(pair.value)).date().isoformat()})


def _sheet_text(grid: Grid) -> str:
    return "\n".join("\t".join(c for c in row if c) for row in grid if any(row))


def extract_xlsx(source: SourceFile) -> ExtractedDoc:
    """Pages, kind, fields, equipment and summary rows of an .xlsx (Medium.XLSX, confidence 1.0)."""
    sheets = read_grids(source.abs_path)
    if not sheets or not any(any(any(r) for r in g) for _, g in sheets):
        raise BadInputError(QuarantineReason.UNREADABLE, f"{source.abs_path.name}: workbook has no cell with content")
    pages = [
        Page(number=i, width=float(max((len(r) for r in grid), default=0)), height=float(len(grid)),
             text=_sheet_text(grid))
        for i, (_, grid) in enumerate(sheets, 1)
    ]
    text = "\n".join(p.text for p in pages)
    pairs: list[LabelValue] = []
    equipment = []
    summary = []
    for number, (_, grid) in enumerate(sheets, 1):
        taken: set[int] = set()
        for header, reader in ((equipment_header, equipment_from_rows), (summary_header, summary_from_rows)):
            offset = 0
            # A sheet may hold more than one such table (e.g. split by a subtotal).
            while found := header(grid[offset:]):
                start, end = _block(grid, offset + found[0])
                rows = reader(grid[start:end])
                (equipment if reader is equipment_from_rows else summary).extend(rows)
                taken.update(range(start, end))
                offset = end
        # Label/value pairs come from everything outside the tables (the signature
        # block below them included); the first sheet that has any wins.
        if not pairs:
            rest = [row for i, row in enumerate(grid) if i not in taken]
            pairs = pairs_from_rows(rest, page=number)
    fields, flags = fields_from_pairs([_date_serial(p) for p in pairs])
    kind = classify_text(text)
    return ExtractedDoc(
        source=source,
        kind=kind,
        medium=Medium.XLSX,
        pages=pages,
        fields=fields,
        equipment=equipment,
        summary_rows=summary,
        province=province_from_title(text) if kind is DocKind.SUMMARY_TABLE else None,
        signer=signer_from_text(text),
        flags=flags,
    )
