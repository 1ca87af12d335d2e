"""The command line: bad input never stops a batch; usage errors and missing programs get one line."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("faults")
    subprocess.run([sys.executable, "-m", "samples.generate", str(out), "--seed", "5", "--set", "faults"],
                   check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])
    return out


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def _accounted(records: list[dict]) -> list[str]:
    paths = []
    for rec in records:
        paths += [rec["path"]] if rec["kind"] == "quarantined" else [s["path"] for s in rec["sources"]]
    return sorted(paths)


def test_bad_files_are_quarantined_and_the_batch_goes_on(run_cli, faults, tmp_path):
    proc = run_cli("process", str(faults / "batch"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    records = _records(tmp_path / "out")
    manifest = json.loads((faults / "truth" / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert _accounted(records) == sorted(manifest)
    got = {r["path"]: r["reason"] for r in records if r["kind"] == "quarantined"}
    want = {p: f["reason"] for p, f in manifest.items() if f["fate"] == "quarantined"}
    assert got == want
    assert {"EMPTY", "UNREADABLE", "ENCRYPTED", "UNSUPPORTED_TYPE", "DUPLICATE"} <= set(got.values())
    assert [r["kind"] for r in records].count("filing") == 1


def test_zip_batch_gives_the_same_records_as_the_folder(run_cli, faults, tmp_path):
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((faults / "batch").rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(faults / "batch").as_posix())
    folder_out, zip_out = tmp_path / "f", tmp_path / "z"
    assert run_cli("process", str(faults / "batch"), "--out", str(folder_out)).returncode == 0
    assert run_cli("process", str(archive), "--out", str(zip_out)).returncode == 0
    assert _records(folder_out) == _records(zip_out)


def test_usage_error_is_one_line(run_cli, tmp_path):
    proc = run_cli("process", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "batch not found" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_missing_tesseract_says_how_to_install(run_cli, faults, tmp_path, monkeypatch):
    monkeypatch.setenv("PILOT_INTAKE_TESSERACT_CMD", "tesseract-not-installed")
    proc = run_cli("process", str(faults / "batch"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 3
    assert "apt-get install tesseract-ocr" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_command(run_cli, faults, tmp_path):
    out = tmp_path / "out"
    assert run_cli("process", str(faults / "batch"), "--out", str(out)).returncode == 0
    assert run_cli("validate", str(out / "records.jsonl")).returncode == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind": "quarantined", "path": "x", "sha256": null, "reason": "NOPE", "message": "m"}\n',
                   encoding="utf-8")
    proc = run_cli("validate", str(bad))
    assert proc.returncode == 1 and "line 1" in proc.stderr


def test_postgresql_and_sqlite_give_the_same_records(run_cli, faults, tmp_path):
    import os

    url = os.environ.get("PILOT_INTAKE_TEST_PG_URL")
    if not url:
        pytest.skip("PILOT_INTAKE_TEST_PG_URL is not set (scripts/test.sh starts a throwaway PostgreSQL)")
    sqlalchemy = pytest.importorskip("sqlalchemy")
    # A database of this test's own, so reruns and other tests do not share state.
    name = "pilot_e2e_" + os.urandom(4).hex()
    admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        pg_url = url.rsplit("/", 1)[0] + "/" + name
        pg_out, lite_out = tmp_path / "pg", tmp_path / "lite"
        assert run_cli("process", str(faults / "batch"), "--out", str(pg_out), "--db", pg_url).returncode == 0
        assert run_cli("process", str(faults / "batch"), "--out", str(pg_out), "--db", pg_url).returncode == 0
        assert run_cli("process", str(faults / "batch"), "--out", str(lite_out)).returncode == 0
        assert (pg_out / "records.jsonl").read_bytes() == (lite_out / "records.jsonl").read_bytes()
        proc = run_cli("history", "91", "--db", pg_url)
        assert proc.returncode in (0, 2)  # '91' may name several platforms: a clear error, not a crash
        assert "Traceback" not in proc.stderr
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def test_history_shows_a_platform(run_cli, faults, tmp_path):
    out = tmp_path / "out"
    assert run_cli("process", str(faults / "batch"), "--out", str(out)).returncode == 0
    rec = next(r for r in _records(out) if r["kind"] == "filing")
    proc = run_cli("history", rec["fields"]["platform_name"], "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert rec["fields"]["platform_name"] in proc.stdout
