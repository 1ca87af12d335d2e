"""What a document is, from its content (titles and table headers), never its file name."""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from pilot_intake.models import DocKind

_INFO_TITLE = "申报信息表"
_SUMMARY_TITLE = "汇总表"
_EQUIPMENT_TITLE = "设备要素表"
# Labels only an information sheet carries (the summary and equipment tables share
# 平台名称/依托单位/统一社会信用代码 with it, so those do not count).
_INFO_ONLY = (
    "中试设备或设施原值", "专职技术或管理人员", "中试服务收入", "主营业务收入", "服务企业数量",
    "技术路线图", "中试服务清单", "内部管理制度", "规划建设方案", "工程技术带头人", "法定代表人",
    "中试服务类型", "违法违规", "直属单位", "电子邮箱", "通讯地址", "新产品产业化", "自主创新成果",
)
_EQUIPMENT_HEADERS = ("设备名称", "型号规格", "原值", "核心指标", "自主可控")
_SUMMARY_HEADERS = ("平台名称", "依托单位", "统一社会信用代码", "重点方向", "所在地市", "联系人", "联系电话")
_NOISE = re.compile(r"[\s\W_]+")


def _squash(text: str) -> str:
    """No whitespace or punctuation: `储 备 中 试` and `储备:中试` both become `储备中试`."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or ""))


def fuzzy_contains(hay: str, needle: str, *, threshold: float = 0.8) -> bool:
    """Whether `needle` occurs in `hay`, allowing OCR to have misread a character or so."""
    if needle in hay:
        return True
    n = len(needle)
    if n < 3 or len(hay) < n - 1:
        return False
    chars = set(needle)
    for i in range(0, len(hay) - n + 2):
        window = hay[i:i + n]
        if window[0] not in chars and window[-1] not in chars:
            continue  # cheap skip: nothing of the needle starts or ends here
        if SequenceMatcher(None, needle, window, autojunk=False).ratio() >= threshold:
            return True
    return False


def classify_text(text: str) -> DocKind:
    """INFO_SHEET, EQUIPMENT_TABLE (an equipment table without the sheet's fields), SUMMARY_TABLE or OTHER."""
    s = _squash(text)
    if not s:
        return DocKind.OTHER
    info_title = fuzzy_contains(s, _INFO_TITLE)
    summary_title = fuzzy_contains(s, "平台" + _SUMMARY_TITLE) or _SUMMARY_TITLE in s
    info_labels = sum(1 for label in _INFO_ONLY if fuzzy_contains(s, label, threshold=0.85))
    equipment_headers = sum(1 for h in _EQUIPMENT_HEADERS if h in s)
    summary_headers = sum(1 for h in _SUMMARY_HEADERS if h in s)
    if summary_title and not info_title and info_labels < 4:
        return DocKind.SUMMARY_TABLE
    if info_title or info_labels >= 4:
        return DocKind.INFO_SHEET
    if fuzzy_contains(s, _EQUIPMENT_TITLE) or equipment_headers >= 3:
        return DocKind.EQUIPMENT_TABLE
    if summary_headers >= 6:
        return DocKind.SUMMARY_TABLE
    return DocKind.OTHER
