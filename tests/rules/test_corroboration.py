"""Corroboration of unsure scan readings: exact evidence confirms, near evidence does not."""

from __future__ import annotations

import pytest

from pilot_intake.models import EquipmentRow, FieldValue, SummaryRow
from rules.corroboration import corroborate, summary_row_for

LOW = 0.80
U1 = "91440101MA59ABCD1D"  # valid GB 32100 check digit
U2 = "91440300MA5FXXXX1Y"  # valid, another unit
NAME = "睿铂先进陶瓷材料中试验证平台"
HOST = "广州市睿铂新材料科技有限公司"


def fv(key: str, value, conf: float = 0.75, raw: str | None = None) -> FieldValue:
    return FieldValue(key=key, raw=raw if raw is not None else str(value), value=value, confidence=conf)


def row(**kw) -> SummaryRow:
    base = {"platform_name": NAME, "host_unit": HOST, "uscc": U1, "key_direction": "原材料工业（先进陶瓷材料）",
            "city": "广州市", "contact_name": "欧**", "contact_phone": "133****6260"}
    return SummaryRow(**{**base, **kw})


OTHER = row(platform_name="鸿曜先进陶瓷材料中试验证平台", host_unit="东莞市鸿曜新材料科技有限公司", uscc=U2,
            city="东莞市", contact_name="胡*", contact_phone="133****4607")


# --- uscc check digit ------------------------------------------------------------------


def test_valid_check_digit_confirms_an_unsure_uscc():
    out = corroborate({"uscc": fv("uscc", U1)}, low_confidence=LOW)
    assert out["uscc"].source == "check_digit"


@pytest.mark.parametrize("misread", [U1[:-1] + "E", U1[:5] + "2" + U1[6:], U1[:10] + "8" + U1[11:]])
def test_a_misread_uscc_fails_its_check_digit_and_stays_unsure(misread):
    assert corroborate({"uscc": fv("uscc", misread)}, low_confidence=LOW) == {}


def test_sure_values_need_no_evidence_and_unparsed_ones_get_none():
    fields = {"uscc": fv("uscc", U1, conf=0.95), "fulltime_staff": fv("fulltime_staff", None, raw="攻")}
    assert corroborate(fields, low_confidence=LOW, summary_row=row()) == {}


# --- the summary table's row -----------------------------------------------------------


def test_row_is_found_by_uscc_or_name_and_confirms_equal_values():
    fields = {"uscc": fv("uscc", U1, conf=0.95), "platform_name": fv("platform_name", NAME),
              "host_unit": fv("host_unit", HOST), "city": fv("city", "广州 市"),
              "key_direction": fv("key_direction", "原材料工业(先进陶瓷材料)"),  # half-width brackets: NFKC-equal
              "contact_phone": fv("contact_phone", "133****6260")}
    r = summary_row_for(fields, [OTHER, row()], low_confidence=LOW)
    assert r is not None and r.uscc == U1
    out = corroborate(fields, low_confidence=LOW, summary_row=r)
    assert set(out) == {"platform_name", "host_unit", "city", "key_direction", "contact_phone"}
    assert all(c.source == "summary" for c in out.values())


def test_a_value_one_character_off_the_row_stays_unsure():
    # 瓷/资 is the classic OCR swap: near is what a misreading looks like, so it confirms nothing.
    fields = {"uscc": fv("uscc", U1, conf=0.95), "platform_name": fv("platform_name", NAME.replace("瓷", "资")),
              "host_unit": fv("host_unit", HOST.replace("睿", "叡")), "city": fv("city", "广州市")}
    r = summary_row_for(fields, [row()], low_confidence=LOW)
    out = corroborate(fields, low_confidence=LOW, summary_row=r)
    assert set(out) == {"city"}


def test_another_platforms_row_confirms_nothing():
    # Same direction and city as the other platform's row, but the row is not this filing's.
    fields = {"uscc": fv("uscc", U1[:-1] + "E", conf=0.95), "platform_name": fv("platform_name", "某某中试平台", conf=0.95),
              "key_direction": fv("key_direction", OTHER.key_direction), "city": fv("city", "东莞市")}
    assert summary_row_for(fields, [OTHER], low_confidence=LOW) is None
    assert corroborate(fields, low_confidence=LOW, summary_row=None) == {}


def test_a_confident_identifier_that_differs_rules_the_row_out():
    # The name matches the row but a surely read uscc names another unit: not this row.
    fields = {"uscc": fv("uscc", U2, conf=0.99), "platform_name": fv("platform_name", NAME)}
    assert summary_row_for(fields, [row()], low_confidence=LOW) is None
    # The same uscc read unsurely does not rule it out (the name identifies the row) ...
    fields["uscc"] = fv("uscc", U2[:-1] + "3")
    r = summary_row_for(fields, [row()], low_confidence=LOW)
    assert r is not None
    # ... but is not confirmed by it either.
    assert "uscc" not in corroborate(fields, low_confidence=LOW, summary_row=r)


def test_ambiguous_or_unsure_rows_are_not_used():
    fields = {"platform_name": fv("platform_name", NAME)}
    assert summary_row_for(fields, [row(), row(uscc=U2)], low_confidence=LOW) is None  # two rows claim the name
    assert summary_row_for(fields, [row(confidence=0.6)], low_confidence=LOW) is None  # a scanned row OCR doubted


# --- equipment rows --------------------------------------------------------------------


ROWS = [EquipmentRow(name="晶圆级键合机", value_wan=1668.9, confidence=0.0),
        EquipmentRow(name="X射线检测系统", value_wan=2027.2, confidence=0.4),
        EquipmentRow(name="等离子清洗机", value_wan=60.3),
        EquipmentRow(name="合计", value_wan=3756.4)]


def test_equipment_value_equal_to_the_rows_sum_is_confirmed():
    out = corroborate({"equipment_value_wan": fv("equipment_value_wan", 3756.4, raw="叁仟柒佰伍拾陆万肆仟元")},
                      low_confidence=LOW, equipment=ROWS)
    assert out["equipment_value_wan"].source == "equipment"


@pytest.mark.parametrize("declared", [3756.5, 3746.4, 3756.0])
def test_equipment_value_merely_close_to_the_sum_stays_unsure(declared):
    # 3756.5 is within EQUIPMENT_TOTAL_MISMATCH's tolerance, but a misread last digit looks just like that.
    assert corroborate({"equipment_value_wan": fv("equipment_value_wan", declared)},
                       low_confidence=LOW, equipment=ROWS) == {}


def test_equipment_with_an_unread_row_confirms_nothing():
    rows = ROWS[:2] + [EquipmentRow(name="等离子清洗机", value_wan=None)]
    assert corroborate({"equipment_value_wan": fv("equipment_value_wan", 3696.1)},
                       low_confidence=LOW, equipment=rows) == {}


