"""The whole path on the committed demo batch, through the real CLI, real tesseract and real files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from records.schema import validate_line
DEMO = Path(__file__).resolve().parents[1] / "samples" / "demo"

pytestmark = pytest.mark.slow


def _all_files(batch: Path) -> list[str]:
    return sorted(p.relative_to(batch).as_posix() for p in batch.rglob("*") if p.is_file())


def _filing_for(records: list[dict], truth: dict) -> dict | None:
    """The record whose sources are the files the manifest assigns to this truth filing."""
    for rec in records:
        if rec["kind"] == "filing" and any(s["path"] in truth["_paths"] for s in rec["sources"]):
            return rec
    return None


@pytest.fixture(scope="module")
def truth(demo_truth) -> dict:
    files = demo_truth["manifest"]["files"]
    out = {}
    for key, filing in demo_truth["filings"].items():
        filing = dict(filing)
        filing["_paths"] = {p for p, f in files.items() if f.get("fate") == "filing" and f.get("filing") == key}
        out[key] = filing
    return out


def test_summary_line_and_exit(demo_run):
    assert demo_run.proc.returncode == 0
    line = demo_run.proc.stdout.strip().splitlines()[-1]
    assert "filings:" in line and "ready" in line and "needs_review" in line and "quarantined" in line
    assert "Traceback" not in demo_run.proc.stderr


def test_records_follow_the_contract(demo_run):
    lines = (demo_run.out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines
    for line in lines:
        validate_line(line)


def test_every_file_exactly_once(demo_run, demo_truth):
    seen: list[str] = []
    for rec in demo_run.records:
        if rec["kind"] == "quarantined":
            seen.append(rec["path"])
        else:
            seen.extend(s["path"] for s in rec["sources"])
    assert sorted(seen) == _all_files(DEMO / "batch")
    assert not [p for p, n in Counter(seen).items() if n > 1]


def test_file_fates_match_manifest(demo_run, demo_truth):
    fates = {}
    for rec in demo_run.records:
        if rec["kind"] == "quarantined":
            fates[rec["path"]] = ("quarantined", rec["reason"])
        for s in rec.get("sources", []):
            fates[s["path"]] = (rec["kind"], None)
    for path, expected in demo_truth["manifest"]["files"].items():
        fate = expected["fate"]
        got = fates[path]
        if fate == "quarantined":
            assert got == ("quarantined", expected["reason"]), path
        elif fate == "summary_table":
            assert got[0] == "summary_table", path
        else:
            assert got[0] == "filing", path


def test_one_record_per_platform(demo_run, truth):
    filings = [r for r in demo_run.records if r["kind"] == "filing"]
    assert len(filings) == len(truth)
    for key, t in truth.items():
        rec = _filing_for(demo_run.records, t)
        assert rec is not None, key
        assert {s["path"] for s in rec["sources"]} == t["_paths"], key


def test_data_file_fields_match_truth_exactly(demo_run, truth, demo_truth):
    """Fields read from .xlsx and born-digital PDFs equal the generator's truth."""
    files = demo_truth["manifest"]["files"]
    checked = 0
    for key, t in truth.items():
        data_media = {files[p].get("medium") for p in t["_paths"] if files[p].get("role") == "data"}
        if not data_media or t["status"] == "quarantined":
            continue
        rec = _filing_for(demo_run.records, t)
        for field, value in t["fields"].items():
            assert rec["fields"].get(field) == value, (key, field)
            checked += 1
    assert checked > 20


def test_rerun_gives_identical_records(run_cli, demo_run, tmp_path):
    first = (demo_run.out / "records.jsonl").read_text(encoding="utf-8")
    again = run_cli("process", str(DEMO / "batch"), "--out", str(demo_run.out),
                    "--registry", str(DEMO / "truth" / "registry.csv"), check=True)
    assert again.returncode == 0
    assert (demo_run.out / "records.jsonl").read_text(encoding="utf-8") == first


def test_review_workbook_has_a_row_per_record(demo_run):
    ws = load_workbook(demo_run.out / "review.xlsx").active
    assert ws.max_row - 1 == len(demo_run.records)
    assert ws.freeze_panes == "A2"


def test_no_raw_personal_value_in_records(demo_run, truth):
    text = (demo_run.out / "records.jsonl").read_text(encoding="utf-8")
    for t in truth.values():
        for field, raw in t.get("raw_personal", {}).items():
            if len(str(raw)) >= 2 and "*" not in str(raw):
                assert str(raw) not in text, (t["key"], field)


def test_leakcheck_finds_no_raw_value(run_cli, demo_run):
    proc = run_cli("leakcheck", str(demo_run.out), "--values", str(DEMO / "truth"))
    assert proc.returncode == 0, proc.stderr
    assert "no raw value" in proc.stdout


def test_redacted_pdfs_have_no_text_under_boxes(demo_run):
    import asyncio

    import xray  # Free Law Project's x-ray: finds text left under drawn boxes

    pdfs = sorted((demo_run.out / "redacted").rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        assert asyncio.run(xray.inspect(pdf)) == {}, pdf


def test_classified_filing_goes_nowhere_downstream(demo_run, truth):
    classified = [t for t in truth.values() if t["status"] == "quarantined"]
    assert classified
    for t in classified:
        rec = _filing_for(demo_run.records, t)
        assert rec["status"] == "quarantined"
        assert [f["code"] for f in rec["flags"]] == ["CLASSIFIED_MARKING"]
        assert rec["fields"] == {}
        redacted = {p.relative_to(demo_run.out / "redacted").with_suffix("").as_posix()
                    for p in (demo_run.out / "redacted").rglob("*.pdf")}
        assert not {Path(p).with_suffix("").as_posix() for p in t["_paths"]} & redacted


def test_every_stamped_scan_has_a_redacted_copy(demo_run):
    expected = {Path(s["path"]).with_suffix("").as_posix()
                for r in demo_run.records if r["kind"] != "quarantined" and r["status"] != "quarantined"
                for s in r["sources"] if s["role"] == "scan"}
    got = {p.relative_to(demo_run.out / "redacted").with_suffix("").as_posix()
           for p in (demo_run.out / "redacted").rglob("*.pdf")}
    assert expected and expected == got
