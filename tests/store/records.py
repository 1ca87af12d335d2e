"""Contract-valid records to store (records/schema.py), built small and explicit."""

from __future__ import annotations

import hashlib
from typing import Any


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def filing(name: str, uscc: str, *, files: str = "v1", status: str = "ready", flags=(), **fields: Any) -> dict[str, Any]:
    base = {"platform_name": name, "uscc": uscc, "equipment_value_wan": 1250.5, "fulltime_staff": 12,
            "contact_phone": "138****5678", "fill_date": "2026-12-28"}
    return {
        "kind": "filing",
        "filing_id": "F-" + sha(name + files)[:16],
        "status": status,
        "sources": [{"path": f"{name}/{files}.pdf", "sha256": sha(name + files), "role": "scan", "pages": 2}],
        "fields": {**base, **fields},
        "field_confidence": {"platform_name": 0.97},
        "equipment": [{"name": "五轴联动加工中心", "model": "WZL-5", "quantity": 2, "value_wan": 1250.5}],
        "stamp": {"present": True, "page": 2, "bbox": [10.0, 20.0, 110.0, 120.0], "confidence": 0.93},
        "sensitive": [{"entity": "CN_MOBILE", "field": "contact_phone", "page": 1, "masked": "138****5678"}],
        "eligibility": {c: "pass" for c in ("equipment_value", "fulltime_staff", "service_revenue", "served_enterprises",
                                            "achievements", "no_violations", "roadmap", "service_list",
                                            "management_rules", "development_plan")},
        "flags": [dict(f) for f in flags],
    }


def summary(province: str = "广东省", files: str = "v1") -> dict[str, Any]:
    return {
        "kind": "summary_table", "province": province,
        "sources": [{"path": f"汇总表{files}.pdf", "sha256": sha("summary" + files), "role": "scan", "pages": 1}],
        "rows": [{"platform_name": "精密减速器中试平台", "uscc": "91440101MA59ABCD1X", "contact_name": "张*"}],
        "stamp": {"present": True}, "flags": [], "status": "ready",
    }


def quarantined(path: str = "说明.docx") -> dict[str, Any]:
    return {"kind": "quarantined", "path": path, "sha256": sha(path), "reason": "UNSUPPORTED_TYPE",
            "message": "不支持的文件类型"}


A = ("精密减速器中试平台", "91440101MA59ABCD1X")
B = ("先进陶瓷材料中试基地", "91110000600037341L")


def batch_q4() -> list[dict[str, Any]]:
    return [
        summary(),
        filing(*A),
        filing(*B, status="needs_review", flags=[{"code": "INELIGIBLE", "field": "equipment_value",
                                                   "message": "中试设备或设施原值 800 万元，低于 1000 万元"}],
               equipment_value_wan=800.0),
        quarantined(),
    ]


def batch_next_quarter() -> list[dict[str, Any]]:
    """B raised its equipment value and is now eligible; A is unchanged but filed again."""
    return [
        summary(files="v2"),
        filing(*A, files="v2", fill_date="2027-03-29"),
        filing(*B, files="v2", equipment_value_wan=1300.0, fill_date="2027-03-29"),
    ]
