"""Classification by content: titles and headers, with spaces and OCR noise."""

from __future__ import annotations

import pytest

from extractors.classify import classify_text
from pilot_intake.models import DocKind

INFO = "储备中试平台申报信息表\n平台名称 甲平台\n中试设备或设施原值（万元） 1250.5\n设备要素表\n序号 设备名称 型号规格"
INFO_NO_TITLE = (
    "平台名称 甲\n中试设备或设施原值（万元） 1\n专职技术或管理人员（人） 5\n"
    "上年度中试服务收入（万元） 1\n是否制定中试技术路线图 是\n"
)
EQUIPMENT = "设备要素表\n平台名称：甲平台\n统一社会信用代码：91440101MA5CXK7Q1X\n序号 设备名称 型号规格 数量 原值（万元）"
SUMMARY = "广东省储备中试平台汇总表\n序号 平台名称 依托单位 统一社会信用代码 重点方向 所在地市 联系人 联系电话\n1 甲平台"


@pytest.mark.parametrize(
    "text, kind",
    [
        (INFO, DocKind.INFO_SHEET),
        (INFO_NO_TITLE, DocKind.INFO_SHEET),
        (" ".join("储备中试平台申报信息表"), DocKind.INFO_SHEET),
        ("储备中试平台申报信怠表\n平台名称", DocKind.INFO_SHEET),  # OCR: 怠 for 息
        (EQUIPMENT, DocKind.EQUIPMENT_TABLE),
        ("设 备 要 素 表\n序号 设备名称", DocKind.EQUIPMENT_TABLE),
        ("序号 设备名称 型号规格 数量 原值（万元） 核心指标", DocKind.EQUIPMENT_TABLE),
        (SUMMARY, DocKind.SUMMARY_TABLE),
        ("广东省储备中试平台汇忌表\n序号 平台名称", DocKind.SUMMARY_TABLE),  # OCR: 忌 for 总
        ("序号 平台名称 依托单位 统一社会信用代码 重点方向 所在地市 联系人 联系电话", DocKind.SUMMARY_TABLE),
        ("关于申报工作的通知\n各有关单位：", DocKind.OTHER),
        ("", DocKind.OTHER),
    ],
)
def test_classify_text(text, kind):
    assert classify_text(text) is kind
