"""A platform's history: its versions, round by round, and what changed each time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from sqlalchemy import or_, select

from pilot_intake.errors import UsageError
from records.store.store import Store
from records.store.tables import Batch, Filing, Version
from rules.fields import label, norm_text, norm_uscc

_STATUS_ZH = {"ready": "可报送", "needs_review": "待人工审核", "quarantined": "已隔离"}


@dataclass(frozen=True)
class VersionView:
    version_no: int
    round: str | None
    batch_key: str
    batch_label: str | None
    record_id: str
    status: str
    flags: tuple[str, ...]  # codes, with the field when there is one (`INELIGIBLE:equipment_value`)
    diff: dict[str, Any] | None  # to the previous version; None for the first
    created_at: datetime


@dataclass(frozen=True)
class PlatformHistory:
    platform_key: str
    platform_name: str | None
    uscc: str | None
    versions: tuple[VersionView, ...]


def _find(store: Store, key: str) -> Filing:
    """The platform by its key, or by a uscc or platform name that names exactly one platform."""
    with store.session() as s:
        filing = s.scalar(select(Filing).where(Filing.platform_key == key))
        if filing is not None:
            return filing
        wanted_uscc, wanted_name = norm_uscc(key), norm_text(key)
        candidates = s.scalars(
            select(Filing).where(or_(Filing.uscc == wanted_uscc, Filing.platform_key.like(f"%/{wanted_name}")))
        ).all()
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise UsageError(f"记录库中没有平台“{key}”：请用统一社会信用代码、平台名称或“代码/名称”查询")
    keys = "、".join(sorted(c.platform_key for c in candidates))
    raise UsageError(f"“{key}”对应多个平台（{keys}），请用“统一社会信用代码/平台名称”指明")


def history(store: Store, key: str) -> PlatformHistory:
    """Every version of one platform, oldest first, each with its diff to the one before.

    `key` is the platform key (`<uscc>/<platform name>`, see records.store.platform_key),
    or a uscc or platform name that names exactly one platform.
    """
    filing = _find(store, key)
    with store.session() as s:
        rows = s.execute(
            select(Version, Batch.batch_key, Batch.label)
            .join(Batch, Version.batch_id == Batch.id)
            .where(Version.filing_id == filing.id)
            .order_by(Version.version_no)
        ).all()
    versions = []
    for v, bkey, blabel in rows:
        record = json.loads(v.record_json)
        flags = tuple(f"{f['code']}:{f['field']}" if f.get("field") else f["code"] for f in record.get("flags", []))
        versions.append(
            VersionView(
                version_no=v.version_no, round=v.round, batch_key=bkey, batch_label=blabel, record_id=v.record_id,
                status=v.status, flags=flags, diff=json.loads(v.diff_json) if v.diff_json else None,
                created_at=v.created_at,
            )
        )
    return PlatformHistory(filing.platform_key, filing.platform_name, filing.uscc, tuple(versions))


def _short(value: Any) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def describe_diff(diff: dict[str, Any] | None) -> str:
    """The diff in lines a clerk reads: `中试设备或设施原值：800 → 1250.5`."""
    if diff is None:
        return "首次申报"
    if not diff:
        return "无变化"
    lines = [f"{label(k)}：{_short(c['old'])} → {_short(c['new'])}" for k, c in diff.get("fields", {}).items()]
    if "status" in diff:
        lines.append(f"状态：{_STATUS_ZH.get(diff['status']['old'], diff['status']['old'])} → "
                     f"{_STATUS_ZH.get(diff['status']['new'], diff['status']['new'])}")
    lines += [f"条件“{k}”：{c['old']} → {c['new']}" for k, c in diff.get("eligibility", {}).items()]
    if "flags" in diff:
        if diff["flags"]["added"]:
            lines.append("新增标记：" + "、".join(diff["flags"]["added"]))
        if diff["flags"]["removed"]:
            lines.append("消除标记：" + "、".join(diff["flags"]["removed"]))
    if "equipment" in diff:
        lines.append(f"设备要素表：{len(diff['equipment']['old'])} 项 → {len(diff['equipment']['new'])} 项")
    return "\n".join(lines)


def render_history(h: PlatformHistory) -> Group:
    """A rich renderable: a heading line and one table row per version."""
    heading = Text(f"{h.platform_name or '（名称未识别）'}  统一社会信用代码 {h.uscc or '未识别'}  共 {len(h.versions)} 个版本",
                   style="bold")
    table = Table(show_lines=True)
    for column in ("版本", "轮次", "批次", "状态", "标记", "与上一版本相比"):
        table.add_column(column, overflow="fold")
    for v in h.versions:
        table.add_row(
            str(v.version_no),
            v.round or "—",
            v.batch_label or v.batch_key[:12],
            _STATUS_ZH.get(v.status, v.status),
            "\n".join(v.flags) or "—",
            describe_diff(v.diff),
        )
    return Group(heading, table)
