"""A filing's status from its flags: the one table of docs/architecture.md "Status"."""

from __future__ import annotations

from typing import Callable

from pilot_intake.models import Flag, FlagCode, Status

# A routing note, not a problem: the province also sends the sheet to MIIT.
NOTE_CODES = frozenset({FlagCode.MIIT_REPORT_REQUIRED})
QUARANTINE_CODES = frozenset({FlagCode.CLASSIFIED_MARKING})

# (condition, status), first match wins; the rows of the architecture's table in order.
STATUS_TABLE: tuple[tuple[str, Callable[[set[FlagCode], bool], bool], Status], ...] = (
    (
        "CLASSIFIED_MARKING, or the stamped scan is unreadable",
        lambda codes, unreadable: unreadable or bool(codes & QUARANTINE_CODES),
        Status.QUARANTINED,
    ),
    (
        "any other flag except MIIT_REPORT_REQUIRED",
        lambda codes, unreadable: bool(codes - NOTE_CODES),
        Status.NEEDS_REVIEW,
    ),
    ("no flag, or only MIIT_REPORT_REQUIRED", lambda codes, unreadable: True, Status.READY),
)


def status_from_flags(flags: list[Flag], *, unreadable_scan: bool = False) -> Status:
    codes = {FlagCode(f.code) for f in flags}
    return next(status for _, holds, status in STATUS_TABLE if holds(codes, unreadable_scan))
