"""Throughput of our OCR stage against OCRmyPDF on the same scanned PDF.

    python bench/ocr_throughput.py [PDF] [--pages 20] [--jobs 2] [--skip-ocrmypdf]
    python bench/ocr_throughput.py PDF --pairs 8     # eight pairs, alternating which side goes first; median
    python bench/ocr_throughput.py --rss 10 100      # peak RSS of our stage at 10 and 100 pages
    python bench/ocr_throughput.py PDF --rss 10 100  # the same on the first 10 and 100 pages of PDF
    python bench/ocr_throughput.py PDF --tesseract-cli   # tesseract binary per call (the old path)

Our stage = `extractors.scan.extract_scan(..., workers=JOBS)`: render, prepare,
OCR (tesseract, OMP_THREAD_LIMIT=1 per process), layout and fields.
OCRmyPDF = `ocrmypdf -l chi_sim --jobs JOBS --sidecar OUT.txt IN.pdf OUT.pdf`.
Each runs in its own process; the script prints seconds, pages/s and the ratio.
Without PDF, a dense synthetic PDF is built (bench/ocr_pages_pdf.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stage_only(pdf: Path, jobs: int, engine_name: str | None, resident: bool, pages: int | None = None,
               recall: bool = True) -> None:
    """Child mode: run our stage once and print JSON with time and peak RSS."""
    sys.path.insert(0, str(ROOT))
    from pilot_intake.models import FileType, SourceFile
    from pilot_intake.settings import Settings

    from extractors.ocr import make_engine
    from extractors.scan import default_engine_name, extract_scan

    data = pdf.read_bytes()
    src = SourceFile(path=pdf.name, abs_path=pdf, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                     file_type=FileType.PDF)
    with tempfile.TemporaryDirectory() as work:
        t0 = time.perf_counter()
        settings = Settings(workers=jobs, recall_labels=recall)
        engine = make_engine(engine_name or default_engine_name(), tesseract_cmd=settings.tesseract_cmd,
                             lang=settings.ocr_lang, resident=resident, runtime=settings.ocr_runtime,
                             streams=jobs)
        doc = extract_scan(src, Path(work), settings, workers=jobs, engine=engine, page_count=pages)
        secs = time.perf_counter() - t0
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({
        "pages": len(doc.pages),
        "seconds": secs,
        # CPU seconds (this process + tesseract subprocesses): steadier than wall time on a shared machine.
        "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


def run_ours(pdf: Path, jobs: int, engine: str | None, cli: bool = False, pages: int | None = None,
             recall: bool = True) -> dict:
    extra = (["--ocr-engine", engine] if engine else []) + (["--tesseract-cli"] if cli else []) + (
        ["--pages", str(pages)] if pages else []) + ([] if recall else ["--no-recall-labels"])
    out = subprocess.run([sys.executable, __file__, "--stage-only", str(pdf), "--jobs", str(jobs), *extra],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_ocrmypdf(pdf: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of ocrmypdf and its children)."""
    exe = shutil.which("ocrmypdf") or shutil.which("ocrmypdf", path=str(Path(sys.executable).parent))
    if exe is None:
        raise SystemExit("ocrmypdf is not installed: pip install 'pilot-intake[bench]'")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        subprocess.run([exe, "-l", "chi_sim", "--jobs", str(jobs), "--sidecar", f"{tmp}/out.txt", str(pdf),
                        f"{tmp}/out.pdf"], check=True, capture_output=True)
        secs = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return secs, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdf", nargs="?", type=Path)
    ap.add_argument("--pages", type=int, help="pages of the built PDF (default 20)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--ocr-engine", help="tesseract, rapidocr or tesseract+rapidocr (default: extract_scan's)")
    ap.add_argument("--tesseract-cli", action="store_true",
                    help="run the tesseract binary per call instead of the resident library")
    ap.add_argument("--no-recall-labels", action="store_true",
                    help="OCR every label cell afresh (Settings.recall_labels off; for A/B runs)")
    ap.add_argument("--stage-only", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--rss", type=int, nargs="+", metavar="PAGES", help="peak RSS of our stage at these page counts")
    ap.add_argument("--pairs", type=int, default=1,
                    help="back-to-back pairs to run, alternating which side goes first; prints the median ratio")
    a = ap.parse_args()
    if a.stage_only:
        stage_only(a.stage_only, a.jobs, a.ocr_engine, resident=not a.tesseract_cli,
                   pages=a.pages, recall=not a.no_recall_labels)
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from ocr_pages_pdf import build

    with tempfile.TemporaryDirectory() as tmp:
        if a.rss:
            for n in a.rss:
                pdf = a.pdf or build(Path(tmp) / f"rss{n}.pdf", n)
                load = _load()
                r = run_ours(pdf, a.jobs, a.ocr_engine, a.tesseract_cli, pages=n if a.pdf else None,
                             recall=not a.no_recall_labels)
                print(f"{r['pages']:4d} pages: {r['seconds']:7.1f} s  CPU {r['cpu_s']:6.1f} s  "
                      f"peak RSS python {r['rss_self_mb']:.0f} MB, largest child {r['rss_children_mb']:.0f} MB  "
                      f"(load before {load}, after {_load()})")
            return
        pdf = a.pdf or build(Path(tmp) / "bench.pdf", a.pages or 20)
        if a.pairs > 1 and a.skip_ocrmypdf:
            raise SystemExit("--pairs needs OCRmyPDF: leave out --skip-ocrmypdf")
        ratios, cpu_ratios = [], []
        for k in range(a.pairs):
            if a.pairs > 1:
                print(f"-- pair {k + 1} of {a.pairs}")
            # Alternate which side runs first: this VM's speed drifts within minutes.
            ocrmypdf_first = not a.skip_ocrmypdf and k % 2 == 1
            theirs = run_ocrmypdf(pdf, a.jobs) if ocrmypdf_first else None
            ours = run_ours(pdf, a.jobs, a.ocr_engine, a.tesseract_cli, recall=not a.no_recall_labels)
            n = ours["pages"]
            print(f"pages: {n}, jobs: {a.jobs}, engine: {a.ocr_engine or 'default'}, "
                  f"labels recalled: {'off' if a.no_recall_labels else 'on'}"
                  f"{' (tesseract CLI per call)' if a.tesseract_cli else ''}, load before: {_load()}")
            print(f"ours      {ours['seconds']:7.1f} s  {n / ours['seconds']:.3f} pages/s  "
                  f"CPU {ours['cpu_s']:6.1f} s  (peak RSS {ours['rss_self_mb']:.0f} MB)")
            if a.skip_ocrmypdf:
                continue
            secs, cpu = theirs or run_ocrmypdf(pdf, a.jobs)
            ratios.append(secs / ours["seconds"])
            cpu_ratios.append(cpu / ours["cpu_s"])
            print(f"ocrmypdf  {secs:7.1f} s  {n / secs:.3f} pages/s  CPU {cpu:6.1f} s"
                  f"{'  (ran first)' if ocrmypdf_first else ''}")
            print(f"ratio (ours / ocrmypdf, pages/s): {ratios[-1]:.2f}x   "
                  f"(CPU seconds: {cpu_ratios[-1]:.2f}x)   load after: {_load()}")
        if len(ratios) > 1:
            print(f"over {len(ratios)} pairs: ratio {min(ratios):.2f}-{max(ratios):.2f}x, "
                  f"median {statistics.median(ratios):.2f}x; CPU-second ratio median "
                  f"{statistics.median(cpu_ratios):.2f}x; ours above OCRmyPDF in "
                  f"{sum(r >= 1.0 for r in ratios)} of {len(ratios)}")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    main()
