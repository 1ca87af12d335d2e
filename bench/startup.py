"""Measure the Prefect flow's start-up cost: the same tiny batch through the flow and through
the plain pipeline functions, in fresh processes (cold and warm Prefect state).

    python bench/startup.py [--runs 3]

Prints seconds per run and the flow's overhead (flow − plain).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = r"""
import sys, tempfile
from pathlib import Path
from extractors.ingest import collect
from pilot_intake.pipeline import Services, analyse_source, assemble_batch
from pilot_intake.settings import Settings
from extractors.ingest import Quarantine
s = Settings(workers=1)
services = Services.build(s)
with tempfile.TemporaryDirectory() as w:
    files = collect(Path(sys.argv[1]), Path(w), s)
    outs = [analyse_source(src, Path(w), services) for src in files.sources]
    docs = [o for o in outs if not isinstance(o, Quarantine)]
    assemble_batch(docs, files.quarantined + [o for o in outs if isinstance(o, Quarantine)], services)
"""


def make_batch(root: Path) -> Path:
    from openpyxl import Workbook

    batch = root / "batch"
    batch.mkdir()
    wb = Workbook()
    ws = wb.active
    for row in [("储备中试平台申报信息表", None), ("平台名称", "基准测试中试平台"), ("统一社会信用代码", "91440101MA5CXXXX0X")]:
        ws.append(row)
    wb.save(batch / "a.xlsx")
    return batch


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        batch = make_batch(root)
        env = dict(os.environ, XDG_CACHE_HOME=str(root / "cache"))
        exe = shutil.which("pilot-intake") or sys.exit("pilot-intake is not installed (pip install -e .)")
        flow_cmd = [exe, "process", str(batch), "--out", str(root / "out"), "--workers", "1"]
        plain_cmd = [sys.executable, "-c", PLAIN, str(batch)]
        cold = timed(flow_cmd, env)  # first run: Prefect creates and migrates its database
        warm = [timed(flow_cmd, env) for _ in range(args.runs)]
        plain = [timed(plain_cmd, env) for _ in range(args.runs)]
    w, p = statistics.median(warm), statistics.median(plain)
    print(f"flow, cold Prefect state : {cold:6.2f} s")
    print(f"flow, warm (median of {args.runs}) : {w:6.2f} s")
    print(f"plain functions (median) : {p:6.2f} s")
    print(f"flow start-up overhead   : {w - p:6.2f} s warm, {cold - p:6.2f} s cold (ratio flow/plain {w / p:.1f}x)")


if __name__ == "__main__":
    main()
