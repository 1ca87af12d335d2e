"""Value parsers: one table per parser, covering filings.md §6."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.values import (
    clean_text,
    normalize_text,
    parse_bool,
    parse_count,
    parse_date,
    parse_email,
    parse_field,
    parse_list,
    parse_money_wan,
    parse_number,
    parse_person,
    parse_phone,
    parse_province,
    parse_uscc,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("平 台 名 称", "平台名称"),
        ("１２５０．５万元", "1250.5万元"),
        ("1250.5 万元", "1250.5 万元"),
        ("统一社会信用代码：", "统一社会信用代码:"),
        ("（万元）", "(万元)"),
        ("广州市天河区\n某某路1号", "广州市天河区某某路1号"),
        ("  Zhang  Wei ", "Zhang Wei"),
        ("ＡＢＣ　１２３", "ABC 123"),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("原材料工业 （先进陶瓷材料）", "原材料工业（先进陶瓷材料）"),  # text keeps full-width brackets
        ("工作压力200MPa，温度2000℃", "工作压力200MPa，温度2000℃"),
        ("测量范围0.02～2000μm", "测量范围0.02～2000μm"),
        ("广州市天河区\n某某路1号", "广州市天河区某某路1号"),
        ("洁净度ISO 5级", "洁净度ISO 5级"),
        ("平 台 名 称", "平台名称"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12", 12), ("1,250", 1250), ("十二", 12), ("一百零五", 105), ("壹仟贰佰伍拾万", 12_500_000),
        ("二〇二六", 2026), ("1.5万", 15_000), ("3千万", 30_000_000), ("一亿二千万", 120_000_000), ("十", 10),
        # thousands separators read as dots: two dots cannot both be decimal points
        ("4.583.5", Decimal("4583.5")), ("1.234.567", 1_234_567), ("1.835", Decimal("1.835")),
    ],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize(
    "raw, hint, expected",
    [
        ("1,250.5万元", None, 1250.5),
        ("1250.5 万元", None, 1250.5),
        ("1250.5", None, 1250.5),  # no unit anywhere: 万元
        ("0.125亿元", None, 1250.0),
        ("12,505,000元", None, 1250.5),
        ("壹仟贰佰伍拾万元", None, 1250.0),
        ("壹仟贰佰伍拾万元整", None, 1250.0),
        ("一千二百五十万元", None, 1250.0),
        ("壹亿贰仟万元", None, 12000.0),
        ("１，２５０．５万元", None, 1250.5),
        ("¥12,505,000元", None, 1250.5),
        ("人民币1250.5万元", None, 1250.5),
        ("12505000", "中试设备或设施原值（元）", 1250.5),
        ("0.125", "收入（亿元）", 1250.0),
        ("1250.5", "中试设备或设施原值（万元）", 1250.5),
        ("1250.5万", "原值（元）", 1250.5),  # the value's own unit wins over the label's
        ("0", None, 0.0),
        ("1250.5万元（含安装调试）", None, 1250.5),
        # variant forms (参, 什) and OCR's readings of 仟/柒 on scans
        ("肆仟染佰伍拾参万元", None, 4753.0),
        ("贰亿伍任陆佰零陆万元", None, 25606.0),
        ("贰乙伍仟陆佰零陆万元", None, 25606.0),  # 亿 without its person radical
        ("伍什万元", None, 50.0),
    ],
)
def test_parse_money_wan(raw, hint, expected):
    assert parse_money_wan(raw, unit_hint=hint) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("raw", ["", "万元", "一千多万元", "1.2.3万元", "-5万元", "待定", "1250,5万元"])
def test_parse_money_wan_rejects(raw):
    with pytest.raises(ValueError):
        parse_money_wan(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [("12", 12), ("12人", 12), ("十二人", 12), ("5家", 5), ("3项", 3), ("０", 0), ("无", 0), ("壹拾伍人", 15), ("共8家", 8), ("12（人）", 12)],
)
def test_parse_count(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", ["", "1.5人", "若干", "5-6家"])
def test_parse_count_rejects(raw):
    with pytest.raises(ValueError):
        parse_count(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("是", True), ("否", False), ("有", True), ("无", False), ("√", True), ("×", False),
        ("☑是 □否", True), ("□是 ☑否", False), ("☑ 是  □ 否", True),
        ("●是 ○否", True), ("○是 ●否", False), ("◉有 ○无", True),
        ("是(√)", True), ("否（√）", False), ("是( ) 否(√)", False), ("是(√) 否( )", True),
        ("是☑ 否□", True), ("是□ 否☑", False), ("■是 □否", True), ("□有 ■无", False),
        ("否，未发生", False), ("是，已制定", True), ("已制定", True), ("未制定", False), ("没有", False),
        ("Y", True), ("no", False), ("\uf0fe是 \uf0a8否", True), ("\uf0a8是 \uf0fe否", False),
        # tesseract's readings of ☑/□ on scans
        ("因是口否", True), ("口是团否", False), ("v是", True), ("V否", False), ("多是口否", True),
    ],
)
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["", "☑是 ☑否", "□是 □否", "是/否", "待定", "□"])
def test_parse_bool_rejects(raw):
    with pytest.raises(ValueError):
        parse_bool(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026年6月26日", "2026-06-26"), ("2026-06-26", "2026-06-26"), ("2026.6.26", "2026-06-26"),
        ("2026/6/26", "2026-06-26"), ("二〇二六年六月二十六日", "2026-06-26"), ("二零二六年十二月二十八日", "2026-12-28"),
        ("2026 年 12 月 28 日", "2026-12-28"), ("２０２６年１２月２８日", "2026-12-28"), ("20261228", "2026-12-28"),
        ("2026-12-28 00:00:00", "2026-12-28"), ("日期：2026年12月1日", "2026-12-01"),
    ],
)
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["", "2026年6月", "2026-02-30", "明天", "2026年13月1日", "0026年12月28日", "〇〇二六年十二月二十八日"])
def test_parse_date_rejects(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("91440101MA5CXK7Q1X", "91440101MA5CXK7Q1X"),
        ("91440101ma5cxk7q1x", "91440101MA5CXK7Q1X"),
        ("9144 0101 MA5C XK7Q 1X", "91440101MA5CXK7Q1X"),
        ("９１４４０１０１ＭＡ５ＣＸＫ７Ｑ１Ｘ", "91440101MA5CXK7Q1X"),
    ],
)
def test_parse_uscc(raw, expected):
    assert parse_uscc(raw) == expected


@pytest.mark.parametrize("raw, reason", [("9144010", "18"), ("91440101MA5CXK7Q1O", "GB 32100"), ("", "18")])
def test_parse_uscc_rejects(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_uscc(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"), ("138****5678", "138****5678"), ("138xxxx5678", "138xxxx5678"),
        ("020-87654321", "020-87654321"), ("(020)87654321", "020-87654321"), ("0755-12345678", "0755-12345678"),
        ("02087654321", "020-87654321"), ("020-****4321", "020-****4321"), ("010-12345678-801", "010-12345678-801"),
    ],
)
def test_parse_phone(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "23812345678", "电话"])
def test_parse_phone_rejects(raw):
    with pytest.raises(ValueError):
        parse_phone(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [("zhangwei@example.com", "zhangwei@example.com"), ("zh***@Example.COM", "zh***@example.com"),
     ("ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "zhang@example.com")],
)
def test_parse_email(raw, expected):
    assert parse_email(raw) == expected


@pytest.mark.parametrize("raw", ["", "zhangwei", "a@b", "张伟@例子"])
def test_parse_email_rejects(raw):
    with pytest.raises(ValueError):
        parse_email(raw)


@pytest.mark.parametrize("raw, expected", [("张 伟", "张伟"), ("张*", "张*"), ("欧阳娜娜", "欧阳娜娜"), ("Li Lei", "Li Lei")])
def test_parse_person(raw, expected):
    assert parse_person(raw) == expected


@pytest.mark.parametrize("raw, expected", [("广东", "广东省"), ("广东省", "广东省"), ("内蒙古", "内蒙古自治区"),
                                           ("北京市", "北京市"), ("广西壮族自治区", "广西壮族自治区"), ("黑龙江", "黑龙江省")])
def test_parse_province(raw, expected):
    assert parse_province(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("设计验证、工艺验证", ["设计验证", "工艺验证"]),
        ("设计验证,功能性能验证;生产验证", ["设计验证", "功能性能验证", "生产验证"]),
        ("☑设计验证 □功能性能验证 ☑工艺验证 □适配验证 □生产验证", ["设计验证", "工艺验证"]),
    ],
)
def test_parse_list(raw, expected):
    assert parse_list(raw) == expected


@pytest.mark.parametrize(
    "key, raw, hint, value, certainty_min",
    [
        ("equipment_value_wan", "12,505,000元", None, 1250.5, 1.0),
        ("equipment_value_wan", "12505000", "中试设备或设施原值（元）", 1250.5, 1.0),
        ("fulltime_staff", "12人", None, 12, 1.0),
        ("violations_3y", "□是 ☑否", None, False, 1.0),
        ("has_roadmap", "是，已制定", None, True, 0.9),
        ("fill_date", "二〇二六年六月二十六日", None, "2026-06-26", 1.0),
        ("uscc", "91440101MA5CXK7Q1X", None, "91440101MA5CXK7Q1X", 1.0),
        ("uscc", "9144O1O1MA5CXK7Q1X", None, "91440101MA5CXK7Q1X", 0.5),  # OCR O for 0: a guess
        ("province", "广东", None, "广东省", 1.0),
        ("platform_name", " 某某 中试 平台 ", None, "某某中试平台", 1.0),
        ("contact_phone", "138 1234 5678", None, "13812345678", 1.0),
        ("major_achievements", "工", None, 1, 0.6),  # chi_sim's reading of a lone 1: kept, but unsure
        ("fill_date", "二〇〇二六年十二月二十八日", None, "2026-12-28", 0.6),  # a numeral doubled by OCR
    ],
)
def test_parse_field(key, raw, hint, value, certainty_min):
    got, certainty, error = parse_field(key, raw, unit_hint=hint)
    assert error is None
    assert got == value
    assert certainty_min <= certainty <= 1.0


@pytest.mark.parametrize(
    "key, raw, fragment",
    [
        ("equipment_value_wan", "一千多万", "not an amount"),
        ("fill_date", "2026年", "not a date"),
        ("uscc", "123", "18"),
        ("has_roadmap", "待定", "yes/no"),
        ("fulltime_staff", "", "empty"),
    ],
)
def test_parse_field_errors(key, raw, fragment):
    value, certainty, error = parse_field(key, raw)
    assert value is None and certainty == 0.0
    assert fragment in error


def test_a_count_read_from_a_look_alike_stays_under_the_flag_threshold():
    from pilot_intake.settings import Settings

    assert parse_field("major_achievements", "工", unit_hint=None)[1] < Settings().low_confidence
    assert parse_field("major_achievements", "工程", unit_hint=None)[2] is not None  # not a lone look-alike


def test_a_date_with_a_doubled_numeral_stays_unsure_and_two_doublings_are_not_guessed():
    assert parse_field("fill_date", "二〇〇二六年十二月二十八日", unit_hint=None)[1] == pytest.approx(0.6)
    assert parse_field("fill_date", "二〇〇〇六年十二月二十八日", unit_hint=None)[0] is None
