"""The demo batch of samples/: every .xlsx and born-digital PDF reads back as its ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.pdf import extract_text_pdf, inspect_pdf
from extractors.xlsx import extract_xlsx
from pilot_intake.models import DocKind, FileType, SourceFile

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "samples" / "demo"
PERSONAL = ("legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    if (COMMITTED / "truth" / "manifest.json").exists():
        return COMMITTED
    if not (ROOT / "samples" / "generate.py").exists():
        pytest.skip("samples/generate.py is not there yet")
    out = tmp_path_factory.mktemp("demo")
    subprocess.run([sys.executable, "-m", "samples.generate", str(out), "--seed", "7", "--set", "demo"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return out


def _extract(batch: Path, rel: str):
    path = batch / rel
    head = path.read_bytes()[:4]
    file_type = FileType.PDF if head == b"%PDF" else FileType.XLSX
    source = SourceFile(path=rel, abs_path=path, sha256="-", size=path.stat().st_size, file_type=file_type)
    if file_type is FileType.XLSX:
        return extract_xlsx(source)
    info = inspect_pdf(path, max_pages=200)
    assert info.is_born_digital, f"{rel}: expected a text layer on every page"
    return extract_text_pdf(source, info)


def _personal_matches(key: str, got: object, truth: dict) -> bool:
    """Personal data arrives masked (compare with the masked truth) or raw (compare with the raw value)."""
    got = str(got)
    if "*" in got:
        return got == str(truth["fields"].get(key))
    raw = str(truth.get("raw_personal", {}).get(key, ""))
    return got.replace("-", "") == raw.replace(" ", "").replace("-", "").removeprefix("+86")


def test_demo_batch_fields_equipment_and_summary(demo):
    manifest = json.loads((demo / "truth" / "manifest.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    checked = 0
    for rel, entry in manifest["files"].items():
        if entry.get("medium") not in ("xlsx", "text_pdf"):
            continue
        checked += 1
        doc = _extract(demo / "batch", rel)
        if entry["fate"] == "summary_table":
            table = next(t for t in manifest["summary_tables"] if rel in t["sources"])
            if doc.kind is not DocKind.SUMMARY_TABLE or doc.province != table["province"]:
                problems.append(f"{rel}: kind {doc.kind}, province {doc.province}")
            got = [r.model_dump(exclude={"confidence"}) for r in doc.summary_rows]
            if got != table["rows"]:
                problems.append(f"{rel}: summary rows {got} != {table['rows']}")
            continue
        truth = json.loads((demo / "truth" / "filings" / f"{entry['filing']}.json").read_text(encoding="utf-8"))
        got = {k: f.value for k, f in doc.fields.items()}
        if entry["role"] == "equipment":
            want_kind = DocKind.EQUIPMENT_TABLE
            want = {k: truth["fields"][k] for k in ("platform_name", "uscc")}
        else:
            want_kind = DocKind.INFO_SHEET
            want = truth["fields"]
        if doc.kind is not want_kind:
            problems.append(f"{rel}: kind {doc.kind} != {want_kind}")
        for key in sorted(set(want) | set(got)):
            if key in PERSONAL and key in got and key in want:
                ok = _personal_matches(key, got[key], truth)
            else:
                ok = got.get(key) == want.get(key)
            if not ok:
                problems.append(f"{rel}: {key} read {got.get(key)!r}, truth {want.get(key)!r}")
        if doc.flags:
            problems.append(f"{rel}: unexpected flags {[f.message for f in doc.flags]}")
        if doc.equipment:
            rows = [e.model_dump(exclude={"confidence"}) for e in doc.equipment]
            if rows != truth["equipment"]:
                problems.append(f"{rel}: equipment {rows} != {truth['equipment']}")
        elif entry["role"] == "equipment" or not any(c.startswith("equipment_") for c in entry.get("conditions", [])):
            problems.append(f"{rel}: no equipment rows read")
    assert checked >= 5, f"only {checked} xlsx/text_pdf files in the demo batch"
    assert problems == []
