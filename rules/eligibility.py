"""Eligibility: the basic conditions of programme-rules.md, each pass | fail | unknown.

A criterion is `unknown` when a value it needs is missing, unparseable or read with
low confidence: the reviewer decides then, never a guessed pass. Only `fail` raises an
INELIGIBLE flag; missing and doubtful values already carry MISSING_FIELD,
INVALID_VALUE or LOW_CONFIDENCE from the extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from pilot_intake.models import Flag, FlagCode
from rules.fields import UNITS, fmt_num, is_number, label, norm_text

Verdict = Literal["pass", "fail", "unknown"]

EQUIPMENT_MIN_WAN = 1000.0
STAFF_MIN = 5
REVENUE_MIN_WAN = 1000.0
REVENUE_MIN_SHARE = 0.05
SERVED_MIN = 5

# The construction guide's key directions (filings.md §2); a filing may add a
# free-text sub-direction, so the value must name one of these somewhere.
KEY_DIRECTIONS: tuple[str, ...] = ("原材料工业", "装备制造", "消费品工业", "信息技术", "新兴和未来产业", "共性需求")
_DIRECTION_SPELLINGS: tuple[str, ...] = KEY_DIRECTIONS + ("新兴产业", "未来产业")


@dataclass(frozen=True)
class Assessment:
    criterion: str
    verdict: Verdict
    reason: str  # Chinese, for the reviewer


@dataclass(frozen=True)
class _Reading:
    """One field as a rule sees it: usable number/bool, or why it is not usable."""

    key: str
    value: Any
    problem: str | None  # None when the value can be judged

    @property
    def usable(self) -> bool:
        return self.problem is None


def _read(fields: dict[str, Any], confidence: dict[str, float], key: str, low: float, kind: type) -> _Reading:
    value = fields.get(key)
    name = label(key)
    if value is None or value == "":
        return _Reading(key, None, f"未填报{name}，无法判断")
    conf = confidence.get(key, 1.0)  # a key with no confidence came from a structured source
    if conf < low:
        return _Reading(key, value, f"{name}识别置信度低（{conf:.2f}），需人工核对")
    if kind is bool:
        if not isinstance(value, bool):
            return _Reading(key, value, f"{name}无法识别为“是/否”，需人工核对")
    elif not is_number(value):
        return _Reading(key, value, f"{name}无法识别为数字，需人工核对")
    elif value < 0:
        return _Reading(key, value, f"{name}为负数，需人工核对")
    return _Reading(key, value, None)


def _qty(r: _Reading) -> str:
    return f"{label(r.key)} {fmt_num(r.value)} {UNITS.get(r.key, '')}".rstrip()


def _at_least(key: str, minimum: float, unit_min: str) -> Callable[..., tuple[Verdict, str]]:
    def rule(fields: dict[str, Any], confidence: dict[str, float], low: float) -> tuple[Verdict, str]:
        r = _read(fields, confidence, key, low, float)
        if not r.usable:
            return "unknown", r.problem or ""
        if r.value >= minimum:
            return "pass", f"{_qty(r)}，不低于 {unit_min}"
        return "fail", f"{_qty(r)}，低于 {unit_min}"

    return rule


def _yes_no(key: str, wanted: bool, good: str, bad: str) -> Callable[..., tuple[Verdict, str]]:
    def rule(fields: dict[str, Any], confidence: dict[str, float], low: float) -> tuple[Verdict, str]:
        r = _read(fields, confidence, key, low, bool)
        if not r.usable:
            return "unknown", r.problem or ""
        return ("pass", good) if r.value is wanted else ("fail", bad)

    return rule


def _revenue(fields: dict[str, Any], confidence: dict[str, float], low: float) -> tuple[Verdict, str]:
    """Either/or: ≥ 1000 万元, or ≥ 5 % of the host unit's main business revenue."""
    service = _read(fields, confidence, "service_revenue_wan", low, float)
    if not service.usable:
        return "unknown", service.problem or ""
    if service.value >= REVENUE_MIN_WAN:
        return "pass", f"{_qty(service)}，不低于 1000 万元"
    head = f"{_qty(service)}，低于 1000 万元"
    host = _read(fields, confidence, "host_revenue_wan", low, float)
    if not host.usable:
        return "unknown", f"{head}；{host.problem}（按主营业务收入 5% 的标准）"
    if host.value == 0:
        return "unknown", f"{head}；依托单位主营业务收入填报为 0，无法按 5% 的标准判断"
    share = service.value / host.value
    # Compare in whole hundredths of a 万元 so 50 of 1000 is exactly 5 %, not a float hair below.
    enough = round(service.value * 100, 6) >= round(host.value * 100 * REVENUE_MIN_SHARE, 6)
    tail = f"占依托单位主营业务收入 {fmt_num(host.value)} 万元的 {fmt_num(round(share * 100, 2))}%"
    if enough:
        return "pass", f"{head}，但{tail}，不低于 5%"
    return "fail", f"{head}，且{tail}，低于 5%"


def _achievements(fields: dict[str, Any], confidence: dict[str, float], low: float) -> tuple[Verdict, str]:
    """Either/or: ≥ 1 major achievement pilot-verified, or ≥ 1 new product industrialised."""
    major = _read(fields, confidence, "major_achievements", low, float)
    new = _read(fields, confidence, "new_products", low, float)
    for r in (major, new):
        if r.usable and r.value >= 1:
            return "pass", f"{_qty(r)}，至少 1 项"
    if major.usable and new.usable:
        return "fail", f"{_qty(major)}、{_qty(new)}，两者至少应有 1 项"
    problems = "；".join(r.problem for r in (major, new) if r.problem)
    return "unknown", problems


_RULES: tuple[tuple[str, Callable[..., tuple[Verdict, str]]], ...] = (
    ("equipment_value", _at_least("equipment_value_wan", EQUIPMENT_MIN_WAN, "1000 万元")),
    ("fulltime_staff", _at_least("fulltime_staff", STAFF_MIN, "5 人")),
    ("service_revenue", _revenue),
    ("served_enterprises", _at_least("served_enterprises", SERVED_MIN, "5 家")),
    ("achievements", _achievements),
    (
        "no_violations",
        _yes_no(
            "violations_3y",
            False,
            "近三年未发生违法违规行为或较大及以上事故",
            "填报近三年发生过违法违规行为或较大及以上安全、质量、环境污染、失泄密事故",
        ),
    ),
    ("roadmap", _yes_no("has_roadmap", True, "已制定中试技术路线图", "未制定中试技术路线图")),
    ("service_list", _yes_no("has_service_list", True, "已制定中试服务清单", "未制定中试服务清单")),
    (
        "management_rules",
        _yes_no(
            "has_management_rules",
            True,
            "已建立财务、安全、质量、保密等内部管理制度",
            "未建立财务、安全、质量、保密等内部管理制度",
        ),
    ),
    (
        "development_plan",
        _yes_no("has_3yr_plan", True, "已制定规划建设方案（未来 3 年发展目标）", "未制定规划建设方案（未来 3 年发展目标）"),
    ),
)

CRITERIA: tuple[str, ...] = tuple(name for name, _ in _RULES)


def assess(fields: dict[str, Any], confidence: dict[str, float], *, low_confidence: float) -> list[Assessment]:
    """Every criterion with its verdict and the reason a reviewer reads."""
    return [Assessment(name, *rule(fields, confidence, low_confidence)) for name, rule in _RULES]


def key_direction_flags(fields: dict[str, Any], confidence: dict[str, float], *, low_confidence: float) -> list[Flag]:
    """INELIGIBLE (field strategic_fit) when key_direction names none of the programme's directions.

    Missing or doubtful values raise nothing here: that is MISSING_FIELD / LOW_CONFIDENCE.
    """
    value = fields.get("key_direction")
    if not isinstance(value, str) or not value.strip():
        return []
    if confidence.get("key_direction", 1.0) < low_confidence:
        return []
    text = norm_text(value)
    if any(name in text for name in _DIRECTION_SPELLINGS):
        return []
    return [
        Flag(
            code=FlagCode.INELIGIBLE,
            field="strategic_fit",
            message=f"重点方向“{value.strip()}”不属于中试平台建设指引的重点方向（{'、'.join(KEY_DIRECTIONS)}），请核实战略定位",
        )
    ]


def evaluate(
    fields: dict[str, Any], confidence: dict[str, float], *, low_confidence: float
) -> tuple[dict[str, str], list[Flag]]:
    """Verdicts keyed by criterion, and one INELIGIBLE flag (field = criterion) per fail.

    An off-programme key_direction adds an INELIGIBLE flag with field `strategic_fit`
    (no verdict key: the contract's eligibility keys are the ten basic conditions).
    """
    results = assess(fields, confidence, low_confidence=low_confidence)
    verdicts = {a.criterion: a.verdict for a in results}
    flags = [Flag(code=FlagCode.INELIGIBLE, field=a.criterion, message=a.reason) for a in results if a.verdict == "fail"]
    flags += key_direction_flags(fields, confidence, low_confidence=low_confidence)
    return verdicts, flags
