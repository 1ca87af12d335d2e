"""Cross-field corroboration: an unsure scan reading that the filing confirms elsewhere.

OCR's confidence is about one reading. A value read below `low_confidence` is still
right when an independent part of the filing says the same thing: the summary table's
row for the platform, the uscc's GB 32100 check digit, the equipment rows' sum. Such a
value is used as read and carries no LOW_CONFIDENCE; an unsure value nothing confirms
keeps it. The seal's ring text is no such evidence: the same engines read it as the
form, and on seed 11 both read the rare 铖 as 城, so the ring "confirmed" a wrong host. Corroboration is exact (after NFKC and whitespace
removal): a near match is what a misreading looks like, so it confirms nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from pilot_intake.models import EquipmentRow, FieldValue, SummaryRow
from rules.fields import is_number, norm_text, norm_uscc

# Keys a summary table row carries (filings.md §3), all compared exactly.
SUMMARY_KEYS: tuple[str, ...] = ("platform_name", "host_unit", "uscc", "key_direction", "city",
                                 "contact_name", "contact_phone")


@dataclass(frozen=True)
class Corroboration:
    key: str
    source: str  # "summary", "check_digit" or "equipment"
    evidence: str  # Chinese, for the reviewer and the log


def _same_text(key: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return False
    if key == "uscc":
        return norm_uscc(str(a)) == norm_uscc(str(b))
    na, nb = norm_text(str(a)), norm_text(str(b))
    return bool(na) and na == nb


def summary_row_for(fields: dict[str, FieldValue], rows: list[SummaryRow], *,
                    low_confidence: float) -> SummaryRow | None:
    """The summary row that is this filing's: its uscc or platform name equals the filing's
    exactly, and neither of the two contradicts a value read with confidence.

    An exact 18-character uscc or full platform name is not what a misreading of another
    platform produces, so equality identifies the row even when the reading was unsure.
    Rows read from a scanned summary table below `low_confidence` are not used.
    """
    uscc, name = fields.get("uscc"), fields.get("platform_name")
    hits = []
    for row in rows:
        if row.confidence < low_confidence:
            continue
        same = {k: _same_text(k, getattr(row, k), fv.value)
                for k, fv in (("uscc", uscc), ("platform_name", name)) if fv is not None and fv.value is not None}
        if not any(same.values()):
            continue
        # A confidently read identifier that differs says this is another platform's row.
        contradicted = any(not ok and fields[k].confidence >= low_confidence and getattr(row, k)
                           for k, ok in same.items())
        if not contradicted:
            hits.append(row)
    return hits[0] if len(hits) == 1 else None


def _uscc_valid(value: Any) -> bool:
    code = norm_uscc(str(value)) if value else None
    return bool(code) and stdnum_uscc.is_valid(code)


def _equipment_sum_equals(declared: Any, rows: list[EquipmentRow]) -> bool:
    """The rows' 原值 add up to the declared value to the rounding of one-decimal figures.

    Stricter than EQUIPMENT_TOTAL_MISMATCH's tolerance on purpose: a misread digit of the
    declared value must not be confirmed by a sum that is merely close. The rows may be
    unsure readings themselves: a wrong declared value and wrong rows that still add up
    to the cent would need errors that cancel exactly.
    """
    items = [r for r in rows if norm_text(r.name) not in {"合计", "总计", "小计"}]
    if not is_number(declared) or not items or any(not is_number(r.value_wan) for r in items):
        return False
    total = sum(float(r.value_wan) for r in items)  # type: ignore[arg-type]
    return abs(total - float(declared)) <= 0.005 + 0.0005 * len(items)


def corroborate(fields: dict[str, FieldValue], *, low_confidence: float,
                summary_row: SummaryRow | None = None,
                equipment: list[EquipmentRow] | None = None) -> dict[str, Corroboration]:
    """For each value read below `low_confidence`, the evidence that confirms it, if any.

    `summary_row`: the platform's row (`summary_row_for`). `equipment`: the equipment
    table's rows.
    """
    out: dict[str, Corroboration] = {}
    for key, fv in fields.items():
        if fv.value is None or fv.confidence >= low_confidence:
            continue
        if summary_row is not None and key in SUMMARY_KEYS and _same_text(key, getattr(summary_row, key), fv.value):
            out[key] = Corroboration(key, "summary", "与汇总表中该平台一行的填写一致")
        elif key == "uscc" and _uscc_valid(fv.value):
            # GB 32100's weighted mod-31 check digit catches every single-character misreading.
            out[key] = Corroboration(key, "check_digit", "统一社会信用代码校验位正确")
        elif key == "equipment_value_wan" and equipment and _equipment_sum_equals(fv.value, equipment):
            out[key] = Corroboration(key, "equipment", "与设备要素表各项原值之和一致")
    return out
