"""Shared fixtures: the demo batch processed once per test session through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "samples" / "demo"


@dataclass
class Run:
    out: Path
    proc: subprocess.CompletedProcess

    @property
    def records(self) -> list[dict]:
        return [json.loads(line) for line in (self.out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def cli_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(cache)  # Prefect's state for the test session only
    env.pop("PREFECT_API_URL", None)
    return env


@pytest.fixture(scope="session")
def prefect_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def run_cli(prefect_cache):
    def run(*args: str, check: bool = False) -> subprocess.CompletedProcess:
        exe = shutil.which("pilot-intake")
        cmd = [exe, *args] if exe else [sys.executable, "-m", "pilot_intake.cli", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=cli_env(prefect_cache), timeout=900)
        if check and proc.returncode != 0:
            raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stderr}")
        return proc

    return run


@pytest.fixture(scope="session")
def demo_truth() -> dict:
    manifest = json.loads((DEMO / "truth" / "manifest.json").read_text(encoding="utf-8"))
    filings = {}
    for path in sorted((DEMO / "truth" / "filings").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        filings[data["key"]] = data
    return {"manifest": manifest, "filings": filings}


@pytest.fixture(scope="session")
def demo_run(run_cli, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("demo-out")
    proc = run_cli("process", str(DEMO / "batch"), "--out", str(out),
                   "--registry", str(DEMO / "truth" / "registry.csv"), check=True)
    return Run(out=out, proc=proc)
