import pytest

from pilot_intake.models import Flag, FlagCode, Status
from rules.status import status_from_flags


def flags(*codes):
    return [Flag(code=c, message="x") for c in codes]


CASES = [
    ([], False, Status.READY),
    ([FlagCode.MIIT_REPORT_REQUIRED], False, Status.READY),
    ([FlagCode.LOW_CONFIDENCE], False, Status.NEEDS_REVIEW),
    ([FlagCode.MIIT_REPORT_REQUIRED, FlagCode.INELIGIBLE], False, Status.NEEDS_REVIEW),
    ([FlagCode.CLASSIFIED_MARKING], False, Status.QUARANTINED),
    ([FlagCode.CLASSIFIED_MARKING, FlagCode.MIIT_REPORT_REQUIRED], False, Status.QUARANTINED),
    ([], True, Status.QUARANTINED),
    ([FlagCode.MIIT_REPORT_REQUIRED], True, Status.QUARANTINED),
] + [([code], False, Status.NEEDS_REVIEW) for code in FlagCode if code not in (FlagCode.MIIT_REPORT_REQUIRED, FlagCode.CLASSIFIED_MARKING)]


@pytest.mark.parametrize("codes,unreadable,status", CASES)
def test_status_table(codes, unreadable, status):
    assert status_from_flags(flags(*codes), unreadable_scan=unreadable) == status
