"""Labels as printed on the forms → the field keys of filings.md §2.

One table (FIELD_SPECS) says, for every key, its type, canonical label, synonyms
and whether the sheet must carry it. Matching is by synonym, never by position,
and tolerates stray spaces, brackets, unit suffixes, colons and numbering.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType


class FieldType(StrEnum):
    TEXT = "text"
    MONEY = "money"  # float, 万元
    COUNT = "count"  # int
    BOOL = "bool"
    DATE = "date"  # ISO YYYY-MM-DD
    USCC = "uscc"
    LIST = "list"  # list[str]
    PERSON = "person"  # personal data
    PHONE = "phone"  # personal data
    EMAIL = "email"  # personal data
    PROVINCE = "province"  # full name, e.g. 广东省


@dataclass(frozen=True)
class FieldSpec:
    key: str
    type: FieldType
    label: str  # canonical label (filings.md §2)
    synonyms: tuple[str, ...] = ()
    # Every row of the sheet is on the form: a missing one is MISSING_FIELD.
    required: bool = True
    # A closed list the value's items come from (filings.md §2), or () for free text.
    options: tuple[str, ...] = ()

    @property
    def personal(self) -> bool:
        return self.type in (FieldType.PERSON, FieldType.PHONE, FieldType.EMAIL)


# The five kinds of pilot service (filings.md §2). samples/model.py keeps its own copy: the
# sample generator does not import the code its batches test.
SERVICE_TYPES = ("设计验证", "功能性能验证", "工艺验证", "适配验证", "生产验证")

FIELD_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec("platform_name", FieldType.TEXT, "平台名称",
              ("中试平台名称", "储备中试平台名称", "平台全称"), required=True),
    FieldSpec("host_unit", FieldType.TEXT, "依托单位",
              ("依托单位名称", "申报单位", "申报单位名称", "依托单位全称"), required=True),
    FieldSpec("uscc", FieldType.USCC, "统一社会信用代码",
              ("社会信用代码", "信用代码", "依托单位统一社会信用代码", "统一信用代码"), required=True),
    FieldSpec("province", FieldType.PROVINCE, "所在省份",
              ("省（区、市）", "所在省（区、市）", "省份", "所在省", "省区市", "所属省份"), required=True),
    FieldSpec("city", FieldType.TEXT, "所在地市", ("所在城市", "地市", "所在市", "所属地市", "城市")),
    FieldSpec("address", FieldType.TEXT, "通讯地址", ("单位地址", "地址", "详细地址", "通信地址", "联系地址")),
    FieldSpec("key_direction", FieldType.TEXT, "重点方向",
              ("所属领域", "所属行业领域", "行业领域", "重点领域", "所属方向")),
    FieldSpec("service_types", FieldType.LIST, "中试服务类型", ("服务类型", "中试服务类别"), options=SERVICE_TYPES),
    FieldSpec("legal_rep", FieldType.PERSON, "法定代表人", ("法人代表", "法定代表人姓名", "法定代表人（负责人）")),
    FieldSpec("contact_name", FieldType.PERSON, "联系人", ("联系人姓名", "项目联系人"), required=True),
    FieldSpec("contact_phone", FieldType.PHONE, "联系电话",
              ("手机", "联系人电话", "联系人手机", "手机号码", "手机号", "联系方式", "电话", "联系人联系电话"),
              required=True),
    FieldSpec("contact_email", FieldType.EMAIL, "电子邮箱",
              ("邮箱", "电子邮件", "联系人邮箱", "E-mail", "Email", "邮件地址")),
    FieldSpec("tech_leader", FieldType.PERSON, "工程技术带头人",
              ("技术负责人", "技术带头人", "工程技术负责人"), required=True),
    FieldSpec("equipment_value_wan", FieldType.MONEY, "中试设备或设施原值（万元）",
              ("中试设备或设施原值", "中试设备原值", "中试设备设施原值", "设备或设施原值", "设备原值",
               "设备设施原值"), required=True),
    FieldSpec("fulltime_staff", FieldType.COUNT, "专职技术或管理人员（人）",
              ("专职人员数", "专职技术或管理人员", "专职技术或管理人员数", "专职技术和管理人员",
               "专职技术和管理人员数", "专职人员数量", "专职人员"), required=True),
    FieldSpec("service_revenue_wan", FieldType.MONEY, "上年度中试服务收入（万元）",
              ("上年度中试服务收入", "中试服务收入", "本年度中试服务收入", "年度中试服务收入"), required=True),
    FieldSpec("host_revenue_wan", FieldType.MONEY, "依托单位主营业务收入（万元）",
              ("依托单位主营业务收入", "主营业务收入", "依托单位上年度主营业务收入"), required=True),
    FieldSpec("served_enterprises", FieldType.COUNT, "服务企业数量（家）",
              ("服务企业数量", "服务企业数", "服务企业"), required=True),
    FieldSpec("major_achievements", FieldType.COUNT, "完成国家级或省部级重大自主创新成果中试验证（项）",
              ("完成国家级或省部级重大自主创新成果中试验证", "重大自主创新成果中试验证",
               "国家级或省部级重大自主创新成果中试验证"), required=True),
    FieldSpec("new_products", FieldType.COUNT, "成功完成新产品产业化（项）",
              ("成功完成新产品产业化", "新产品产业化", "完成新产品产业化"), required=True),
    FieldSpec("violations_3y", FieldType.BOOL,
              "近三年是否发生违法违规行为或较大及以上安全、质量、环境污染、失泄密事故",
              ("近三年是否发生违法违规行为", "近三年是否发生违法违规行为或较大及以上事故",
               "近三年违法违规情况", "近三年有无违法违规行为"), required=True),
    FieldSpec("has_roadmap", FieldType.BOOL, "是否制定中试技术路线图",
              ("中试技术路线图", "是否制定技术路线图"), required=True),
    FieldSpec("has_service_list", FieldType.BOOL, "是否制定中试服务清单",
              ("中试服务清单", "是否制定服务清单"), required=True),
    FieldSpec("has_management_rules", FieldType.BOOL, "是否建立财务、安全、质量、保密等内部管理制度",
              ("是否建立内部管理制度", "内部管理制度", "是否建立财务安全质量保密等内部管理制度"), required=True),
    FieldSpec("has_3yr_plan", FieldType.BOOL, "是否制定规划建设方案（未来3年发展目标）",
              ("是否制定规划建设方案", "规划建设方案", "是否制定规划建设方案（未来三年发展目标）"), required=True),
    FieldSpec("miit_affiliated", FieldType.BOOL, "是否依托工业和信息化部直属单位",
              ("是否工业和信息化部直属单位", "依托工业和信息化部直属单位", "是否依托工信部直属单位",
               "是否为工业和信息化部直属单位")),
    FieldSpec("fill_date", FieldType.DATE, "填报日期", ("日期", "填表日期", "申报日期", "填报时间"), required=True),
)

FIELD_SPECS_BY_KEY: MappingProxyType[str, FieldSpec] = MappingProxyType({s.key: s for s in FIELD_SPECS})
# Every item of every closed list on the forms.
CLOSED_OPTIONS: frozenset[str] = frozenset(o for s in FIELD_SPECS for o in s.options)
REQUIRED_KEYS: tuple[str, ...] = tuple(s.key for s in FIELD_SPECS if s.required)
PERSONAL_KEYS: tuple[str, ...] = tuple(s.key for s in FIELD_SPECS if s.personal)

# Equipment element table (设备要素表) and summary table (汇总表) headers → column keys.
EQUIPMENT_COLUMNS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "seq": ("序号", "编号", "No", "No."),
    "name": ("设备名称", "名称", "设备（设施）名称", "设备设施名称", "仪器设备名称", "设备或设施名称"),
    "model": ("型号规格", "规格型号", "型号", "规格", "型号及规格"),
    "quantity": ("数量", "台套数", "台（套）数", "数量（台套）"),
    "value_wan": ("原值（万元）", "原值", "设备原值", "原值（元）", "原值（亿元）", "金额", "设备原值（万元）"),
    "core_metric": ("核心指标", "主要技术指标", "核心技术指标", "技术指标", "主要性能指标", "核心性能指标"),
    "self_controlled": ("是否自主可控", "自主可控", "是否国产", "是否自主可控（是/否）"),
})
SUMMARY_COLUMNS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType({
    "seq": ("序号", "编号"),
    "platform_name": ("平台名称", "中试平台名称", "储备中试平台名称"),
    "host_unit": ("依托单位", "依托单位名称", "申报单位"),
    "uscc": ("统一社会信用代码", "社会信用代码", "依托单位统一社会信用代码"),
    "key_direction": ("重点方向", "所属领域", "所属行业领域"),
    "city": ("所在地市", "地市", "所在城市", "所在市"),
    "contact_name": ("联系人", "联系人姓名"),
    "contact_phone": ("联系电话", "手机", "联系人电话", "联系方式"),
})

_NUMBERING = re.compile(r"^(?:\d{1,2}[.、)]|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}[、.]|[*★])+")
# Bracketed groups that annotate rather than name: units, 盖章, 必填.
_ANNOTATION = re.compile(
    r"\((?:万元|元|亿元|人|名|个|家|项|台|套|台/套|台套|盖章|签章|公章|签字|签名|必填|选填|是/否|有/无)\)"
)
_PUNCT = re.compile(r"[\s:()\[\]【】〔〕<>《》\"'“”‘’*★·•_]+")
_TRAILING_UNIT = re.compile(r"/(?:万元|元|人|家|项)$")


def label_key(text: str) -> str:
    """The form of a label that matching compares: no spaces, numbering, colons, units or brackets."""
    s = unicodedata.normalize("NFKC", text or "")
    s = re.sub(r"\s+", "", s)
    s = _NUMBERING.sub("", s)
    s = _ANNOTATION.sub("", s)
    s = _TRAILING_UNIT.sub("", s)
    s = _PUNCT.sub("", s)
    return s.rstrip(":：")


def _index(pairs: list[tuple[str, str]]) -> MappingProxyType[str, str]:
    return MappingProxyType({label_key(syn): key for key, syn in pairs})


_FIELD_INDEX = _index([(s.key, syn) for s in FIELD_SPECS for syn in (s.label, *s.synonyms)])
_EQUIPMENT_INDEX = _index([(k, syn) for k, syns in EQUIPMENT_COLUMNS.items() for syn in syns])
_SUMMARY_INDEX = _index([(k, syn) for k, syns in SUMMARY_COLUMNS.items() for syn in syns])
_LONGEST = max(len(k) for k in _FIELD_INDEX)


def _match(text: str, index: MappingProxyType[str, str], *, fuzzy: bool) -> str | None:
    key = label_key(text)
    if not key:
        return None
    if key in index:
        return index[key]
    if len(key) > 2 * _LONGEST:
        return None  # a paragraph, not a label
    # A synonym inside a longer label (`中试平台名称及简称`): longest synonym wins, and it
    # must cover most of the label so that values and sentences do not match.
    contained = [syn for syn in index if len(syn) >= 2 and syn in key and len(syn) / len(key) >= 0.6]
    if contained:
        return index[max(contained, key=len)]
    if not fuzzy or len(key) < 4:
        return None
    # OCR misreads a character or two of long labels.
    best: tuple[float, int, str] | None = None
    for syn, field in index.items():
        if len(syn) < 4 or abs(len(syn) - len(key)) > max(2, len(syn) // 4):
            continue
        sm = SequenceMatcher(None, key, syn, autojunk=False)
        # quick_ratio bounds ratio from above: most synonyms are ruled out without the full match.
        if sm.quick_ratio() < 0.8:
            continue
        ratio = sm.ratio()
        if ratio >= 0.8 and (best is None or (ratio, len(syn)) > best[:2]):
            best = (ratio, len(syn), field)
    return best[2] if best else None


@lru_cache(maxsize=4096)  # pure; a page asks for the same cell texts several times
def match_label(text: str) -> str | None:
    """The field key a label names (`平 台 名 称：` → platform_name), or None."""
    return _match(text, _FIELD_INDEX, fuzzy=True)


@lru_cache(maxsize=4096)
def match_equipment_column(text: str) -> str | None:
    """The equipment-table column key a header names (`原值（万元）` → value_wan), or None."""
    return _match(text, _EQUIPMENT_INDEX, fuzzy=True)


@lru_cache(maxsize=4096)
def match_summary_column(text: str) -> str | None:
    """The summary-table column key a header names (`联系电话` → contact_phone), or None."""
    return _match(text, _SUMMARY_INDEX, fuzzy=True)


def is_heading(text: str) -> bool:
    """Whether `text` reads as a label or a column heading, even misread a little."""
    return any(m(text) is not None for m in (match_label, match_equipment_column, match_summary_column))


# A shorter tail could be the start of a real value (`地址` of an address).
MIN_LABEL_TAIL = 3


def strip_label_tail(key: str, value: str) -> str:
    """`value` without the end of its own label in front of it.

    A long label wraps in its cell (`…重大自主创新成果中` / `试验证（项）`); when the
    rule between label and value is lost on a scan, the label's last line is read
    as the start of the value (`试验证(项)1`). The longest tail (≥ 3 characters)
    of any of the field's label forms that the value starts with goes; spaces and
    full-/half-width forms do not matter. A value that is all label tail is kept.
    """
    spec = FIELD_SPECS_BY_KEY.get(key)
    if spec is None or not value:
        return value
    # Prefix of the value in comparable form, and where in `value` each length ends.
    squashed, ends = "", []
    for i, ch in enumerate(value):
        if not ch.isspace():
            squashed += unicodedata.normalize("NFKC", ch)
            ends.append((len(squashed), i + 1))
    best = 0
    for form in (spec.label, *spec.synonyms):
        form = re.sub(r"\s+", "", unicodedata.normalize("NFKC", form))
        for n in range(len(form), MIN_LABEL_TAIL - 1, -1):
            if n > best and squashed.startswith(form[-n:]) and len(squashed) > n:
                best = n
                break
    if not best:
        return value
    cut = next(i for length, i in ends if length >= best)
    return value[cut:].strip()


def unit_from_label(text: str | None) -> str | None:
    """The money unit a label or header declares (`原值（万元）` → 万元), or None."""
    s = unicodedata.normalize("NFKC", text or "").replace(" ", "")
    if "亿元" in s:
        return "亿元"
    if "万元" in s:
        return "万元"
    if re.search(r"\(元\)|单位:元|/元$|^元$", s):
        return "元"
    return None
