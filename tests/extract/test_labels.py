"""Label matching: synonyms, noise, and labels that share words must not collide."""

from __future__ import annotations

import pytest

from extractors.labels import (
    FIELD_SPECS,
    FIELD_SPECS_BY_KEY,
    REQUIRED_KEYS,
    match_equipment_column,
    match_label,
    match_summary_column,
    strip_label_tail,
    unit_from_label,
)

ALL_KEYS = {
    "platform_name", "host_unit", "uscc", "province", "city", "address", "key_direction", "service_types",
    "legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader", "equipment_value_wan",
    "fulltime_staff", "service_revenue_wan", "host_revenue_wan", "served_enterprises", "major_achievements",
    "new_products", "violations_3y", "has_roadmap", "has_service_list", "has_management_rules", "has_3yr_plan",
    "miit_affiliated", "fill_date",
}


def test_every_key_of_the_sheet_has_one_spec():
    assert {s.key for s in FIELD_SPECS} == ALL_KEYS
    assert len(FIELD_SPECS) == len(ALL_KEYS)


def test_required_keys_cover_identity_and_eligibility():
    assert set(REQUIRED_KEYS) >= {
        "platform_name", "host_unit", "uscc", "province", "contact_name", "contact_phone", "fill_date", "tech_leader",
        "equipment_value_wan", "fulltime_staff", "service_revenue_wan", "host_revenue_wan", "served_enterprises",
        "major_achievements", "new_products", "violations_3y", "has_roadmap", "has_service_list",
        "has_management_rules", "has_3yr_plan",
    }
    # Every row of the sheet is on the form, so each one is required.
    assert set(REQUIRED_KEYS) == {spec.key for spec in FIELD_SPECS}


def test_every_synonym_maps_back_to_its_key():
    for spec in FIELD_SPECS:
        for label in (spec.label, *spec.synonyms):
            assert match_label(label) == spec.key, label


@pytest.mark.parametrize(
    "text, key",
    [
        ("平 台 名 称", "platform_name"),
        ("平台名称：", "platform_name"),
        ("平台名称:", "platform_name"),
        ("1. 平台名称", "platform_name"),
        ("（一）平台名称", "platform_name"),
        ("*统一社会信用代码", "uscc"),
        ("依托单位", "host_unit"),
        ("依托单位名称", "host_unit"),
        ("依托单位（盖章）", "host_unit"),
        ("依托单位主营业务收入（万元）", "host_revenue_wan"),
        ("依托单位主营业务收入(万元)", "host_revenue_wan"),
        ("是否依托工业和信息化部直属单位", "miit_affiliated"),
        ("中试设备或设施原值", "equipment_value_wan"),
        ("中试设备或设施原值（元）", "equipment_value_wan"),
        ("中试设备或设施原值/万元", "equipment_value_wan"),
        ("专职技术或管理人员（人）", "fulltime_staff"),
        ("上年度中试服务收入（万元）", "service_revenue_wan"),
        ("联系人", "contact_name"),
        ("联系电话", "contact_phone"),
        ("联系人电话", "contact_phone"),
        ("电子邮件地址", "contact_email"),
        ("日期", "fill_date"),
        ("填报日期", "fill_date"),
        ("省（区、市）", "province"),
        ("省(区、市)", "province"),
        ("是否制定规划建设方案", "has_3yr_plan"),
        ("是否制定规划建设方案(未来3年发展目标)", "has_3yr_plan"),
        ("中试平台名称及简称", "platform_name"),
        # OCR misread one character of a long label
        ("近三年是否发生违法违规行力或较大及以上安全、质量、环境污染、失泄密事故", "violations_3y"),
        ("是否制定中试技木路线图", "has_roadmap"),
        # values and prose are not labels
        ("广州某某新材料有限公司", None),
        ("是", None),
        ("1250.5", None),
        ("", None),
        ("储备中试平台申报信息表", None),
    ],
)
def test_match_label(text, key):
    assert match_label(text) == key


@pytest.mark.parametrize(
    "text, key",
    [("序号", "seq"), ("设备名称", "name"), ("设备（设施）名称", "name"), ("规格型号", "model"), ("型号规格", "model"),
     ("数量", "quantity"), ("数量（台/套）", "quantity"), ("原值（万元）", "value_wan"), ("原值(元)", "value_wan"),
     ("主要技术指标", "core_metric"), ("是否自主可控", "self_controlled"), ("联系电话", None)],
)
def test_match_equipment_column(text, key):
    assert match_equipment_column(text) == key


@pytest.mark.parametrize(
    "text, key",
    [("平台名称", "platform_name"), ("依托单位", "host_unit"), ("统一社会信用代码", "uscc"), ("重点方向", "key_direction"),
     ("所在地市", "city"), ("联系人", "contact_name"), ("联系电话", "contact_phone"), ("原值", None)],
)
def test_match_summary_column(text, key):
    assert match_summary_column(text) == key


@pytest.mark.parametrize(
    "text, unit",
    [("原值（万元）", "万元"), ("原值(元)", "元"), ("收入（亿元）", "亿元"), ("平台名称", None), ("元", "元"), (None, None)],
)
def test_unit_from_label(text, unit):
    assert unit_from_label(text) == unit


def test_personal_fields_are_marked():
    personal = {k for k, s in FIELD_SPECS_BY_KEY.items() if s.personal}
    assert personal == {"legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader"}


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        # The wrapped last line of a long label, read into the value cell on a scan.
        ("major_achievements", "试验证(项)1", "1"),
        ("major_achievements", "试验证 （项） 2", "2"),
        ("violations_3y", "上安全、质量、环境污染、失泄密事故无", "无"),
        # Two characters could begin a real value; a value that is only label stays.
        ("address", "地址路1号", "地址路1号"),
        ("major_achievements", "(项)", "(项)"),
        ("platform_name", "华南先进材料中试平台", "华南先进材料中试平台"),
    ],
)
def test_strip_label_tail(key, value, expected):
    assert strip_label_tail(key, value) == expected
