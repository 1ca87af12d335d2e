"""The sample generator: determinism, the committed demo, and the truth's own consistency."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pikepdf
import pypdfium2
import pytest

from samples.generate import build_plan, generate, status_for
from samples.model import PERSONAL_FIELDS, sheet_rows, uscc_valid
from samples.render_pdf import pdf_text

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "samples" / "demo"
ALL_FLAGS = {"MISSING_FIELD", "INVALID_VALUE", "MISSING_STAMP", "STAMP_SIGNER_MISMATCH", "NO_STAMPED_SCAN",
             "DATA_SCAN_MISMATCH", "UNREDACTED_PERSONAL_DATA", "CLASSIFIED_MARKING", "INELIGIBLE",
             "EQUIPMENT_TOTAL_MISMATCH", "NOT_IN_SUMMARY", "MISSING_INFO_SHEET", "OUTSIDE_WINDOW",
             "REAPPLICATION_BANNED", "MIIT_REPORT_REQUIRED", "LOW_CONFIDENCE"}
ALL_FAULTS = {"EMPTY", "UNREADABLE", "ENCRYPTED", "UNSUPPORTED_TYPE", "DUPLICATE"}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("demo"), seed=7, set_name="demo")


def truths(root: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((root / "truth" / "filings").glob("*.json"))}


def manifest(root: Path) -> dict:
    return json.loads((root / "truth" / "manifest.json").read_text(encoding="utf-8"))


def test_committed_demo_equals_fresh_generation(fresh_demo):
    # Byte equality holds while reportlab, openpyxl, Pillow/libjpeg, zlib and the
    # fonts are the versions pinned in this image; a difference here means either
    # the generator changed (regenerate and commit samples/demo) or a library did.
    committed, fresh = tree(DEMO), tree(fresh_demo)
    assert sorted(committed) == sorted(fresh)
    differing = [k for k in committed if committed[k] != fresh[k]]
    assert differing == []


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    a = tree(generate(tmp_path / "a", seed=3, set_name="faults"))
    b = tree(generate(tmp_path / "b", seed=3, set_name="faults"))
    c = tree(generate(tmp_path / "c", seed=4, set_name="faults"))
    assert a == b
    assert a["truth/manifest.json"] != c["truth/manifest.json"]


def test_every_batch_file_is_in_the_manifest_and_faults_are_real(fresh_demo):
    m = manifest(fresh_demo)
    batch = fresh_demo / "batch"
    on_disk = {p.relative_to(batch).as_posix() for p in batch.rglob("*") if p.is_file()}
    assert on_disk == set(m["files"])
    reasons = {v["reason"]: k for k, v in m["files"].items() if v["fate"] == "quarantined"}
    assert set(reasons) == ALL_FAULTS
    assert (batch / reasons["EMPTY"]).stat().st_size == 0
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(batch / reasons["ENCRYPTED"])
    with pytest.raises(pypdfium2.PdfiumError):
        pypdfium2.PdfDocument(batch / reasons["UNREADABLE"])
    dup = m["files"][reasons["DUPLICATE"]]
    assert (batch / dup["duplicate_of"]).read_bytes() == (batch / reasons["DUPLICATE"]).read_bytes()
    assert sorted([dup["duplicate_of"], reasons["DUPLICATE"]])[0] == dup["duplicate_of"]
    for path, entry in m["files"].items():
        if entry["fate"] == "filing":
            assert (fresh_demo / "truth" / "filings" / f"{entry['filing']}.json").exists(), path


def test_demo_truth_raises_every_flag_and_status_follows_flags(fresh_demo):
    t = truths(fresh_demo)
    seen = set()
    for key, ft in t.items():
        seen |= set(ft["flags"])
        assert ft["status"] == status_for(set(ft["flags"])), key
    summary = manifest(fresh_demo)["summary_tables"][0]
    seen |= set(summary["flags"])
    assert seen == ALL_FLAGS
    assert sum(ft["status"] == "ready" and not ft["flags"] for ft in t.values()) >= 2
    assert t["p06"]["status"] == "quarantined"
    assert t["p07"]["flag_fields"]["INELIGIBLE"] == ["equipment_value"]


def test_uscc_check_digits_valid_except_the_deliberate_case(fresh_demo):
    for key, ft in truths(fresh_demo).items():
        assert uscc_valid(ft["uscc"]) == ("INVALID_VALUE" not in ft["flags"]), key
    for row in manifest(fresh_demo)["summary_tables"][0]["rows"]:
        assert len(row["uscc"]) == 18


def test_equipment_adds_up_except_the_deliberate_case(fresh_demo):
    for key, ft in truths(fresh_demo).items():
        total = round(sum(e["value_wan"] for e in ft["equipment"]), 1)
        declared = ft["fields"]["equipment_value_wan"]
        assert (abs(total - declared) > 0.5) == ("EQUIPMENT_TOTAL_MISMATCH" in ft["flags"]), key


MASKED = {
    "contact_phone": re.compile(r"^(1\d{2}\*{4}\d{4}|0\d{2,3}-\*+\d{4})$"),
    "contact_email": re.compile(r"^[a-z0-9]{2}\*\*\*@[a-z0-9.-]+$"),
    "legal_rep": re.compile(r"^[\u4e00-\u9fff]\*+$"),
    "contact_name": re.compile(r"^[\u4e00-\u9fff]\*+$"),
    "tech_leader": re.compile(r"^[\u4e00-\u9fff]\*+$"),
}


def test_masked_values_follow_the_conventions(fresh_demo):
    for key, ft in truths(fresh_demo).items():
        for f in PERSONAL_FIELDS:
            assert MASKED[f].match(ft["fields"][f]), (key, f, ft["fields"][f])
        for f, raw in ft["raw_personal"].items():
            assert "*" not in raw and raw != ft["fields"][f]
            assert len(ft["fields"][f]) == len(raw) or f == "contact_email"
    for row in manifest(fresh_demo)["summary_tables"][0]["rows"]:
        assert MASKED["contact_phone"].match(row["contact_phone"]) and MASKED["contact_name"].match(row["contact_name"])


def test_unredacted_case_carries_raw_values_and_others_do_not(fresh_demo):
    t = truths(fresh_demo)
    batch = fresh_demo / "batch"
    raw = t["p04"]["raw_personal"]
    assert set(raw) == {"contact_name", "contact_phone"}
    ws = openpyxl.load_workbook(batch / "04" / "数据导出.xlsx").active
    cells = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert raw["contact_phone"] in cells and raw["contact_name"] in cells
    ws1 = openpyxl.load_workbook(batch / "01" / "附件2.xlsx").active
    cells1 = {str(c.value) for row in ws1.iter_rows() for c in row if c.value is not None}
    assert t["p01"]["fields"]["contact_phone"] in cells1


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def test_born_digital_pdfs_yield_their_values_through_pdfplumber(fresh_demo):
    plans = {p.key: p for p in build_plan("demo", 7).filings}
    m = manifest(fresh_demo)
    checked = 0
    for path, entry in m["files"].items():
        if entry.get("medium") != "text_pdf":
            continue
        plan = plans[entry["filing"]]
        text = _compact(pdf_text(fresh_demo / "batch" / path))
        masked = frozenset(PERSONAL_FIELDS) - plan.raw_keys
        for row in sheet_rows(plan.platform, plan.style, omit=plan.omit, masked=masked):
            assert _compact(row.text) in text, (path, row.key, row.text)
        checked += 1
    assert checked == 2


def test_classified_marking_and_scan_budget(fresh_demo):
    m = manifest(fresh_demo)
    pages = sum(len(v.get("pages", [])) if v["medium"] == "scan" else 0
                for v in m["files"].values() if v["fate"] == "filing")
    pages += sum(1 for v in m["files"].values() if v["fate"] == "summary_table" and v["medium"] == "scan")
    assert pages <= 14
    size = sum(p.stat().st_size for p in (fresh_demo / "batch").rglob("*") if p.is_file())
    assert size < 8 * 1024 * 1024


def test_clean_set_scans_every_filing_at_300_dpi_in_colour():
    demo, clean = build_plan("demo", 7), build_plan("clean", 7)
    assert [p.key for p in clean.filings] == [p.key for p in demo.filings]
    for plan in clean.filings:
        assert plan.scan and plan.dpi == 300 and 80 <= plan.jpeg_quality <= 90
        assert plan.degradations is None and not plan.seal_over_table
    assert clean.summary.dpi == 300
    # Its own draws: the same cases with other names and values than the demo's.
    assert [p.platform.uscc for p in clean.filings] != [p.platform.uscc for p in demo.filings]
    assert {p.key: p.stamp for p in clean.filings} == {p.key: p.stamp for p in demo.filings}
