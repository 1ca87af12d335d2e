"""Group extracted documents into filings (one per platform) and summary tables.

Identity comes from content: a platform is its (platform_name, uscc). OCR can damage
either, so a document joins a group by exact name, then by a uscc that names exactly
one group, then by a close name; never into a group whose valid uscc differs from its own
valid one (two platforms of the same name). A page image with no identity (page 2 of a JPG scan)
joins its sibling file (same folder, same name but for digits).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import PurePosixPath

from stdnum.cn import uscc as stdnum_uscc

from pilot_intake.models import DocKind, ExtractedDoc, FileType, Medium, QuarantineReason, Role

_IMAGE_TYPES = {FileType.JPEG, FileType.PNG, FileType.TIFF}
_NAME_SIMILARITY = 0.85  # OCR may damage a character or two of a platform name


def norm_name(text: str | None) -> str:
    """Compare names without width, spacing or bracket differences."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s\u3000()（）\[\]【】<>《》\"'“”‘’·・.,，、:：;；-]", "", text)


def norm_uscc(text: str | None) -> str:
    if not text:
        return ""
    return re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", text).upper())


@dataclass
class FilingGroup:
    """The documents of one platform, each with its role in the filing."""

    key: str
    docs: list[tuple[ExtractedDoc, Role]] = field(default_factory=list)

    def by_role(self, role: Role) -> list[ExtractedDoc]:
        return [d for d, r in self.docs if r is role]

    @property
    def name(self) -> str | None:
        for doc, _ in self.docs:
            fv = doc.fields.get("platform_name")
            if fv and fv.value:
                return str(fv.value)
        return None


@dataclass
class SummaryGroup:
    province: str | None
    docs: list[ExtractedDoc] = field(default_factory=list)


@dataclass
class Unattached:
    doc: ExtractedDoc
    reason: QuarantineReason
    message: str


@dataclass
class Grouping:
    filings: list[FilingGroup]
    summaries: list[SummaryGroup]
    unattached: list[Unattached]


def _identity(doc: ExtractedDoc) -> tuple[str, str]:
    name = doc.fields.get("platform_name")
    uscc = doc.fields.get("uscc")
    return (
        norm_name(str(name.value if name.value is not None else name.raw)) if name else "",
        norm_uscc(str(uscc.value if uscc.value is not None else uscc.raw)) if uscc else "",
    )


def _role(doc: ExtractedDoc) -> Role:
    if doc.medium is Medium.SCAN:
        return Role.SCAN
    if doc.kind is DocKind.EQUIPMENT_TABLE:
        return Role.EQUIPMENT
    return Role.DATA


def _stem_key(path: str) -> tuple[str, str]:
    p = PurePosixPath(path)
    return str(p.parent), re.sub(r"\d+", "#", p.stem)


def group_documents(docs: list[ExtractedDoc]) -> Grouping:
    groups: dict[str, FilingGroup] = {}
    by_uscc: dict[str, set[str]] = defaultdict(set)
    summaries: dict[str, SummaryGroup] = {}
    pending: list[ExtractedDoc] = []
    unattached: list[Unattached] = []

    # Documents with a name first, so that documents with only a uscc find their group;
    # among them those with a valid uscc, so that a misread one finds its platform.
    ordered = sorted(docs, key=lambda d: (not _identity(d)[0], not stdnum_uscc.is_valid(_identity(d)[1]),
                                          d.source.path))
    for doc in ordered:
        if doc.kind is DocKind.SUMMARY_TABLE:
            prov = doc.province or ""
            summaries.setdefault(prov, SummaryGroup(province=doc.province)).docs.append(doc)
            continue
        name, uscc = _identity(doc)
        if not name and not uscc:
            pending.append(doc)
            continue
        key = _match_group(name, uscc, groups, by_uscc)
        if key is None:
            key = name or f"uscc:{uscc}"
            if key in groups:
                key = _same_name_key(name, uscc)
            groups[key] = FilingGroup(key=key)
        groups[key].docs.append((doc, _role(doc)))
        if uscc:
            by_uscc[uscc].add(key)

    # Documents without identity: page images join their sibling, else the only
    # filing in their folder.
    placed: dict[str, str] = {d.source.path: g.key for g in groups.values() for d, _ in g.docs}
    for doc in sorted(pending, key=lambda d: d.source.path):
        key = _sibling_group(doc, placed, groups)
        if key is None:
            what = "页面图片" if doc.source.file_type in _IMAGE_TYPES else "文件"
            unattached.append(Unattached(
                doc, QuarantineReason.UNRECOGNIZED,
                f"{what}中未识别出平台名称或统一社会信用代码，也无法归入同目录的申报材料"
                "（no platform name or uscc found, and no sibling file to attach it to）",
            ))
            continue
        sibling_role = next((r for d, r in groups[key].docs if _stem_key(d.source.path) == _stem_key(doc.source.path)), None)
        groups[key].docs.append((doc, sibling_role or _role(doc)))
        placed[doc.source.path] = key

    for g in groups.values():
        g.docs.sort(key=lambda dr: dr[0].source.path)
    filings = sorted(groups.values(), key=lambda g: g.key)
    return Grouping(filings=filings, summaries=[summaries[k] for k in sorted(summaries)], unattached=unattached)


def _other_unit(uscc: str, group: FilingGroup) -> bool:
    """Both usccs pass GB 32100's check digit and differ: another host unit, not an OCR slip
    (the check digit catches every single-character misreading)."""
    if not stdnum_uscc.is_valid(uscc):
        return False
    valid = {u for u in _group_usccs(group) if stdnum_uscc.is_valid(u)}
    return bool(valid) and uscc not in valid


def _same_name_key(name: str, uscc: str) -> str:
    # Two platforms may carry the same generic name (广东省先进陶瓷材料中试平台) in one batch.
    return f"{name}|{uscc}"


def _match_group(name: str, uscc: str, groups: dict[str, FilingGroup], by_uscc: dict[str, set[str]]) -> str | None:
    if name and name in groups:
        same = [k for k in groups if k == name or k.startswith(name + "|")]
        if len(same) > 1 and uscc:
            # Platforms of the same name: the one whose uscc this one resembles most
            # (an OCR-damaged uscc is still closest to its own).
            return max(same, key=lambda k: max((SequenceMatcher(None, uscc, u).ratio()
                                                for u in _group_usccs(groups[k])), default=0.0))
        if not uscc or not _other_unit(uscc, groups[name]):
            return name
    candidates = by_uscc.get(uscc, set()) if uscc else set()
    if not name and len(candidates) == 1:
        return next(iter(candidates))
    if name:
        best, best_ratio = None, 0.0
        for key in groups:
            if key.startswith("uscc:"):
                continue
            ratio = SequenceMatcher(None, name, key).ratio()
            # A close name counts only when the uscc does not contradict it.
            if ratio > best_ratio and (not uscc or key in candidates or not _group_usccs(groups[key])):
                best, best_ratio = key, ratio
        if best is not None and best_ratio >= _NAME_SIMILARITY:
            return best
        if len(candidates) == 1:
            only = next(iter(candidates))
            if only.startswith("uscc:"):
                return only
    return None


def _group_usccs(group: FilingGroup) -> set[str]:
    return {u for d, _ in group.docs if (u := _identity(d)[1])}


def _sibling_group(doc: ExtractedDoc, placed: dict[str, str], groups: dict[str, FilingGroup]) -> str | None:
    folder, stem = _stem_key(doc.source.path)
    if doc.source.file_type in _IMAGE_TYPES:
        for path, key in sorted(placed.items()):
            if _stem_key(path) == (folder, stem):
                return key
    in_folder = {key for path, key in placed.items() if str(PurePosixPath(path).parent) == folder}
    if len(in_folder) == 1 and folder != ".":
        return next(iter(in_folder))
    return None
