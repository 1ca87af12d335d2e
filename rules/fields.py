"""Field labels and text normalisation shared by the rule modules.

Which keys are required comes from `extractors/labels.py` FIELD_SPECS (one table for
the whole pipeline); the labels here are the short forms messages use.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from extractors.labels import FIELD_SPECS
from pilot_intake.models import FieldValue

# Short Chinese labels for messages a provincial clerk reads (filings.md §2).
LABELS: dict[str, str] = {
    "platform_name": "平台名称",
    "host_unit": "依托单位",
    "uscc": "统一社会信用代码",
    "province": "所在省份",
    "city": "所在地市",
    "address": "通讯地址",
    "key_direction": "重点方向",
    "service_types": "中试服务类型",
    "legal_rep": "法定代表人",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "contact_email": "电子邮箱",
    "tech_leader": "工程技术带头人",
    "equipment_value_wan": "中试设备或设施原值",
    "fulltime_staff": "专职技术或管理人员数",
    "service_revenue_wan": "上年度中试服务收入",
    "host_revenue_wan": "依托单位主营业务收入",
    "served_enterprises": "服务企业数量",
    "major_achievements": "国家级或省部级重大自主创新成果中试验证数",
    "new_products": "新产品产业化数",
    "violations_3y": "近三年是否发生违法违规行为或较大及以上事故",
    "has_roadmap": "是否制定中试技术路线图",
    "has_service_list": "是否制定中试服务清单",
    "has_management_rules": "是否建立内部管理制度",
    "has_3yr_plan": "是否制定规划建设方案",
    "miit_affiliated": "是否依托工业和信息化部直属单位",
    "fill_date": "填报日期",
}

UNITS: dict[str, str] = {
    "equipment_value_wan": "万元",
    "service_revenue_wan": "万元",
    "host_revenue_wan": "万元",
    "fulltime_staff": "人",
    "served_enterprises": "家",
    "major_achievements": "项",
    "new_products": "项",
}

REQUIRED_FIELDS: tuple[str, ...] = tuple(spec.key for spec in FIELD_SPECS if spec.required)


def label(key: str) -> str:
    return LABELS.get(key, key)


def norm_text(text: str) -> str:
    """Compare-form of a name: NFKC (full-width brackets and digits to half-width), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def norm_uscc(text: str | None) -> str | None:
    if text is None:
        return None
    out = norm_text(text).upper().replace("-", "")
    return out or None


def fmt_num(value: float) -> str:
    """800.0 -> '800', 1250.50 -> '1250.5': numbers as a clerk writes them."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def plain_value(value: Any) -> Any:
    """The typed value of a field, whether it came as a FieldValue or already typed."""
    return value.value if isinstance(value, FieldValue) else value


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
