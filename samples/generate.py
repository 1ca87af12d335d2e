"""Deterministic sample batches with ground truth.

    python -m samples.generate OUT --seed N --set demo|full|faults|degraded|clean

writes OUT/batch/ (the upload) and OUT/truth/ (manifest.json, filings/<key>.json,
registry.csv) in the format of docs/architecture.md "Sample batches and ground
truth". The same seed and set give byte-identical files: every random draw
comes from a `random.Random` seeded from (seed, set, purpose), files are
written in sorted order, and PDF/xlsx/JPEG writers are pinned to fixed dates.
The cases of each set are described in docs/samples.md.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import io
import json
import random
import shutil
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from samples import fake
from samples.layout import info_sheet_layout, summary_layout
from samples.model import (PERSONAL_FIELDS, Platform, Style, break_check_digit, eligibility, equipment_rows,
                           format_date, mask_name, mask_phone, random_style, sheet_rows, truth_fields,
                           uscc_valid)
from samples.render_pdf import encrypt_pdf, jpeg_bytes, write_image_pdf, write_layout_pdf
from samples.render_scan import (Degradation, anchor_px, degrade, random_degradation, render_layout,
                                 scanner_pass, smudge, stamp)
from samples.render_xlsx import write_equipment_xlsx, write_info_xlsx, write_summary_xlsx
from samples.sealdraw import draw_seal, seal_diameter_px

SETS = ("demo", "full", "faults", "degraded", "clean")
PROVINCE = "广东省"
ROUND = "2026-12"
CLASSIFIED = "秘密★5年"
BAN_YEARS = 3


def sub_rng(seed: int, set_name: str, purpose: str) -> random.Random:
    """An independent, reproducible stream per purpose (str seeds hash with SHA-512, not hash())."""
    return random.Random(f"{seed}/{set_name}/{purpose}")


@dataclass
class FilingPlan:
    """One platform's documents in the batch and the cases it carries."""

    key: str
    platform: Platform
    style: Style
    folder: str
    data: str | None = None  # xlsx (equipment inline) | xlsx_sheet | xlsx_split | text_pdf
    data_name: str = ""
    equipment_name: str = ""  # xlsx_split: the separate equipment file
    scan: str | None = None  # pdf (image-only) | jpg (one file per page: <stem>_p1.jpg ...)
    scan_name: str = ""
    scan_values: dict = field(default_factory=dict)  # values the scan shows differently
    stamp: str = "host"  # host | none | other
    stamp_org: str | None = None
    seal: dict = field(default_factory=dict)  # extra draw_seal options (oval, ink, bottom_text)
    omit: frozenset[str] = frozenset()
    raw_keys: frozenset[str] = frozenset()  # personal fields printed unmasked
    marking: str | None = None
    smudge: str | None = None
    in_summary: bool = True
    dpi: int = 200
    jpeg_quality: int = 70
    seal_over_table: bool = False
    degradations: list[Degradation] | None = None  # per scan page, for the degraded set
    cases: tuple[str, ...] = ()


@dataclass
class SummaryPlan:
    folder: str
    xlsx_name: str | None
    scan_name: str | None
    rows_from: list[Platform]  # platforms listed, in order (plans and phantoms mixed)
    phantom_keys: frozenset[str] = frozenset()
    stamp: bool = True
    dpi: int = 250
    degradation: Degradation | None = None
    date: dt.date = dt.date(2026, 12, 30)


@dataclass
class BatchPlan:
    set_name: str
    seed: int
    filings: list[FilingPlan]
    summary: SummaryPlan | None
    registry: list[dict]
    faults: dict[str, str]  # path -> fault kind; filled by write_faults
    window: list[dt.date]


# ---------------------------------------------------------------- expected results


def banned(p: Platform, registry: list[dict]) -> bool:
    for row in registry:
        if row["host_uscc"] == p.uscc:
            removed = dt.date.fromisoformat(row["removed_on"])
            until = removed.replace(year=removed.year + BAN_YEARS)
            if p.fill_date < until:
                return True
    return False


def expected_flags(plan: FilingPlan, *, has_summary: bool, registry: list[dict],
                   window: list[dt.date]) -> dict[str, list[str]]:
    """The exact flag set of a filing (code -> fields/criteria, empty when none apply)."""
    p = plan.platform
    f: dict[str, list[str]] = {}
    if plan.omit:
        f["MISSING_FIELD"] = sorted(plan.omit)
    if not uscc_valid(p.uscc):
        f["INVALID_VALUE"] = ["uscc"]
    if plan.scan and plan.stamp == "none":
        f["MISSING_STAMP"] = []
    if plan.scan and plan.stamp == "other":
        f["STAMP_SIGNER_MISMATCH"] = []
    if plan.data and not plan.scan:
        f["NO_STAMPED_SCAN"] = []
    if plan.data and plan.scan and plan.scan_values:
        f["DATA_SCAN_MISMATCH"] = sorted(plan.scan_values)
    if plan.raw_keys:
        f["UNREDACTED_PERSONAL_DATA"] = sorted(plan.raw_keys)
    if plan.marking:
        f["CLASSIFIED_MARKING"] = []
    failing = [c for c, v in eligibility(p, omit=plan.omit).items() if v == "fail"]
    if failing:
        f["INELIGIBLE"] = failing
    if "equipment_value_wan" not in plan.omit and abs(p.equipment_total() - p.equipment_value_wan) > Decimal("0.5"):
        f["EQUIPMENT_TOTAL_MISMATCH"] = []
    if has_summary and not plan.in_summary:
        f["NOT_IN_SUMMARY"] = []
    if "fill_date" not in plan.omit and p.fill_date not in window:
        f["OUTSIDE_WINDOW"] = []
    if banned(p, registry):
        f["REAPPLICATION_BANNED"] = []
    if p.miit_affiliated:
        f["MIIT_REPORT_REQUIRED"] = []
    if plan.smudge:
        f["LOW_CONFIDENCE"] = [plan.smudge]
    return f


def status_for(flags: set[str]) -> str:
    """docs/architecture.md "Status"."""
    if "CLASSIFIED_MARKING" in flags:
        return "quarantined"
    if flags - {"MIIT_REPORT_REQUIRED"}:
        return "needs_review"
    return "ready"


# Flag codes whose `field` names a field or criterion (the others carry none).
FIELD_FLAGS = ("MISSING_FIELD", "INVALID_VALUE", "INELIGIBLE", "DATA_SCAN_MISMATCH")


# ---------------------------------------------------------------- rendering


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _scan_pages(plan: FilingPlan, rng: random.Random) -> tuple[list, int | None, list[list[str]]]:
    """Render, smudge, stamp and scan the filing's paper sheet. Returns pages, stamp page, per-page conditions."""
    p = plan.platform.replace(**plan.scan_values)
    masked = frozenset(PERSONAL_FIELDS) - plan.raw_keys
    rows = sheet_rows(p, plan.style, omit=plan.omit, masked=masked)
    lay = info_sheet_layout(rows, equipment_rows(p, plan.style), host_unit=p.host_unit,
                            date_text=format_date(p.fill_date, plan.style.date), marking=plan.marking,
                            seal_over_table=plan.seal_over_table)
    # Degraded pages start from 300 dpi and are resampled down, as a real rescan would be.
    dpi = 300 if plan.degradations else plan.dpi
    pages = render_layout(lay, dpi)
    conds: list[list[str]] = [[] for _ in pages]
    if plan.marking:
        conds[0].append("classified_marking")
    if plan.smudge:
        a = lay.anchors[f"field:{plan.smudge}"]
        pages[a.page - 1] = smudge(pages[a.page - 1], anchor_px(a, dpi), rng)
        conds[a.page - 1].append(f"smudged:{plan.smudge}")
    stamp_page = None
    sig = lay.anchors["signature"]
    if plan.stamp != "none":
        org = plan.platform.host_unit if plan.stamp == "host" else plan.stamp_org
        seal = draw_seal(org, diameter_px=seal_diameter_px(dpi), rng=rng, **plan.seal)
        x0, y0, x1, y1 = anchor_px(sig, dpi)
        pages[sig.page - 1] = stamp(pages[sig.page - 1], seal, ((x0 + x1) // 2, (y0 + y1) // 2), rng)
        stamp_page = sig.page
        conds[sig.page - 1].append("seal" if plan.stamp == "host" else "seal_other_org")
        if plan.seal_over_table:
            conds[sig.page - 1].append("seal_over_numbers")
        if plan.seal.get("oval"):
            conds[sig.page - 1].append("oval_seal")
        if plan.seal.get("ink", 1.0) < 0.7:
            conds[sig.page - 1].append("faint_seal")
    else:
        conds[sig.page - 1].append("no_seal")
    pages = [scanner_pass(pg, rng) for pg in pages]
    if plan.degradations:
        out = []
        for i, pg in enumerate(pages):
            d = plan.degradations[i % len(plan.degradations)]
            out.append(degrade(pg, rng, **dataclasses.asdict(d)))
            conds[i].extend(d.conditions())
        pages = out
    else:
        for c in conds:
            c.append(f"dpi_{plan.dpi}")
    return pages, stamp_page, conds


def render_filing(plan: FilingPlan, batch: Path, rng: random.Random) -> tuple[dict[str, dict], dict]:
    """Write the plan's files. Returns manifest entries by batch path and the stamp truth."""
    p = plan.platform
    folder = batch / plan.folder
    folder.mkdir(parents=True, exist_ok=True)
    masked = frozenset(PERSONAL_FIELDS) - plan.raw_keys
    rows = sheet_rows(p, plan.style, omit=plan.omit, masked=masked)
    sign_date = format_date(p.fill_date, plan.style.date)
    files: dict[str, dict] = {}

    def entry(path: Path, role: str, medium: str, conditions: list[str], **extra) -> None:
        files[path.relative_to(batch).as_posix()] = {"fate": "filing", "filing": plan.key, "role": role,
                                                     "medium": medium, "conditions": conditions or ["clean"], **extra}

    base_conds = ["raw_personal_data"] if plan.raw_keys else []
    if plan.data in ("xlsx", "xlsx_sheet", "xlsx_split"):
        mode = {"xlsx": "inline", "xlsx_sheet": "sheet", "xlsx_split": "none"}[plan.data]
        path = folder / plan.data_name
        write_info_xlsx(path, p, plan.style, rows, equipment=mode, sign_date=sign_date)
        entry(path, "data", "xlsx", base_conds + ([{"none": "equipment_separate_file", "sheet": "equipment_second_sheet"}[mode]] if mode != "inline" else []))
        if plan.data == "xlsx_split":
            epath = folder / plan.equipment_name
            write_equipment_xlsx(epath, p, plan.style)
            entry(epath, "equipment", "xlsx", [])
    elif plan.data == "text_pdf":
        lay = info_sheet_layout(rows, equipment_rows(p, plan.style), host_unit=p.host_unit, date_text=sign_date)
        path = folder / plan.data_name
        write_layout_pdf(path, lay, title="")
        entry(path, "data", "text_pdf", list(base_conds))
    elif plan.data is not None:
        raise ValueError(f"{plan.key}: unknown data medium {plan.data!r}")

    stamp_truth: dict = {"present": False, "page": None, "matches_signer": None}
    if plan.scan:
        pages, stamp_page, conds = _scan_pages(plan, rng)
        page_conds = [{"page": i + 1, "conditions": c} for i, c in enumerate(conds)]
        flat = sorted({c for cs in conds for c in cs}) + base_conds
        if plan.scan == "pdf":
            path = folder / plan.scan_name
            write_image_pdf(path, pages, jpeg_quality=plan.jpeg_quality)
            entry(path, "scan", "scan", flat, pages=page_conds)
            stamp_file = path
        elif plan.scan == "jpg":
            stamp_file = None
            for i, (pg, c) in enumerate(zip(pages, conds), 1):
                path = folder / f"{plan.scan_name}_p{i}.jpg"
                _write_bytes(path, jpeg_bytes(pg, plan.jpeg_quality))
                entry(path, "scan", "scan", sorted(c) + base_conds, pages=[{"page": 1, "conditions": c}])
                if stamp_page == i:
                    stamp_file = path
        else:
            raise ValueError(f"{plan.key}: unknown scan medium {plan.scan!r}")
        if stamp_page is not None:
            stamp_truth = {"present": True, "page": stamp_page, "matches_signer": plan.stamp == "host",
                           "file": stamp_file.relative_to(batch).as_posix() if stamp_file else None}
            if plan.stamp == "other":
                stamp_truth["text"] = plan.stamp_org
    return files, stamp_truth


def summary_rows(plans_or_platforms: list[Platform]) -> list[tuple[str, ...]]:
    """Rows as printed: contacts masked, as a department's desensitized table is."""
    return [(str(i), p.platform_name, p.host_unit, p.uscc, p.key_direction, p.city,
             mask_name(p.contact_name), mask_phone(p.contact_phone))
            for i, p in enumerate(plans_or_platforms, 1)]


def render_summary(sp: SummaryPlan, batch: Path, rng: random.Random, *, flags: list[str]) -> tuple[dict[str, dict], dict]:
    dept = fake.PROVINCES[PROVINCE]["department"]
    title = f"{PROVINCE}储备中试平台汇总表"
    rows = summary_rows(sp.rows_from)
    date_text = format_date(sp.date, "cn")
    folder = batch / sp.folder
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    sources = []
    if sp.xlsx_name:
        path = folder / sp.xlsx_name
        write_summary_xlsx(path, title, rows, department=dept, date_text=date_text)
        rel = path.relative_to(batch).as_posix()
        files[rel] = {"fate": "summary_table", "medium": "xlsx", "conditions": ["clean"]}
        sources.append(rel)
    stamp_present = False
    if sp.scan_name:
        lay = summary_layout(title, rows, department=dept, date_text=date_text)
        dpi = 300 if sp.degradation else sp.dpi
        pages = render_layout(lay, dpi)
        conds = []
        if sp.stamp:
            sig = lay.anchors["signature"]
            x0, y0, x1, y1 = anchor_px(sig, dpi)
            seal = draw_seal(dept, diameter_px=seal_diameter_px(dpi), rng=rng)
            pages[sig.page - 1] = stamp(pages[sig.page - 1], seal, ((x0 + x1) // 2, (y0 + y1) // 2), rng)
            stamp_present = True
            conds.append("seal")
        pages = [scanner_pass(pg, rng) for pg in pages]
        if sp.degradation:
            pages = [degrade(pg, rng, **dataclasses.asdict(sp.degradation)) for pg in pages]
            conds += sp.degradation.conditions()
        else:
            conds.append(f"dpi_{sp.dpi}")
        path = folder / sp.scan_name
        write_image_pdf(path, pages, jpeg_quality=70)
        rel = path.relative_to(batch).as_posix()
        files[rel] = {"fate": "summary_table", "medium": "scan", "conditions": sorted(conds)}
        sources.append(rel)
    truth_rows = [{"platform_name": r[1], "host_unit": r[2], "uscc": r[3], "key_direction": r[4],
                   "city": r[5], "contact_name": r[6], "contact_phone": r[7]} for r in rows]
    summary_truth = {"province": PROVINCE, "department": dept, "sources": sorted(sources), "rows": truth_rows,
                     "stamp_present": stamp_present, "flags": sorted(flags), "status": status_for(set(flags))}
    return files, summary_truth


# ---------------------------------------------------------------- file faults


def write_faults(batch: Path, rng: random.Random, *, encrypt_source: Path, duplicate_of: Path,
                 folder: str = "其他") -> dict[str, dict]:
    """The five file faults. Returns manifest entries by batch path."""
    d = batch / folder
    d.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict] = {}
    empty = d / "附件5.pdf"
    empty.write_bytes(b"")
    out[empty.relative_to(batch).as_posix()] = {"fate": "quarantined", "reason": "EMPTY"}
    corrupt = d / "附件6.pdf"
    # A PDF header over noise: sniffs as PDF, has no objects, no xref, no trailer.
    noise = bytes(rng.getrandbits(8) for _ in range(4096))
    corrupt.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise)
    out[corrupt.relative_to(batch).as_posix()] = {"fate": "quarantined", "reason": "UNREADABLE"}
    enc = d / "附件7.pdf"
    encrypt_pdf(encrypt_source, enc, user_password="gd2026", owner_password="gdgxt-owner")
    out[enc.relative_to(batch).as_posix()] = {"fate": "quarantined", "reason": "ENCRYPTED"}
    note = batch / "报送说明.txt"
    note.write_text("报送说明：本批次材料含汇总表及各平台申报信息表、盖章扫描件，请查收。\n", encoding="utf-8")
    out[note.relative_to(batch).as_posix()] = {"fate": "quarantined", "reason": "UNSUPPORTED_TYPE"}
    dup = batch / "备份" / (duplicate_of.stem + " - 副本" + duplicate_of.suffix)
    if dup.relative_to(batch).as_posix() < duplicate_of.relative_to(batch).as_posix():
        # The copy must sort after its original; beside it, "_副本" does ('_' > '.').
        dup = duplicate_of.with_name(duplicate_of.stem + "_副本" + duplicate_of.suffix)
    dup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(duplicate_of, dup)
    original = duplicate_of.relative_to(batch).as_posix()
    dup_rel = dup.relative_to(batch).as_posix()
    if sorted([original, dup_rel])[0] != original:
        raise AssertionError(f"duplicate {dup_rel} must sort after its original {original}")
    out[dup_rel] = {"fate": "quarantined", "reason": "DUPLICATE", "duplicate_of": original}
    return out


# ---------------------------------------------------------------- sets


def _style(rng: random.Random, i: int, **over) -> Style:
    """A random style with money/yes-no/date forms rotated by index, so a set covers them all."""
    from samples.model import DATE_FORMS, MONEY_FORMS, YESNO_FORMS

    s = random_style(rng)
    money = MONEY_FORMS[i % len(MONEY_FORMS)]
    s = dataclasses.replace(s, money=money, yesno=YESNO_FORMS[i % len(YESNO_FORMS)],
                            date=DATE_FORMS[i % len(DATE_FORMS)],
                            units_in_label=True if money == "plain" else s.units_in_label)
    return dataclasses.replace(s, **over)


def _with_equipment_total(rng: random.Random, p: Platform, domain: int, total: Decimal) -> Platform:
    return p.replace(equipment_value_wan=total, equipment=fake.equipment_for(rng, domain, total))


def demo_plans(seed: int, set_name: str = "demo") -> BatchPlan:
    window = fake.last_workdays(2026, 12)
    R = lambda purpose: sub_rng(seed, set_name, purpose)  # noqa: E731
    cities = ["广州市", "深圳市", "佛山市", "东莞市", "珠海市", "惠州市", "中山市", "江门市", "肇庆市", "汕头市"]
    trades = R("trades").sample(fake.TRADE_NAMES, 10)

    def mk(i: int, key: str, **kw) -> Platform:
        return fake.make_platform(R(f"platform/{key}"), key, province=PROVINCE, fill_window=window,
                                  domain_index=i, city=cities[i], trade_name=trades[i], **kw)

    plans: list[FilingPlan] = []
    # p01 clean: xlsx data + stamped image-only PDF.
    plans.append(FilingPlan("p01", mk(0, "p01"), _style(R("style/p01"), 1, half_width=False), "01",
                            data="xlsx", data_name="附件2.xlsx", scan="pdf", scan_name="附件3.pdf", dpi=250,
                            cases=("clean",)))
    # p02 clean: born-digital PDF + stamped scan as two JPG pages; landline contact number.
    p02 = mk(1, "p02")
    p02 = p02.replace(contact_phone=fake.landline(R("phone/p02"), PROVINCE, p02.city))
    plans.append(FilingPlan("p02", p02, _style(R("style/p02"), 4), "02", data="text_pdf", data_name="信息表.pdf",
                            scan="jpg", scan_name="scan_0012", dpi=200, cases=("clean", "landline_phone")))
    # p03 MIIT-affiliated institute: equipment in its own xlsx, nested folders, oval seal.
    p03 = mk(2, "p03", host_kind="institute").replace(miit_affiliated=True)
    plans.append(FilingPlan("p03", p03, _style(R("style/p03"), 2), "03/材料/申报", data="xlsx_split",
                            data_name="附件1.xlsx", equipment_name="附件4.xlsx", scan="pdf", scan_name="扫描件.pdf",
                            dpi=200, seal={"bottom_text": "事业单位法人"},
                            cases=("miit_affiliated", "equipment_separate_file", "nested_folder",
                                   "old_removal_not_banned")))
    # p04 data says 12 staff, the signed scan says 8; the seal names another firm; raw contact data.
    p04 = mk(3, "p04").replace(fulltime_staff=12)
    other_org = f"{p04.city}{trades[9]}贸易有限公司"
    plans.append(FilingPlan("p04", p04, _style(R("style/p04"), 5), "04", data="xlsx", data_name="数据导出.xlsx",
                            scan="pdf", scan_name="盖章版.pdf", scan_values={"fulltime_staff": 8}, stamp="other",
                            stamp_org=other_org, raw_keys=frozenset({"contact_name", "contact_phone"}), dpi=250,
                            cases=("data_scan_mismatch", "seal_of_other_org", "unredacted_contact")))
    # p05 scan only, not stamped, one value smudged.
    plans.append(FilingPlan("p05", mk(4, "p05"), _style(R("style/p05"), 3), "05", scan="pdf",
                            scan_name="IMG_20261229_0931.pdf", stamp="none", smudge="served_enterprises", dpi=200,
                            cases=("scan_only", "no_seal", "smudged_value")))
    # p06 classified marking printed on the scan.
    plans.append(FilingPlan("p06", mk(5, "p06"), _style(R("style/p06"), 0), "06", data="xlsx",
                            data_name="附件2.xlsx", scan="pdf", scan_name="附件3.pdf", marking=CLASSIFIED, dpi=200,
                            cases=("classified_marking",)))
    # p07 born-digital PDF only: 800万元 of equipment, filled on 2026-11-10.
    p07 = _with_equipment_total(R("equip/p07"), mk(6, "p07"), 6, Decimal(800)).replace(fill_date=dt.date(2026, 11, 10))
    plans.append(FilingPlan("p07", p07, _style(R("style/p07"), 7), "07", data="text_pdf", data_name="附件.pdf",
                            cases=("data_only", "low_equipment_value", "filled_outside_window")))
    # p08 xlsx only: bad uscc check digit, equipment rows short of the declared value, no address.
    p08 = mk(7, "p08")
    p08 = p08.replace(uscc=break_check_digit(p08.uscc), equipment_value_wan=p08.equipment_total() + Decimal(150))
    plans.append(FilingPlan("p08", p08, _style(R("style/p08"), 6), "08", data="xlsx", data_name="平台信息.xlsx",
                            omit=frozenset({"address"}),
                            cases=("data_only", "bad_check_digit", "equipment_total_mismatch", "missing_address")))
    # p09 xlsx only (equipment on a second sheet): host removed from the pool on 2024-09-30; not in the summary.
    plans.append(FilingPlan("p09", mk(8, "p09"), _style(R("style/p09"), 8), "补充材料", data="xlsx_sheet",
                            data_name="附件9.xlsx", in_summary=False,
                            cases=("data_only", "host_recently_removed", "not_in_summary")))
    phantom = mk(9, "x01")
    listed = [pl.platform for pl in plans if pl.in_summary]
    listed.insert(4, phantom)
    summary = SummaryPlan("汇总", xlsx_name="汇总表.xlsx", scan_name="附件1.pdf", rows_from=listed,
                          phantom_keys=frozenset({"x01"}), dpi=250)
    registry = [
        {"platform_name": plans[8].platform.platform_name, "host_uscc": plans[8].platform.uscc,
         "removed_on": "2024-09-30", "reason": "重组事项未及时报告，移出储备库"},
        {"platform_name": plans[2].platform.platform_name, "host_uscc": plans[2].platform.uscc,
         "removed_on": "2023-06-30", "reason": "省级主管部门提出退出建议"},
    ]
    return BatchPlan(set_name, seed, plans, summary, registry, {}, window)


def faults_plans(seed: int) -> BatchPlan:
    window = fake.last_workdays(2026, 12)
    R = lambda purpose: sub_rng(seed, "faults", purpose)  # noqa: E731
    p = fake.make_platform(R("platform/f01"), "f01", province=PROVINCE, fill_window=window, domain_index=0)
    plan = FilingPlan("f01", p, _style(R("style/f01"), 1), "01", data="xlsx", data_name="附件2.xlsx",
                      cases=("data_only",))
    return BatchPlan("faults", seed, [plan], None, [], {}, window)


def degraded_plans(seed: int) -> BatchPlan:
    bp = demo_plans(seed, "demo")  # the demo's platforms, values and cases
    bp.set_name = "degraded"
    rng = sub_rng(seed, "degraded", "conditions")
    idx = 0
    for i, plan in enumerate(bp.filings):
        if not plan.scan:
            continue
        # The seal over the equipment numbers on every second stamped scan.
        plan.seal_over_table = plan.stamp != "none" and i % 2 == 0
        plan.jpeg_quality = rng.randint(50, 60)
        degr = []
        for _ in range(2):
            degr.append(random_degradation(rng, index=idx))
            idx += 1
        plan.degradations = degr
        plan.cases = plan.cases + ("degraded",)
    bp.summary.degradation = Degradation(dpi=200, jpeg_quality=55, skew_deg=-1.5, grayscale=True, noise=0.4)
    return bp


def clean_plans(seed: int) -> BatchPlan:
    """The demo's cases with the set's own draws, every filing with a stamped scan at 300 dpi.

    What a careful office sends: colour, 300 dpi, the seal on the signature
    block, light JPEG (q 80–90), only the scanner's own tilt and softness. The
    data-only filings of the demo get a scan too, so every platform is read by OCR.
    """
    bp = demo_plans(seed, "clean")
    rng = sub_rng(seed, "clean", "conditions")
    for plan in bp.filings:
        if not plan.scan:
            plan.scan, plan.scan_name = "pdf", "盖章扫描件.pdf"
            plan.cases = tuple(c for c in plan.cases if c != "data_only") + ("scan_added",)
        plan.dpi = 300
        plan.jpeg_quality = rng.randint(80, 90)
        plan.cases = plan.cases + ("clean_300dpi",)
    bp.summary.dpi = 300
    return bp


def full_plans(seed: int) -> BatchPlan:
    bp = demo_plans(seed, "full")
    bp.set_name = "full"
    window = bp.window
    R = lambda purpose: sub_rng(seed, "full", purpose)  # noqa: E731
    extra_cases = [
        ("ineligible_staff", {"fulltime_staff": 3}),
        ("prior_violation", {"violations_3y": True}),
        ("low_service_revenue", {"service_revenue_wan": Decimal("300"), "host_revenue_wan": Decimal("9000")}),
        ("miit_affiliated", {"miit_affiliated": True}),
        ("no_achievements", {"major_achievements": 0, "new_products": 0}),
        ("few_enterprises", {"served_enterprises": 3}),
    ]
    media = [("xlsx", "pdf"), ("text_pdf", "jpg"), ("xlsx_split", "pdf"), ("xlsx_sheet", "jpg"),
             ("text_pdf", "pdf"), (None, "pdf"), ("xlsx", None)]
    cities = sorted(fake.PROVINCES[PROVINCE]["cities"])
    for n in range(11):
        key = f"q{n + 1:02d}"
        r = R(f"platform/{key}")
        p = fake.make_platform(r, key, province=PROVINCE, fill_window=window, domain_index=n % len(fake.DOMAINS),
                               city=cities[n % len(cities)], trade_name=fake.TRADE_NAMES[10 + n],
                               host_kind="institute" if n % 5 == 4 else "company")
        cases: tuple[str, ...] = ("varied_clean",)
        if n < len(extra_cases):
            name, changes = extra_cases[n]
            p = p.replace(**changes)
            cases = (name,)
        if n % 4 == 1:
            p = p.replace(contact_phone=fake.landline(r, PROVINCE, p.city))
        data, scan = media[n % len(media)]
        seal = [{}, {"oval": True}, {"ink": 0.5}, {"bottom_text": "91" + p.uscc[2:8]}][n % 4]
        bp.filings.append(FilingPlan(
            key, p, _style(R(f"style/{key}"), n), f"平台{n + 1:02d}", data=data,
            data_name=f"附件{n + 10}.{'pdf' if data == 'text_pdf' else 'xlsx'}", equipment_name=f"附件{n + 10}-2.xlsx",
            scan=scan, scan_name=f"scan_{n + 40:04d}" + (".pdf" if scan == "pdf" else ""),
            seal=seal, dpi=[200, 250, 300][n % 3], cases=cases + (f"media_{data}_{scan}",)))
    listed = bp.summary.rows_from + [pl.platform for pl in bp.filings[9:]]
    listed.append(fake.make_platform(R("platform/x02"), "x02", province=PROVINCE, fill_window=window))
    bp.summary.rows_from = listed
    bp.summary.phantom_keys = frozenset({"x01", "x02"})
    return bp


def build_plan(set_name: str, seed: int) -> BatchPlan:
    if set_name == "demo":
        return demo_plans(seed)
    if set_name == "full":
        return full_plans(seed)
    if set_name == "faults":
        return faults_plans(seed)
    if set_name == "degraded":
        return degraded_plans(seed)
    if set_name == "clean":
        return clean_plans(seed)
    raise ValueError(f"unknown set {set_name!r}; choose one of {', '.join(SETS)}")


# ---------------------------------------------------------------- writing


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def filing_truth(plan: FilingPlan, flags: dict[str, list[str]], stamp_truth: dict, sources: list[dict]) -> dict:
    p = plan.platform
    raw = {k: p.value(k) for k in sorted(plan.raw_keys)}
    scan_fields = {}
    if plan.scan_values:
        sp = p.replace(**plan.scan_values)
        scan_fields = {k: v for k, v in truth_fields(sp, omit=plan.omit).items() if k in plan.scan_values}
    return {
        "key": plan.key, "platform_name": p.platform_name, "uscc": p.uscc,
        "fields": truth_fields(p, omit=plan.omit),
        "raw_personal": raw,
        "scan_fields": scan_fields,
        "equipment": [e.as_truth() for e in p.equipment],
        "eligibility": eligibility(p, omit=plan.omit),
        "stamp": stamp_truth,
        "flags": sorted(flags),
        "flag_fields": {k: v for k, v in sorted(flags.items()) if v and (k in FIELD_FLAGS or k == "LOW_CONFIDENCE")},
        "status": status_for(set(flags)),
        "cases": list(plan.cases),
        "sources": sources,
    }


def generate(out: Path, *, seed: int, set_name: str) -> Path:
    """Write OUT/batch and OUT/truth for `set_name`; returns OUT. OUT/batch and OUT/truth are replaced."""
    bp = build_plan(set_name, seed)
    batch, truth = out / "batch", out / "truth"
    for d in (batch, truth):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    files: dict[str, dict] = {}
    filings: dict[str, dict] = {}
    for plan in bp.filings:
        new, stamp_truth = render_filing(plan, batch, sub_rng(seed, set_name, f"render/{plan.key}"))
        files.update(new)
        flags = expected_flags(plan, has_summary=bp.summary is not None, registry=bp.registry, window=bp.window)
        sources = [{"path": k, "role": v["role"], "medium": v["medium"]} for k, v in sorted(new.items())]
        filings[plan.key] = filing_truth(plan, flags, stamp_truth, sources)
    summaries = []
    if bp.summary:
        s_flags = ["MISSING_INFO_SHEET"] if bp.summary.phantom_keys else []
        if bp.summary.scan_name and not bp.summary.stamp:
            s_flags.append("MISSING_STAMP")
        new, s_truth = render_summary(bp.summary, batch, sub_rng(seed, set_name, "render/summary"), flags=s_flags)
        s_truth["missing_info_sheet"] = [p.platform_name for p in bp.summary.rows_from
                                         if p.key in bp.summary.phantom_keys]
        files.update(new)
        summaries.append(s_truth)
    first = bp.filings[0]
    dup_source = next(batch / k for k, v in sorted(files.items())
                      if v.get("filing") == first.key and v.get("role") == "scan") if first.scan else \
        next(batch / k for k, v in sorted(files.items()) if v.get("filing") == first.key)
    enc_source = next((batch / k for k, v in sorted(files.items()) if v.get("medium") == "text_pdf"), None)
    if enc_source is None:  # a set without a born-digital PDF: encrypt a fresh one
        p = first.platform
        rows = sheet_rows(p, first.style)
        enc_source = out / "truth" / ".enc_src.pdf"
        write_layout_pdf(enc_source, info_sheet_layout(rows, equipment_rows(p, first.style), host_unit=p.host_unit,
                                                       date_text=format_date(p.fill_date, "cn")))
    files.update(write_faults(batch, sub_rng(seed, set_name, "faults"), encrypt_source=enc_source,
                              duplicate_of=dup_source))
    if enc_source.parent == truth:
        enc_source.unlink()
    on_disk = sorted(p.relative_to(batch).as_posix() for p in batch.rglob("*") if p.is_file())
    if on_disk != sorted(files):
        raise AssertionError(f"manifest and batch disagree: {sorted(set(on_disk) ^ set(files))}")
    manifest = {"set": set_name, "seed": seed, "province": PROVINCE, "round": ROUND,
                "window": [d.isoformat() for d in bp.window],
                "files": dict(sorted(files.items())), "summary_tables": summaries}
    (truth / "manifest.json").write_text(_dump(manifest), encoding="utf-8")
    (truth / "filings").mkdir()
    for key, t in sorted(filings.items()):
        (truth / "filings" / f"{key}.json").write_text(_dump(t), encoding="utf-8")
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["platform_name", "host_uscc", "removed_on", "reason"], lineterminator="\n")
    w.writeheader()
    for row in bp.registry:
        w.writerow(row)
    (truth / "registry.csv").write_text(buf.getvalue(), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generate",
                                 description="Write a deterministic sample batch (OUT/batch) and its ground truth (OUT/truth).")
    ap.add_argument("out", type=Path, help="output folder; its batch/ and truth/ are replaced")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--set", dest="set_name", choices=SETS, default="demo")
    args = ap.parse_args(argv)
    try:
        generate(args.out, seed=args.seed, set_name=args.set_name)
    except (OSError, ValueError) as e:
        print(f"samples.generate: {e}", file=sys.stderr)
        return 1
    n = sum(1 for p in (args.out / "batch").rglob("*") if p.is_file())
    print(f"wrote {n} files to {args.out / 'batch'} and the truth to {args.out / 'truth'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
