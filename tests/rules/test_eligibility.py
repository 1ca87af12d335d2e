import pytest

from pilot_intake.models import FlagCode
from records.schema import ELIGIBILITY_CRITERIA
from rules.eligibility import assess, evaluate

LOW = 0.80

# A filing that meets every basic condition; cases change one or two keys.
GOOD = {
    "equipment_value_wan": 1250.5,
    "fulltime_staff": 12,
    "service_revenue_wan": 1500.0,
    "host_revenue_wan": 80000.0,
    "served_enterprises": 30,
    "major_achievements": 2,
    "new_products": 1,
    "violations_3y": False,
    "has_roadmap": True,
    "has_service_list": True,
    "has_management_rules": True,
    "has_3yr_plan": True,
    "key_direction": "装备制造",
}

CASES = [
    # (name, changes to GOOD, confidence, criterion, verdict, words the reason must contain)
    ("all good", {}, {}, "equipment_value", "pass", ["1250.5 万元", "不低于"]),
    ("equipment low", {"equipment_value_wan": 800.0}, {}, "equipment_value", "fail", ["800 万元，低于 1000 万元"]),
    ("equipment at threshold", {"equipment_value_wan": 1000}, {}, "equipment_value", "pass", ["不低于"]),
    ("equipment missing", {"equipment_value_wan": None}, {}, "equipment_value", "unknown", ["未填报"]),
    ("equipment low confidence", {"equipment_value_wan": 800.0}, {"equipment_value_wan": 0.5}, "equipment_value", "unknown", ["置信度低"]),
    ("equipment text", {"equipment_value_wan": "八百"}, {}, "equipment_value", "unknown", ["无法识别为数字"]),
    ("equipment negative", {"equipment_value_wan": -5.0}, {}, "equipment_value", "unknown", ["负数"]),
    ("equipment as bool", {"equipment_value_wan": True}, {}, "equipment_value", "unknown", ["无法识别为数字"]),
    ("staff 4", {"fulltime_staff": 4}, {}, "fulltime_staff", "fail", ["4 人，低于 5 人"]),
    ("staff 5", {"fulltime_staff": 5}, {}, "fulltime_staff", "pass", []),
    ("served 4", {"served_enterprises": 4}, {}, "served_enterprises", "fail", ["4 家"]),
    ("revenue ≥1000, host unknown", {"service_revenue_wan": 1000.0, "host_revenue_wan": None}, {}, "service_revenue", "pass", []),
    ("revenue 5% exactly", {"service_revenue_wan": 50.0, "host_revenue_wan": 1000.0}, {}, "service_revenue", "pass", ["5%"]),
    ("revenue 4.9%", {"service_revenue_wan": 49.0, "host_revenue_wan": 1000.0}, {}, "service_revenue", "fail", ["4.9%", "低于 5%"]),
    ("revenue low, host missing", {"service_revenue_wan": 600.0, "host_revenue_wan": None}, {}, "service_revenue", "unknown", ["低于 1000 万元", "主营业务收入"]),
    ("revenue low, host doubtful", {"service_revenue_wan": 600.0}, {"host_revenue_wan": 0.3}, "service_revenue", "unknown", ["置信度低"]),
    ("revenue low, host zero", {"service_revenue_wan": 600.0, "host_revenue_wan": 0}, {}, "service_revenue", "unknown", ["为 0"]),
    ("revenue doubtful", {"service_revenue_wan": 5000.0}, {"service_revenue_wan": 0.79}, "service_revenue", "unknown", []),
    ("revenue conf at threshold", {}, {"service_revenue_wan": 0.80}, "service_revenue", "pass", []),
    ("achievements none", {"major_achievements": 0, "new_products": 0}, {}, "achievements", "fail", ["至少应有 1 项"]),
    ("achievements new product only", {"major_achievements": 0, "new_products": 1}, {}, "achievements", "pass", []),
    ("achievements one missing one zero", {"major_achievements": None, "new_products": 0}, {}, "achievements", "unknown", ["未填报"]),
    ("achievements one missing one ok", {"major_achievements": None, "new_products": 2}, {}, "achievements", "pass", []),
    ("violations yes", {"violations_3y": True}, {}, "no_violations", "fail", ["违法违规"]),
    ("violations text", {"violations_3y": "否"}, {}, "no_violations", "unknown", ["是/否"]),
    ("no roadmap", {"has_roadmap": False}, {}, "roadmap", "fail", ["未制定中试技术路线图"]),
    ("no service list", {"has_service_list": False}, {}, "service_list", "fail", []),
    ("no rules", {"has_management_rules": False}, {}, "management_rules", "fail", []),
    ("no plan", {"has_3yr_plan": False}, {}, "development_plan", "fail", []),
    ("plan missing", {"has_3yr_plan": None}, {}, "development_plan", "unknown", []),
]


@pytest.mark.parametrize("name,changes,confidence,criterion,verdict,words", CASES, ids=[c[0] for c in CASES])
def test_criterion(name, changes, confidence, criterion, verdict, words):
    fields = {**GOOD, **changes}
    verdicts, flags = evaluate(fields, confidence, low_confidence=LOW)
    assert verdicts[criterion] == verdict
    reason = next(a.reason for a in assess(fields, confidence, low_confidence=LOW) if a.criterion == criterion)
    for word in words:
        assert word in reason
    ineligible = [f for f in flags if f.code == FlagCode.INELIGIBLE and f.field == criterion]
    assert len(ineligible) == (verdict == "fail")
    if ineligible:
        assert ineligible[0].message == reason


def test_keys_are_the_contract_criteria_and_a_good_filing_raises_nothing():
    verdicts, flags = evaluate(GOOD, {}, low_confidence=LOW)
    assert tuple(verdicts) == ELIGIBILITY_CRITERIA
    assert set(verdicts.values()) == {"pass"}
    assert flags == []


def test_empty_filing_is_all_unknown_and_never_ineligible():
    verdicts, flags = evaluate({}, {}, low_confidence=LOW)
    assert set(verdicts.values()) == {"unknown"}
    assert flags == []


DIRECTIONS = [
    ("装备制造", False),
    ("原材料工业（先进钢铁材料）", False),
    (" 信息技术 / 集成电路", False),
    ("新兴产业和未来产业", False),
    ("共性需求：检验检测", False),
    ("房地产开发", True),
    ("餐饮服务", True),
    (None, False),
    ("", False),
]


@pytest.mark.parametrize("direction,flagged", DIRECTIONS)
def test_key_direction(direction, flagged):
    _, flags = evaluate({**GOOD, "key_direction": direction}, {}, low_confidence=LOW)
    fit = [f for f in flags if f.field == "strategic_fit"]
    assert len(fit) == flagged
    if flagged:
        assert fit[0].code == FlagCode.INELIGIBLE and direction in fit[0].message


def test_doubtful_key_direction_is_not_judged():
    _, flags = evaluate({**GOOD, "key_direction": "房地产开发"}, {"key_direction": 0.4}, low_confidence=LOW)
    assert flags == []
