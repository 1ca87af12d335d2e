"""The reserve-pool registry: platforms and their removals, for the 3-year reapplication ban."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pilot_intake.errors import UsageError
from pilot_intake.models import Flag, FlagCode
from rules.consistency import parse_iso
from rules.fields import norm_text, norm_uscc

BAN_YEARS = 3
COLUMNS = ("platform_name", "host_uscc", "removed_on", "reason")
# Provinces keep the list in Chinese too; these headers mean the same columns.
_HEADER_SYNONYMS = {
    "平台名称": "platform_name",
    "依托单位统一社会信用代码": "host_uscc",
    "统一社会信用代码": "host_uscc",
    "移出日期": "removed_on",
    "移出原因": "reason",
}


@dataclass(frozen=True)
class Entry:
    """One platform of the pool; `removed_on` is set when MIIT removed it."""

    platform_name: str
    host_uscc: str
    removed_on: date | None
    reason: str


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="gb18030")  # Excel on a Chinese system saves CSV in GBK
        return [row for row in csv.reader(text.splitlines())]
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl  # only needed for spreadsheets

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises several unrelated types for a damaged file
            raise UsageError(f"储备库名单 {path} 不是可读取的 xlsx 文件：{e}") from e
        try:
            return [[_cell_text(c) for c in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    raise UsageError(f"储备库名单 {path} 的格式无法识别：请提供 .csv 或 .xlsx 文件")


@dataclass(frozen=True)
class Registry:
    entries: tuple[Entry, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Registry:
        """Read a CSV or xlsx with columns platform_name, host_uscc, removed_on, reason.

        An empty file is an empty registry. A blank removed_on is a platform still in the
        pool. Errors name the file, the row and what is wrong, in Chinese.
        """
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"找不到储备库名单文件 {path}")
        rows = [r for r in _read_rows(path) if any(_cell_text(c) for c in r)]
        if not rows:
            return cls()
        header = [_HEADER_SYNONYMS.get(norm_text(h), norm_text(h).lower()) for h in rows[0]]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise UsageError(
                f"储备库名单 {path} 缺少列：{'、'.join(missing)}（第一行应为 {','.join(COLUMNS)}）"
            )
        at = {c: header.index(c) for c in COLUMNS}
        entries = []
        for n, row in enumerate(rows[1:], 2):
            cell = {c: _cell_text(row[i]) if i < len(row) else "" for c, i in at.items()}
            uscc = norm_uscc(cell["host_uscc"])
            if not uscc:
                raise UsageError(f"储备库名单 {path} 第 {n} 行缺少依托单位统一社会信用代码（host_uscc）")
            removed = None
            if cell["removed_on"]:
                removed = parse_iso(cell["removed_on"][:10])
                if removed is None:
                    raise UsageError(
                        f"储备库名单 {path} 第 {n} 行的移出日期“{cell['removed_on']}”不是 YYYY-MM-DD 格式"
                    )
            entries.append(Entry(cell["platform_name"], uscc, removed, cell["reason"]))
        return cls(tuple(entries))

    def check(self, host_uscc: str | None, fill_date: str | None) -> list[Flag]:
        """REAPPLICATION_BANNED when the host unit was removed less than 3 years before the fill date.

        Nothing can be decided without a uscc or a fill date (MISSING_FIELD covers them);
        a caller that wants a check anyway may pass the round's window end as fill_date.
        """
        uscc, day = norm_uscc(host_uscc), parse_iso(fill_date) if fill_date else None
        if not uscc or day is None:
            return []
        flags = []
        for e in self.entries:
            if e.host_uscc != uscc or e.removed_on is None:
                continue
            until = _add_years(e.removed_on, BAN_YEARS)
            if e.removed_on <= day < until:
                reason = f"（原因：{e.reason}）" if e.reason else ""
                flags.append(
                    Flag(
                        code=FlagCode.REAPPLICATION_BANNED,
                        field="uscc",
                        message=(
                            f"依托单位（统一社会信用代码 {uscc}）的平台“{e.platform_name}”于 "
                            f"{e.removed_on.isoformat()} 被移出储备库{reason}，{until.isoformat()} 前不得再次申报"
                        ),
                    )
                )
        return flags
