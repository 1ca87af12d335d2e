"""Shared table helpers: pairs → fields, rows → equipment/summary rows, titles, signers."""

from __future__ import annotations

import pytest

from extractors.tables import (
    LabelValue,
    equipment_from_rows,
    fields_from_pairs,
    pairs_from_rows,
    province_from_title,
    signer_from_text,
    summary_from_rows,
)
from pilot_intake.models import FlagCode


def test_fields_from_pairs_types_values_and_combines_confidence():
    pairs = [
        LabelValue(label="平 台 名 称", value="某某 中试 平台", conf=0.9, page=1, bbox=(1, 2, 3, 4)),
        LabelValue(label="中试设备或设施原值（元）", value="12,505,000"),
        LabelValue(label="专职技术或管理人员（人）", value="十二人"),
        LabelValue(label="是否制定中试技术路线图", value="是，已制定", conf=0.9),
        LabelValue(label="填报日期", value="2026.12.28"),
    ]
    fields, flags = fields_from_pairs(pairs)
    assert flags == []
    assert fields["platform_name"].value == "某某中试平台"
    assert fields["platform_name"].confidence == pytest.approx(0.9)
    assert fields["platform_name"].page == 1 and fields["platform_name"].bbox == (1, 2, 3, 4)
    assert fields["equipment_value_wan"].value == 1250.5
    assert fields["fulltime_staff"].value == 12
    assert fields["has_roadmap"].value is True
    assert fields["has_roadmap"].confidence == pytest.approx(0.81)  # 0.9 read × 0.9 loose yes/no
    assert fields["fill_date"].value == "2026-12-28"


def test_a_uscc_whose_check_digit_holds_is_trusted_when_read_fairly():
    from samples.model import break_check_digit

    good = "91441302MA0XE98J5J"
    fields, _ = fields_from_pairs([LabelValue(label="统一社会信用代码", value=good, conf=0.75)])
    assert fields["uscc"].confidence == pytest.approx(0.9)
    # A broken check digit, or a reading too poor to start from, stays as unsure as it was read.
    fields, _ = fields_from_pairs([LabelValue(label="统一社会信用代码", value=break_check_digit(good), conf=0.75)])
    assert fields["uscc"].confidence == pytest.approx(0.75)
    fields, _ = fields_from_pairs([LabelValue(label="统一社会信用代码", value=good, conf=0.3)])
    assert fields["uscc"].confidence == pytest.approx(0.3)
    # Other values have no check of their own: a parsed date is as sure as its reading.
    fields, _ = fields_from_pairs([LabelValue(label="填报日期", value="2026-12-28", conf=0.75)])
    assert fields["fill_date"].confidence == pytest.approx(0.75)


def test_specks_after_the_colon_are_not_part_of_the_value():
    from extractors.tables import split_label_value

    assert split_label_value("依托单位（盖章）：;深圳市澜启电子材料有限公司") == ("依托单位（盖章）", "深圳市澜启电子材料有限公司")


def test_fields_from_pairs_flags_unparseable_values():
    fields, flags = fields_from_pairs([LabelValue(label="中试设备或设施原值（万元）", value="一千多万")])
    assert fields["equipment_value_wan"].value is None
    assert fields["equipment_value_wan"].error
    assert len(flags) == 1
    flag = flags[0]
    assert flag.code is FlagCode.INVALID_VALUE and flag.field == "equipment_value_wan"
    assert "中试设备或设施原值" in flag.message and "cannot be read" in flag.message and "一千多万" in flag.message


def test_fields_from_pairs_first_readable_value_wins():
    fields, flags = fields_from_pairs([
        LabelValue(label="填报日期", value="不详"),
        LabelValue(label="依托单位", value="甲公司"),
        LabelValue(label="依托单位（盖章）", value="乙公司"),
        LabelValue(label="日期", value="2026年12月28日"),
        LabelValue(label="不是标签", value="x"),
        LabelValue(label="联系人", value="  "),
    ])
    assert flags == []
    assert fields["host_unit"].value == "甲公司"
    assert fields["fill_date"].value == "2026-12-28"
    assert set(fields) == {"host_unit", "fill_date"}


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([["平台名称", "甲平台"], ["依托单位", "甲公司"]], [("平台名称", "甲平台"), ("依托单位", "甲公司")]),
        ([["联系人", "张伟", "联系电话", "13812345678"]], [("联系人", "张伟"), ("联系电话", "13812345678")]),
        ([["联系人", "", "联系电话", "13812345678"]], [("联系电话", "13812345678")]),
        ([["平台名称：甲平台", None]], [("平台名称", "甲平台")]),
        ([["平台名称：", "甲平台"]], [("平台名称：", "甲平台")]),
        ([["重点方向", "原材料工业（先进陶瓷材料）"]], [("重点方向", "原材料工业（先进陶瓷材料）")]),
        ([["通讯地址", "广州市天河区"], [None, "某某路1号"]], [("通讯地址", "广州市天河区某某路1号")]),
        ([["储备中试平台申报信息表", None], ["无关", "内容"]], []),
        ([[None, "平台名称", None, "甲平台"]], [("平台名称", "甲平台")]),
    ],
)
def test_pairs_from_rows(rows, expected):
    assert [(p.label, p.value) for p in pairs_from_rows(rows)] == expected


EQUIPMENT_HEADER = ["序号", "设备名称", "型号规格", "数量", "原值（万元）", "核心指标", "是否自主可控"]


@pytest.mark.parametrize(
    "rows, expected",
    [
        (  # layout order, 合计 row skipped
            [EQUIPMENT_HEADER, ["1", "反应釜", "R-100", "2", "320", "耐压10MPa", "是"],
             ["2", "质谱仪", "MS-2", "1台", "930.5", "分辨率", "否"], ["合计", "", "", "3", "1250.5", "", ""]],
            [("反应釜", "R-100", 2, 320.0, True), ("质谱仪", "MS-2", 1, 930.5, False)],
        ),
        (  # columns in another order, value in 元
            [["设备名称", "原值（元）", "数量", "规格型号"], ["反应釜", "3,200,000", "2", "R-100"]],
            [("反应釜", "R-100", 2, 320.0, None)],
        ),
        (  # no header: layout order
            [["1", "反应釜", "R-100", "2", "320", "耐压", "是"]],
            [("反应釜", "R-100", 2, 320.0, True)],
        ),
        (  # title row before the header, 合 计 with a space, blank rows
            [["设备要素表", "", "", "", "", "", ""], EQUIPMENT_HEADER, ["", "", "", "", "", "", ""],
             ["1", "反应釜", "R-100", "贰", "叁佰贰拾", "耐压", "☑是 □否"], ["合 计", "", "", "", "320", "", ""]],
            [("反应釜", "R-100", 2, 320.0, True)],
        ),
    ],
)
def test_equipment_from_rows(rows, expected):
    got = equipment_from_rows(rows)
    assert [(r.name, r.model, r.quantity, r.value_wan, r.self_controlled) for r in got] == expected
    assert all(r.confidence == 1.0 for r in got)


def test_equipment_from_rows_keeps_unparseable_row_with_lower_confidence():
    got = equipment_from_rows([EQUIPMENT_HEADER, ["1", "反应釜", "R-100", "若干", "320", "", ""]], conf=0.9)
    assert len(got) == 1 and got[0].quantity is None and got[0].value_wan == 320.0
    assert got[0].confidence == pytest.approx(0.45)


SUMMARY_HEADER = ["序号", "平台名称", "依托单位", "统一社会信用代码", "重点方向", "所在地市", "联系人", "联系电话"]


def test_summary_from_rows():
    rows = [
        ["广东省储备中试平台汇总表"] + [""] * 7,
        SUMMARY_HEADER,
        ["1", "甲平台", "甲公司", "91440101ma5cxk7q1x", "装备制造", "广州市", "张*", "138****5678"],
        ["2", "乙平台", "乙公司", "91440300MA5D0000X1", "信息技术", "深圳市", "李 四", "+86 139 1234 5678"],
        ["广东省工业和信息化厅（盖章）", "", "", "", "", "", "", ""],
    ]
    got = summary_from_rows(rows)
    assert [(r.platform_name, r.host_unit, r.uscc, r.key_direction, r.city, r.contact_name, r.contact_phone) for r in got] == [
        ("甲平台", "甲公司", "91440101MA5CXK7Q1X", "装备制造", "广州市", "张*", "138****5678"),
        ("乙平台", "乙公司", "91440300MA5D0000X1", "信息技术", "深圳市", "李四", "13912345678"),
    ]


@pytest.mark.parametrize(
    "title, province",
    [
        ("广东省储备中试平台汇总表", "广东省"), ("广东储备中试平台汇总表", "广东省"),
        ("广 东 省 储 备 中 试 平 台 汇 总 表", "广东省"), ("内蒙古自治区储备中试平台汇总表", "内蒙古自治区"),
        ("广西储备中试平台汇总表", "广西壮族自治区"), ("北京市储备中试平台汇总表", "北京市"),
        ("黑龙江省储备中试平台汇总表", "黑龙江省"), ("陕西省储备中试平台汇总表", "陕西省"), ("山西省储备中试平台汇总表", "山西省"),
        ("新疆维吾尔自治区储备中试平台汇总表", "新疆维吾尔自治区"), ("储备中试平台汇总表", None),
    ],
)
def test_province_from_title(title, province):
    assert province_from_title(title) == province


def test_province_from_title_knows_all_31():
    from extractors.values import PROVINCES

    assert len(PROVINCES) == 31
    for full, short in PROVINCES:
        assert province_from_title(f"{full}储备中试平台汇总表") == full
        assert province_from_title(f"{short}储备中试平台汇总表") == full


@pytest.mark.parametrize(
    "text, signer",
    [
        ("依托单位（盖章）：广州某某新材料有限公司\n日期：2026年12月28日", "广州某某新材料有限公司"),
        ("依托单位(盖章): 广州某某新材料有限公司   日期：2026年12月28日", "广州某某新材料有限公司"),
        ("广东省工业和信息化厅（盖章）\n2026年12月28日", "广东省工业和信息化厅"),
        ("推荐单位：四川省经济和信息化厅（盖章）", "四川省经济和信息化厅"),
        ("依托单位（盖章）：中国某某（集团）有限公司", "中国某某（集团）有限公司"),
        ("中国某某（集团）有限公司（盖章）", "中国某某（集团）有限公司"),
        ("依托单位（盖章）：\n日期：  年  月  日", None),
        ("没有签章的文字", None),
    ],
)
def test_signer_from_text(text, signer):
    assert signer_from_text(text) == signer
