"""Submission windows on China's official working-day calendar.

Updates: the last 5 working days of each quarter. New batches: the last 5 working
days of June and of December (so a new-batch window is the Q2 or Q4 update window).
Working days come from chinesecalendar (State Council holidays and 调休 make-up
working days). For a year the installed calendar does not know, the window is
computed from weekdays plus an optional holidays file, and the Window says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal

import chinese_calendar

from pilot_intake.errors import UsageError
from pilot_intake.models import Flag, FlagCode
from rules.consistency import parse_iso

WINDOW_DAYS = 5
RoundKind = Literal["update", "new_batch"]


@dataclass(frozen=True, order=True)
class Round:
    """One submission round: `2026Q4` (quarterly update) or `2026-12` / `2026-06` (new batch)."""

    year: int
    month: int  # the month whose last working days form the window (3, 6, 9, 12)
    kind: RoundKind

    @classmethod
    def parse(cls, text: str) -> Round:
        s = text.strip().upper()
        if m := re.fullmatch(r"(\d{4})Q([1-4])", s):
            return cls(int(m[1]), int(m[2]) * 3, "update")
        if m := re.fullmatch(r"(\d{4})-(0?6|12)", s):
            return cls(int(m[1]), int(m[2]), "new_batch")
        raise UsageError(
            f"无法识别的轮次“{text}”：季度更新请写 2026Q4 这样的形式，新批次申报请写 2026-06 或 2026-12"
        )

    @property
    def quarter(self) -> int:
        return self.month // 3

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.kind == "update" else f"{self.year}-{self.month:02d}"

    def describe(self) -> str:
        if self.kind == "update":
            return f"{self.year} 年第 {self.quarter} 季度信息更新"
        return f"{self.year} 年 {self.month} 月新批次申报"


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    kind: RoundKind
    calendar_source: str  # "chinesecalendar <version>" or "weekdays" / "weekdays+<holidays file>"
    note: str | None = None  # Chinese; set whenever the window is not from the official calendar or coincides with another

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


def derive_round(fill_dates: list[str]) -> Round | None:
    """The round most fill dates fall in: the quarter they belong to (June/December as new batches).

    Unparseable dates are ignored; None when no date is usable. Ties go to the later quarter.
    """
    quarters = Counter((d.year, (d.month - 1) // 3 + 1) for d in map(parse_iso, fill_dates) if d is not None)
    if not quarters:
        return None
    (year, quarter), _ = max(quarters.items(), key=lambda item: (item[1], item[0]))
    return Round(year, quarter * 3, "new_batch" if quarter in (2, 4) else "update")


@dataclass(frozen=True)
class _DayOverrides:
    holidays: frozenset[date]
    workdays: frozenset[date]  # make-up working days (调休) on weekends


_HOLIDAY_WORDS = {"", "holiday", "休", "假", "节假日", "休息"}
_WORKDAY_WORDS = {"workday", "班", "上班", "调休上班", "补班", "工作日"}


def read_holidays_file(path: Path) -> _DayOverrides:
    """A holidays file: one date per line, `YYYY-MM-DD[,kind]`; kind 休/holiday (default) or 班/workday.

    Lines starting with # and blank lines are ignored.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as e:
        raise UsageError(f"无法读取节假日文件 {path}：{e.strerror or e}") from e
    holidays, workdays = set(), set()
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = re.split(r"[,，\t ]+", line, maxsplit=1)
        day_text, kind = parts[0], (parts[1].strip() if len(parts) > 1 else "")
        day = parse_iso(day_text)
        if day is None:
            raise UsageError(f"节假日文件 {path} 第 {n} 行“{line}”不是 YYYY-MM-DD 格式的日期")
        if kind.lower() in _HOLIDAY_WORDS:
            holidays.add(day)
        elif kind.lower() in _WORKDAY_WORDS:
            workdays.add(day)
        else:
            raise UsageError(f"节假日文件 {path} 第 {n} 行的类型“{kind}”无法识别：请写“休”（放假）或“班”（调休上班）")
    return _DayOverrides(frozenset(holidays), frozenset(workdays))


def _calendar_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
        chinese_calendar.is_workday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def _calendar_version() -> str:
    try:
        return version("chinesecalendar")
    except PackageNotFoundError:
        return "?"


def _month_days(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def submission_window(round: Round, *, holidays_file: Path | None = None) -> Window:  # noqa: A002 - the interface's name
    """The last 5 working days of the round's month, with where the calendar came from."""
    days = _month_days(round.year, round.month)
    notes = []
    if _calendar_knows(round.year):
        workdays = [d for d in days if chinese_calendar.is_workday(d)]
        source = f"chinesecalendar {_calendar_version()}"
    else:
        overrides = read_holidays_file(holidays_file) if holidays_file else _DayOverrides(frozenset(), frozenset())
        workdays = [
            d for d in days if (d.weekday() < 5 and d not in overrides.holidays) or d in overrides.workdays
        ]
        head = f"已安装的节假日日历（chinesecalendar {_calendar_version()}）不含 {round.year} 年的国务院节假日安排，"
        if holidays_file is None:
            source = "weekdays"
            notes.append(head + "工作日按周一至周五推算，未计法定节假日和调休，请核对报送窗口")
        else:
            source = f"weekdays+{holidays_file.name}"
            in_month = [d for d in overrides.holidays | overrides.workdays if (d.year, d.month) == (round.year, round.month)]
            extra = "" if in_month else f"（该文件未列出 {round.year} 年 {round.month} 月的日期）"
            notes.append(head + f"工作日按周一至周五推算，并按节假日文件 {holidays_file.name} 调整{extra}")
    if round.kind == "new_batch" and round.month == 12:
        notes.append(f"{round.year} 年 12 月新批次申报窗口与第四季度信息更新窗口相同")
    if round.kind == "new_batch" and round.month == 6:
        notes.append(f"{round.year} 年 6 月新批次申报窗口与第二季度信息更新窗口相同")
    last = workdays[-WINDOW_DAYS:]
    return Window(last[0], last[-1], round.kind, source, "；".join(notes) or None)


def check_window(fill_date: str | None, window: Window) -> list[Flag]:
    """OUTSIDE_WINDOW when the fill date is outside the window (INVALID_VALUE when it is no date).

    A missing fill date raises nothing here (MISSING_FIELD covers it). When the window
    was not computed from the official calendar, the message says so.
    """
    if fill_date is None or not str(fill_date).strip():
        return []
    day = parse_iso(fill_date)
    if day is None:
        return [Flag(code=FlagCode.INVALID_VALUE, field="fill_date", message=f"填报日期“{fill_date}”无法识别为日期")]
    if day in window:
        return []
    what = "季度信息更新" if window.kind == "update" else "新批次申报"
    message = (
        f"填报日期 {day.isoformat()} 不在本轮{what}报送窗口 {window.start.isoformat()} 至 "
        f"{window.end.isoformat()}（当月最后 {WINDOW_DAYS} 个工作日）内"
    )
    if not window.calendar_source.startswith("chinesecalendar"):
        message += f"；注意：{window.note}"
    return [Flag(code=FlagCode.OUTSIDE_WINDOW, field="fill_date", message=message)]
