"""Consistency checks within a filing and between a filing and the summary table."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from pilot_intake.models import EquipmentRow, FieldValue, Flag, FlagCode, Role, SummaryRow
from records.schema import PERSONAL_FIELDS
from rules.fields import REQUIRED_FIELDS, fmt_num, is_number, label, norm_text, norm_uscc, plain_value

MONEY_KEYS = ("equipment_value_wan", "service_revenue_wan", "host_revenue_wan")
# Rows a sheet adds under the items; they are not equipment.
_TOTAL_ROW_NAMES = {"合计", "总计", "小计", "合计(万元)"}
_NUMBER = re.compile(r"\d+(?:\.(\d+))?")


# --- data file vs stamped scan -------------------------------------------------------


def _step_wan(raw: str) -> float:
    """The rounding step (in 万元) of a money value as written: '1,250.5万元' -> 0.1, '0.13亿元' -> 100."""
    text = norm_text(raw).replace(",", "")
    numbers = list(_NUMBER.finditer(text))
    if not numbers:
        return 1.0  # Chinese numerals: written to the 万元 at the finest in practice
    decimals = numbers[-1].group(1)
    step = 10.0 ** -(len(decimals) if decimals else 0)
    if "亿" in text:
        return step * 10_000
    if "万" in text:
        return step
    if "元" in text:
        return step / 10_000
    return step


def _money_agree(a: FieldValue, b: FieldValue) -> bool:
    # Both values are rounded renderings of one amount: they agree when their
    # rounding intervals overlap (touching ends, 1000 vs 1001, is a real difference).
    tolerance = (_step_wan(a.raw) + _step_wan(b.raw)) / 2
    return abs(float(a.value) - float(b.value)) < tolerance - 1e-9


_MASK_RUN = re.compile(r"\*+|×+|[xX]{2,}")  # OCR reads a masking '*' as x or ×; a lone X is an ID check digit


def _personal_form(value: str) -> str:
    text = norm_text(value).replace("-", "")
    if "@" in text:
        # An e-mail address has no case in practice: a recogniser's `Wu***@…` on the scan
        # is the sheet's `wu***@…` (seed 41), not another address.
        text = text.lower()
    return re.sub(r"^\+?86(?=1\d{10}$)", "", text)  # +86 138 1234 5678 is 13812345678


def _visible_ends(masked: str) -> tuple[str, str]:
    runs = list(_MASK_RUN.finditer(masked))
    return masked[: runs[0].start()], masked[runs[-1].end() :]


def personal_agree(a: str, b: str) -> bool:
    """Masked-vs-raw or masked-vs-masked: compare only the characters both sides show.

    A run of mask characters stands for one or more hidden characters (the e-mail and
    bank-card forms do not keep the length).
    """
    a, b = _personal_form(a), _personal_form(b)
    a_masked, b_masked = bool(_MASK_RUN.search(a)), bool(_MASK_RUN.search(b))
    if not a_masked and not b_masked:
        return a == b
    if a_masked and b_masked:
        (ap, asuf), (bp, bsuf) = _visible_ends(a), _visible_ends(b)
        return (ap.startswith(bp) or bp.startswith(ap)) and (asuf.endswith(bsuf) or bsuf.endswith(asuf))
    masked, plain = (a, b) if a_masked else (b, a)
    pattern = ""
    pos = 0
    for run in _MASK_RUN.finditer(masked):
        pattern += re.escape(masked[pos : run.start()]) + ".+"
        pos = run.end()
    pattern += re.escape(masked[pos:])
    return re.fullmatch(pattern, plain) is not None


TEXT_AGREEMENT = 0.9
FREE_TEXT_KEYS = frozenset({"platform_name", "host_unit", "address", "city", "key_direction"})


def _agree(key: str, a: FieldValue, b: FieldValue) -> bool:
    va, vb = a.value, b.value
    if key in PERSONAL_FIELDS:
        return personal_agree(str(va), str(vb))
    if key == "uscc":
        return norm_uscc(str(va)) == norm_uscc(str(vb))
    if isinstance(va, bool) or isinstance(vb, bool):
        return va is vb
    if key in MONEY_KEYS and is_number(va) and is_number(vb):
        return _money_agree(a, b)
    if is_number(va) and is_number(vb):
        return float(va) == float(vb)
    if isinstance(va, str) and isinstance(vb, str):
        na, nb = norm_text(va), norm_text(vb)
        # OCR swaps look-alike characters (瓷/资, 霁/雾); another organisation or place
        # differs by more than one character in ten.
        if key in FREE_TEXT_KEYS:
            return na == nb or SequenceMatcher(None, na, nb).ratio() >= TEXT_AGREEMENT
        return na == nb
    if isinstance(va, list | tuple) and isinstance(vb, list | tuple):
        return sorted(norm_text(str(x)) for x in va) == sorted(norm_text(str(x)) for x in vb)
    return va == vb


def _shown(key: str, fv: FieldValue) -> str:
    if isinstance(fv.value, bool):
        return "是" if fv.value else "否"
    if key in MONEY_KEYS and is_number(fv.value):
        return f"{fmt_num(float(fv.value))} 万元"
    return str(fv.value)


def compare_data_scan(
    data: dict[str, FieldValue], scan: dict[str, FieldValue], *, low_confidence: float
) -> list[Flag]:
    """DATA_SCAN_MISMATCH per field where the data file and the stamped scan disagree.

    Compared: keys present with a parsed value on both sides. Skipped: a value read
    below `low_confidence` on either side (LOW_CONFIDENCE covers it) and unparsed values
    (INVALID_VALUE covers them). Personal fields compare only the characters both sides
    show, and the message never quotes them.
    """
    flags = []
    for key in sorted(data.keys() & scan.keys()):
        a, b = data[key], scan[key]
        if a.value is None or b.value is None:
            continue
        if a.confidence < low_confidence or b.confidence < low_confidence:
            continue
        if _agree(key, a, b):
            continue
        if key in PERSONAL_FIELDS:
            message = f"{label(key)}：数据文件与盖章扫描件填写不一致"
        else:
            message = f"{label(key)}：数据文件为“{_shown(key, a)}”，盖章扫描件为“{_shown(key, b)}”，两者不一致"
        flags.append(Flag(code=FlagCode.DATA_SCAN_MISMATCH, field=key, message=message))
    return flags


# --- equipment table ----------------------------------------------------------------


def _is_total_row(row: EquipmentRow) -> bool:
    return norm_text(row.name) in _TOTAL_ROW_NAMES


def equipment_total(
    declared_wan: float | None, rows: list[EquipmentRow], *, low_confidence: float | None = None
) -> list[Flag]:
    """EQUIPMENT_TOTAL_MISMATCH when the 原值 column does not add up to the declared value.

    Nothing to check (no flag) when the declared value is missing, there are no rows, a
    row's value could not be read, or (given `low_confidence`) a row was read below it:
    MISSING_FIELD / INVALID_VALUE / LOW_CONFIDENCE speak for those.
    A 合计 row is not an item and is left out of the sum. Tolerance: half a 万元 plus
    0.05 万元 per row, the rounding of values written to one decimal.
    """
    items = [r for r in rows if not _is_total_row(r)]
    if declared_wan is None or not items or any(r.value_wan is None for r in items):
        return []
    if low_confidence is not None and any(r.confidence < low_confidence for r in items):
        return []
    total = sum(float(r.value_wan) for r in items)  # type: ignore[arg-type]
    tolerance = 0.5 + 0.05 * len(items)
    if abs(total - declared_wan) <= tolerance:
        return []
    return [
        Flag(
            code=FlagCode.EQUIPMENT_TOTAL_MISMATCH,
            field="equipment_value_wan",
            message=(
                f"设备要素表 {len(items)} 项设备原值合计 {fmt_num(round(total, 2))} 万元，"
                f"与填报的中试设备或设施原值 {fmt_num(float(declared_wan))} 万元不一致"
                f"（相差 {fmt_num(round(abs(total - declared_wan), 2))} 万元）"
            ),
        )
    ]


# --- single values ----------------------------------------------------------------


def check_uscc(value: str | None) -> list[Flag]:
    """INVALID_VALUE for a 统一社会信用代码 that fails GB 32100 (length, characters, check digit)."""
    code = norm_uscc(value)
    if code is None:
        return []  # absent: MISSING_FIELD's business
    try:
        stdnum_uscc.validate(code)
    except InvalidLength:
        why = f"应为 18 位，实为 {len(code)} 位"
    except InvalidChecksum:
        why = f"校验位应为 {stdnum_uscc.calc_check_digit(code)}，实为 {code[-1]}"
    except ValidationError:
        why = "含有不允许的字符（前 8 位应为数字，其余为数字或除 I、O、Z、S、V 外的大写字母）"
    else:
        return []
    return [Flag(code=FlagCode.INVALID_VALUE, field="uscc", message=f"统一社会信用代码“{code}”无效：{why}")]


def _missing(value: Any) -> bool:
    if isinstance(value, FieldValue):
        return not value.raw.strip() and value.value is None
    return value is None or (isinstance(value, str) and not value.strip())


def required_fields(fields: dict[str, Any], *, required: Iterable[str] = REQUIRED_FIELDS) -> list[Flag]:
    """MISSING_FIELD for each required key absent or empty (typed values or FieldValues).

    A value that is present but unparseable is not missing (INVALID_VALUE covers it).
    """
    return [
        Flag(code=FlagCode.MISSING_FIELD, field=key, message=f"申报信息表缺少“{label(key)}”")
        for key in required
        if _missing(fields.get(key))
    ]


def miit(fields: dict[str, Any]) -> list[Flag]:
    """MIIT_REPORT_REQUIRED when the host is directly affiliated with MIIT (a routing note)."""
    if plain_value(fields.get("miit_affiliated")) is not True:
        return []
    return [
        Flag(
            code=FlagCode.MIIT_REPORT_REQUIRED,
            field="miit_affiliated",
            message="依托单位为工业和信息化部直属单位，申报信息表须同步报送工业和信息化部（科技司）",
        )
    ]


def stamped_scan(roles: Iterable[Role | str]) -> list[Flag]:
    """NO_STAMPED_SCAN when a platform sent data (xlsx / text PDF) but no stamped scan."""
    have = {Role(r) for r in roles}
    if Role.SCAN in have or not have:
        return []
    return [Flag(code=FlagCode.NO_STAMPED_SCAN, message="只收到数据文件，未收到盖章扫描件")]


# --- summary table vs information sheets ------------------------------------------


@dataclass
class SummaryCheck:
    """NOT_IN_SUMMARY flags per filing key, MISSING_INFO_SHEET flags for the summary table."""

    filing_flags: dict[str, list[Flag]] = field(default_factory=dict)
    summary_flags: list[Flag] = field(default_factory=list)
    missing_rows: list[int] = field(default_factory=list)  # summary row index of each summary flag, same order
    matched: dict[str, int] = field(default_factory=dict)  # filing key -> summary row index


def _ident(uscc: Any, name: Any) -> tuple[str | None, str | None]:
    u = norm_uscc(plain_value(uscc)) if plain_value(uscc) else None
    n = norm_text(str(plain_value(name))) if plain_value(name) else None
    return u, n or None


def _same(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """Both identifiers equal; when one side lacks one, the other must be equal."""
    known = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    return bool(known) and all(x == y for x, y in known)


def _describe(name: Any, uscc: Any) -> str:
    name, uscc = plain_value(name), plain_value(uscc)
    return f"“{name or '（名称未识别）'}”（统一社会信用代码 {uscc or '未识别'}）"


def summary_vs_sheets(
    summary_rows: list[SummaryRow], sheets: list[tuple[str, dict]], *, has_summary: bool = True
) -> SummaryCheck:
    """Every information sheet must be listed on the summary table and every row must have a sheet.

    Rows and sheets match on uscc + platform_name after removing whitespace and
    unifying full/half-width characters; when one side lacks one of the two, the other
    decides. Each row matches at most one sheet. `has_summary=False` (the batch
    carries no summary table, as a quarterly update may not) checks nothing; a summary
    table with no readable rows makes every sheet NOT_IN_SUMMARY.
    """
    result = SummaryCheck(filing_flags={key: [] for key, _ in sheets})
    if not has_summary:
        return result
    rows = [_ident(r.uscc, r.platform_name) for r in summary_rows]
    free = set(range(len(rows)))
    pending = []
    # Full matches first, so a partial one cannot take a row another sheet matches fully.
    for key, fields in sheets:
        ident = _ident(fields.get("uscc"), fields.get("platform_name"))
        hit = next((i for i in sorted(free) if None not in ident and rows[i] == ident), None)
        if hit is None:
            pending.append((key, fields, ident))
        else:
            free.discard(hit)
            result.matched[key] = hit
    for key, fields, ident in pending:
        hit = next((i for i in sorted(free) if _same(ident, rows[i])), None)
        if hit is not None:
            free.discard(hit)
            result.matched[key] = hit
            continue
        result.filing_flags[key] = [
            Flag(
                code=FlagCode.NOT_IN_SUMMARY,
                message=f"平台{_describe(fields.get('platform_name'), fields.get('uscc'))}有申报信息表，但未列入汇总表",
            )
        ]
    for i in sorted(free):
        row = summary_rows[i]
        result.missing_rows.append(i)
        result.summary_flags.append(
            Flag(
                code=FlagCode.MISSING_INFO_SHEET,
                field="platform_name",
                message=f"汇总表第 {i + 1} 行的平台{_describe(row.platform_name, row.uscc)}在本批次中没有申报信息表",
            )
        )
    return result


def parse_iso(value: Any) -> date | None:
    """A `YYYY-MM-DD` string (or date) as a date; None when it is not one."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None
