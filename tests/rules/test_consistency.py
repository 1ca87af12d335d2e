import pytest

from pilot_intake.models import EquipmentRow, FieldValue, FlagCode, SummaryRow
from rules.consistency import (
    check_uscc,
    compare_data_scan,
    equipment_total,
    miit,
    personal_agree,
    required_fields,
    stamped_scan,
    summary_vs_sheets,
)
from rules.fields import REQUIRED_FIELDS

LOW = 0.80
VALID_USCC = "91110000600037341L"


def fv(key, value, raw=None, confidence=1.0):
    return FieldValue(key=key, raw=str(value) if raw is None else raw, value=value, confidence=confidence)


# (name, key, data (value, raw), scan (value, raw, confidence), mismatch?)
DATA_SCAN = [
    ("same money", "equipment_value_wan", (1250.5, "1250.5"), (1250.5, "1,250.5万元", 0.95), False),
    ("scan rounded to 万元", "equipment_value_wan", (1250.46, "1250.46"), (1250.0, "1250万元", 0.95), False),
    ("scan in 亿元", "equipment_value_wan", (1250.0, "1250"), (1300.0, "0.13亿元", 0.95), False),
    ("scan in 元", "equipment_value_wan", (1250.5, "1250.5"), (1250.5, "12,505,000元", 0.95), False),
    ("money differs", "equipment_value_wan", (1250.5, "1250.5"), (1205.5, "1205.5万元", 0.95), True),
    ("money differs by a rounding step", "service_revenue_wan", (1000.0, "1000"), (1001.0, "1001", 0.95), True),
    ("differs but scan doubtful", "equipment_value_wan", (1250.5, "1250.5"), (1205.5, "1205.5", 0.5), False),
    ("scan unparsed", "equipment_value_wan", (1250.5, "1250.5"), (None, "l2S0.5", 0.95), False),
    ("count differs", "fulltime_staff", (12, "12"), (13, "13人", 0.95), True),
    ("count same", "fulltime_staff", (12, "12"), (12, "12人", 0.95), False),
    ("bool differs", "has_roadmap", (True, "是"), (False, "□是 ☑否", 0.95), True),
    ("bool same", "violations_3y", (False, "否"), (False, "无", 0.95), False),
    ("name with bracket width and spaces", "platform_name", ("智能装备(广州)中试平台", None), ("智能装备（广州） 中试平台", None, 0.95), False),
    ("name differs", "platform_name", ("智能装备中试平台", None), ("智能材料中试平台", None, 0.95), True),
    ("uscc case and spaces", "uscc", ("91440101MA59ABCD1X", None), ("91440101 ma59abcd1x", None, 0.95), False),
    ("uscc differs", "uscc", ("91440101MA59ABCD1X", None), ("91440101MA59ABCD2X", None, 0.95), True),
    ("date differs", "fill_date", ("2026-12-28", None), ("2026-12-29", None, 0.95), True),
    ("phone raw vs masked", "contact_phone", ("13812345678", None), ("138****5678", None, 0.95), False),
    ("phone masked vs masked", "contact_phone", ("138****5678", None), ("138xxxx5678", None, 0.95), False),
    ("phone differs", "contact_phone", ("13912345678", None), ("138****5678", None, 0.95), True),
    ("name masked", "contact_name", ("张伟", None), ("张*", None, 0.95), False),
    ("name other person", "legal_rep", ("李强", None), ("张*", None, 0.95), True),
]


@pytest.mark.parametrize("name,key,data,scan,mismatch", DATA_SCAN, ids=[c[0] for c in DATA_SCAN])
def test_compare_data_scan(name, key, data, scan, mismatch):
    flags = compare_data_scan(
        {key: fv(key, data[0], data[1])}, {key: fv(key, scan[0], scan[1], scan[2])}, low_confidence=LOW
    )
    assert [(f.code, f.field) for f in flags] == ([(FlagCode.DATA_SCAN_MISMATCH, key)] if mismatch else [])


def test_mismatch_message_quotes_business_values_but_never_personal_ones():
    flags = compare_data_scan(
        {"equipment_value_wan": fv("equipment_value_wan", 1250.5), "contact_phone": fv("contact_phone", "13912345678")},
        {"equipment_value_wan": fv("equipment_value_wan", 1205.5), "contact_phone": fv("contact_phone", "138****5678")},
        low_confidence=LOW,
    )
    by_field = {f.field: f.message for f in flags}
    assert "1250.5 万元" in by_field["equipment_value_wan"] and "1205.5 万元" in by_field["equipment_value_wan"]
    assert "1391234" not in by_field["contact_phone"] and "5678" not in by_field["contact_phone"]


def test_keys_on_one_side_only_are_not_compared():
    assert compare_data_scan({"city": fv("city", "广州市")}, {"address": fv("address", "x")}, low_confidence=LOW) == []


PERSONAL = [
    ("+86 138 1234 5678", "138****5678", True),
    ("020-87654321", "020-****4321", True),
    ("11010519491231002X", "110105********002X", True),
    ("11010519491231003X", "110105********002X", False),
    ("zhangwei@example.com", "zh***@example.com", True),
    ("zhangwei@example.org", "zh***@example.com", False),
    ("Wu***@example.net", "wu***@example.net", True),  # no case in an address (seed 41)
    ("Wu***@example.net", "wa***@example.net", False),
    ("欧阳娜娜", "欧***", True),
    ("6222021234567890123", "6222 **** **** 0123", True),
    ("张*", "张**", True),
    ("张*", "李*", False),
]


@pytest.mark.parametrize("a,b,agree", PERSONAL)
def test_personal_agree(a, b, agree):
    assert personal_agree(a, b) is agree
    assert personal_agree(b, a) is agree


def rows(*values):
    return [EquipmentRow(name=f"设备{i}", value_wan=v) for i, v in enumerate(values)]


EQUIPMENT = [
    ("adds up", 1250.5, rows(320.0, 930.5), False),
    ("rounded rows", 1000.0, rows(333.3, 333.3, 333.3), False),  # 999.9
    ("off by 70", 1250.5, rows(320.0, 860.5), True),
    ("合计 row ignored", 1250.5, rows(320.0, 930.5) + [EquipmentRow(name="合 计", value_wan=1250.5)], False),
    ("declared missing", None, rows(320.0), False),
    ("no rows", 1250.5, [], False),
    ("a row unread", 1250.5, rows(320.0, None), False),
]


@pytest.mark.parametrize("name,declared,items,flagged", EQUIPMENT, ids=[c[0] for c in EQUIPMENT])
def test_equipment_total(name, declared, items, flagged):
    flags = equipment_total(declared, items)
    assert [f.code for f in flags] == ([FlagCode.EQUIPMENT_TOTAL_MISMATCH] if flagged else [])


def test_equipment_rows_read_with_low_confidence_are_not_summed():
    items = rows(320.0, 860.5)
    items[1] = items[1].model_copy(update={"confidence": 0.6})
    assert equipment_total(1250.5, items, low_confidence=LOW) == []
    assert [f.code for f in equipment_total(1250.5, items)] == [FlagCode.EQUIPMENT_TOTAL_MISMATCH]


def test_equipment_total_message_names_both_amounts():
    (flag,) = equipment_total(1250.5, rows(320.0, 860.5))
    assert "1180.5 万元" in flag.message and "1250.5 万元" in flag.message and "70 万元" in flag.message


USCC = [
    (VALID_USCC, None),
    ("９１１１００００６０００３７３４１Ｌ", None),  # full-width digits from a form
    ("91110000 600037341L", None),
    ("91110000600037341l", None),
    ("91110000600037341M", "校验位应为 L"),
    ("9111000060003734", "18 位"),
    ("I1110000600037341L", "不允许的字符"),
    (None, None),
    ("", None),
]


@pytest.mark.parametrize("value,problem", USCC)
def test_check_uscc(value, problem):
    flags = check_uscc(value)
    if problem is None:
        assert flags == []
    else:
        (flag,) = flags
        assert flag.code == FlagCode.INVALID_VALUE and flag.field == "uscc" and problem in flag.message


def test_required_fields_names_each_missing_key():
    fields = {key: "x" for key in REQUIRED_FIELDS}
    del fields["fulltime_staff"]
    fields["province"] = "  "
    fields["uscc"] = FieldValue(key="uscc", raw="", value=None)
    fields["equipment_value_wan"] = FieldValue(key="equipment_value_wan", raw="一千多", value=None)  # invalid, not missing
    flags = required_fields(fields)
    assert {f.field for f in flags} == {"fulltime_staff", "province", "uscc"}
    assert all(f.code == FlagCode.MISSING_FIELD for f in flags)
    assert "专职技术或管理人员数" in next(f.message for f in flags if f.field == "fulltime_staff")


@pytest.mark.parametrize("value,flagged", [(True, True), (False, False), (None, False), ("是", False)])
def test_miit(value, flagged):
    flags = miit({"miit_affiliated": value})
    assert [f.code for f in flags] == ([FlagCode.MIIT_REPORT_REQUIRED] if flagged else [])


@pytest.mark.parametrize(
    "roles,flagged", [(["data"], True), (["data", "equipment"], True), (["scan"], False), (["data", "scan"], False), ([], False)]
)
def test_stamped_scan(roles, flagged):
    assert [f.code for f in stamped_scan(roles)] == ([FlagCode.NO_STAMPED_SCAN] if flagged else [])


def sheet(key, name, uscc):
    return key, {"platform_name": name, "uscc": uscc}


SUMMARY = [
    SummaryRow(platform_name="智能装备（广州）中试平台", uscc=VALID_USCC),
    SummaryRow(platform_name="新材料中试平台", uscc="91440101MA59ABCD1X"),
    SummaryRow(platform_name="生物医药中试平台", uscc=None),  # uscc not read on the scan
]


def test_summary_vs_sheets():
    sheets = [
        sheet("a", "智能装备(广州) 中试平台", VALID_USCC),  # half-width brackets, stray space
        sheet("c", "生物医药中试平台", "91440101MA5AAAAA1Y"),
        sheet("d", "未列入的中试平台", "91440101MA5BBBBB2Z"),
    ]
    check = summary_vs_sheets(SUMMARY, sheets)
    assert check.matched == {"a": 0, "c": 2}
    assert check.filing_flags["a"] == [] and check.filing_flags["c"] == []
    (flag,) = check.filing_flags["d"]
    assert flag.code == FlagCode.NOT_IN_SUMMARY and "未列入的中试平台" in flag.message
    (missing,) = check.summary_flags
    assert check.missing_rows == [1]
    assert missing.code == FlagCode.MISSING_INFO_SHEET and "新材料中试平台" in missing.message and "第 2 行" in missing.message


def test_same_name_other_uscc_is_not_a_match():
    check = summary_vs_sheets(SUMMARY[:1], [sheet("a", "智能装备（广州）中试平台", "91440101MA59ABCD1X")])
    assert [f.code for f in check.filing_flags["a"]] == [FlagCode.NOT_IN_SUMMARY]
    assert [f.code for f in check.summary_flags] == [FlagCode.MISSING_INFO_SHEET]


def test_a_row_matches_one_sheet_only():
    rows_ = [SummaryRow(platform_name="甲平台", uscc=None)]
    check = summary_vs_sheets(rows_, [sheet("a", "甲平台", VALID_USCC), sheet("b", "甲平台", "91440101MA59ABCD1X")])
    assert check.matched == {"a": 0}
    assert [f.code for f in check.filing_flags["b"]] == [FlagCode.NOT_IN_SUMMARY]


def test_summary_table_without_readable_rows():
    check = summary_vs_sheets([], [sheet("a", "甲平台", VALID_USCC)])
    assert [f.code for f in check.filing_flags["a"]] == [FlagCode.NOT_IN_SUMMARY]
    assert check.summary_flags == []


def test_batch_without_summary_table_checks_nothing():
    check = summary_vs_sheets([], [sheet("a", "甲平台", VALID_USCC)], has_summary=False)
    assert check.filing_flags == {"a": []} and check.summary_flags == []


def test_complete_sheet_has_no_missing_field():
    fields = {key: "x" for key in REQUIRED_FIELDS}
    assert "address" in REQUIRED_FIELDS and "uscc" in REQUIRED_FIELDS
    assert required_fields(fields) == []
    del fields["address"]
    assert [(f.code.value, f.field) for f in required_fields(fields)] == [("MISSING_FIELD", "address")]


def test_names_tolerate_one_ocr_lookalike_but_not_another_organisation():
    from pilot_intake.models import FieldValue
    from rules.consistency import compare_data_scan

    def fv(v):
        return FieldValue(key="host_unit", raw=v, value=v, confidence=0.95)

    same = compare_data_scan({"host_unit": fv("惠州市穗瓷半导体有限公司")}, {"host_unit": fv("惠州市穗资半导体有限公司")},
                             low_confidence=0.8)
    other = compare_data_scan({"host_unit": fv("惠州市穗瓷半导体有限公司")}, {"host_unit": fv("东莞市湾芯贸易有限公司")},
                              low_confidence=0.8)
    assert same == []
    assert [f.code.value for f in other] == ["DATA_SCAN_MISMATCH"]
