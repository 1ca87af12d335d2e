"""Field accuracy of extraction against ground truth, by source type and by field.

    python bench/ocr_eval.py SAMPLE_DIR [--ocr-engine tesseract|rapidocr] [--workers 2] [--only scan]
    python bench/ocr_eval.py --generate degraded --seed 7 [...]   # generate into a temp folder first
    python bench/ocr_eval.py DIR --only scan --ocr-cache /tmp/ocr-cache   # reuse engine readings

`--ocr-cache DIR` keeps each engine reading on disk, keyed by the exact bytes of
the image the engine was given (and engine, call, dpi): a rerun after a change
to layout, parsing or confidence costs only page preparation, and a change to
page preparation changes the image, so it is read afresh. Timings of a cached
run are not OCR timings.

SAMPLE_DIR is the output of `python -m samples.generate OUT --seed N --set NAME`
(OUT/batch + OUT/truth). Every file the manifest marks as part of a filing is
read by its extractor (xlsx, born-digital PDF, or OCR for scans) and each field
it yields is compared with the truth:

- expected value: `scan_fields` for a scan that shows a different value, the raw
  value for a scan printed with raw personal data, else the filing's `fields`;
- text is compared after NFKC normalisation and without spaces, numbers within 0.01;
- a field the truth marks as smudged on that file is not scored for accuracy,
  only for being flagged.

Source types: xlsx, born-digital, clean scan, degraded scan (a scan whose
conditions include skew, rotation, grayscale, black-and-white, photocopy noise,
seal over numbers or JPEG, or any scan of the `degraded` set). Scores are per
page-image file: multi-file scans (x_p1.jpg, x_p2.jpg) are scored per file on
the fields that file carries. "wrong+unflagged" counts wrong values without
LOW_CONFIDENCE or INVALID_VALUE: the errors a reviewer would not be pointed to.
Accuracy counts the fields read; "not read" counts the fields a whole-document
file (a data file or a scanned PDF; not the pages of a scan sent as one image per
page) should carry and did not yield (the pipeline reports those as MISSING_FIELD).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pilot_intake.models import ExtractedDoc, FlagCode, SourceFile  # noqa: E402
from pilot_intake.settings import Settings  # noqa: E402

PERSONAL = {"legal_rep", "contact_name", "contact_phone", "contact_email", "tech_leader"}
DEGRADING = {"skew", "rotated_180", "grayscale", "black_white", "photocopy_noise", "seal_over_numbers", "jpeg"}


def source_type(entry: dict, set_name: str) -> str:
    medium = entry.get("medium")
    if medium == "xlsx":
        return "xlsx"
    if medium == "text_pdf":
        return "born-digital"
    conds = set(entry.get("conditions", []))
    for p in entry.get("pages", []):
        conds |= set(p.get("conditions", []))
    degraded = set_name == "degraded" or any(c.split(":")[0] in DEGRADING or c.startswith("jpeg") for c in conds)
    return "degraded scan" if degraded else "clean scan"


def norm(v):
    if isinstance(v, str):
        return unicodedata.normalize("NFKC", v).replace(" ", "")
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def same(got, want) -> bool:
    if isinstance(want, float) or isinstance(got, float):
        try:
            return abs(float(got) - float(want)) < 0.01
        except (TypeError, ValueError):
            return False
    return norm(got) == norm(want)


def expected_fields(filing: dict, entry: dict) -> tuple[dict, set[str]]:
    """(key → expected value on this file, keys smudged on this file)."""
    want = dict(filing["fields"])
    conds = set(entry.get("conditions", []))
    for p in entry.get("pages", []):
        conds |= set(p.get("conditions", []))
    if entry.get("medium") == "scan":
        want.update(filing.get("scan_fields", {}))
    if "raw_personal_data" in conds:
        for k, raw in filing.get("raw_personal", {}).items():
            if k in want:
                want[k] = raw
    smudged = {c.split(":", 1)[1] for c in conds if c.startswith("smudged:")}
    return want, smudged


def extract(path: Path, rel: str, medium: str, work: Path, settings: Settings, engine, workers: int,
            printed=None) -> ExtractedDoc:
    from extractors.ingest import sniff

    data = path.read_bytes()
    src = SourceFile(path=rel, abs_path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                     file_type=sniff(path))
    if medium == "xlsx":
        from extractors.xlsx import extract_xlsx

        return extract_xlsx(src)
    if medium == "text_pdf":
        from extractors.pdf import extract_text_pdf, inspect_pdf

        return extract_text_pdf(src, inspect_pdf(path, max_pages=settings.max_pdf_pages))
    from extractors.scan import extract_scan

    return extract_scan(src, work, settings, workers=workers, engine=engine, printed=printed)


class CachedEngine:
    """An OCR engine whose readings are kept on disk by image content (development runs only)."""

    def __init__(self, engine, cache: Path):
        self._engine, self._cache = engine, cache
        self.name = engine.name
        self.second_opinion = getattr(engine, "second_opinion", False)
        cache.mkdir(parents=True, exist_ok=True)

    def _cached(self, call: str, image, dpi):
        from pilot_intake.models import Word

        data = Path(image).read_bytes() if isinstance(image, (str, Path)) else (
            f"{image.shape}/{image.dtype}".encode() + image.tobytes())
        key = hashlib.sha256(f"{self.name}/{call}/{dpi}/".encode() + data).hexdigest()
        path = self._cache / f"{call}-{key}.json"  # by call: a changed re-read can drop its own entries
        if path.exists():
            return [Word(**w) for w in json.loads(path.read_text())]
        words = getattr(self._engine, call)(image, dpi)
        path.write_text(json.dumps([w.model_dump(mode="json") for w in words], ensure_ascii=False))
        return words

    def read(self, image, dpi=None):
        return self._cached("read", image, dpi)

    def read_fields(self, image, dpi=None):
        return self._cached("read_fields", image, dpi)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sample_dir", nargs="?", type=Path)
    ap.add_argument("--generate", metavar="SET", help="generate this set into a temp folder first")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--ocr-engine", default="tesseract")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", choices=["xlsx", "text_pdf", "scan"], help="read only files of this medium")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every wrong field")
    ap.add_argument("--flagged", action="store_true", help="also print every right value that was flagged")
    ap.add_argument("--ocr-cache", type=Path, metavar="DIR", help="keep engine readings in DIR (see above)")
    ap.add_argument("--no-recall-labels", action="store_true",
                    help="OCR every label cell afresh (Settings.recall_labels off; for A/B runs)")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sample = a.sample_dir
        if a.generate:
            sample = Path(tmp) / "sample"
            subprocess.run([sys.executable, "-m", "samples.generate", str(sample), "--seed", str(a.seed),
                            "--set", a.generate], check=True, cwd=ROOT)
        if sample is None:
            ap.error("give SAMPLE_DIR or --generate SET")
        run(sample, Path(tmp), a)


def run(sample: Path, tmp: Path, a) -> None:
    from extractors.ocr import make_engine

    manifest = json.loads((sample / "truth" / "manifest.json").read_text())
    set_name = manifest.get("set", "")
    from extractors.printed import PrintedLabels

    settings = Settings(workers=a.workers, recall_labels=not a.no_recall_labels)
    # One for the whole set, as the batch flow shares one; files are read in path order.
    printed = PrintedLabels() if settings.recall_labels else None
    engine = make_engine(a.ocr_engine, tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang,
                         runtime=settings.ocr_runtime, streams=settings.workers)
    if a.ocr_cache:
        engine = CachedEngine(engine, a.ocr_cache)
    # right, total, wrong+unflagged, right-but-flagged
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    smudge_flagged = [0, 0]
    # Fields a whole-document file (not one page of a multi-file scan) should carry but did not yield.
    not_read: dict[str, list[str]] = defaultdict(list)
    secs: dict[str, float] = defaultdict(float)
    pages: dict[str, int] = defaultdict(int)
    wrong: list[str] = []
    right_flagged: list[str] = []
    for rel, entry in sorted(manifest["files"].items()):
        if entry.get("fate") != "filing" or (a.only and entry.get("medium") != a.only):
            continue
        filing = json.loads((sample / "truth" / "filings" / f"{entry['filing']}.json").read_text())
        kind = source_type(entry, set_name)
        t0 = time.perf_counter()
        doc = extract(sample / "batch" / rel, rel, entry["medium"], tmp / hashlib.md5(rel.encode()).hexdigest(),
                      settings, engine, a.workers, printed)
        secs[kind] += time.perf_counter() - t0
        pages[kind] += max(1, len(doc.pages))
        want, smudged = expected_fields(filing, entry)
        flagged = {f.field for f in doc.flags if f.code in (FlagCode.LOW_CONFIDENCE, FlagCode.INVALID_VALUE)}
        if entry.get("role") in ("data", "scan") and not (entry.get("medium") == "scan" and len(entry.get("pages", [])) == 1):
            not_read[kind] += [f"{rel}: {k}" for k in sorted(set(want) - smudged - set(doc.fields))]
        for key, fv in doc.fields.items():
            if key in smudged:
                smudge_flagged[1] += 1
                smudge_flagged[0] += key in flagged or fv.value is None
                continue
            if key not in want:
                continue
            ok = same(fv.value, want[key])
            unflagged = not ok and key not in flagged
            for bucket in (by_type[kind], by_field[key]):
                bucket[0] += ok
                bucket[1] += 1
                bucket[2] += unflagged
                bucket[3] += ok and key in flagged
            if ok and key in flagged:
                right_flagged.append(f"{kind:14s} {rel}: {key} = {fv.raw!r}, conf {fv.confidence:.2f}")
            if not ok:
                wrong.append(f"{kind:14s} {rel}: {key} = {fv.raw!r} → {fv.value!r}, want {want[key]!r}, "
                             f"conf {fv.confidence:.2f}{'' if unflagged else ' (flagged)'}")

    print(f"set {set_name or '?'}, engine {a.ocr_engine}, workers {a.workers}, "
          f"label cells recalled: {printed.recalled if printed is not None else 'off'}")
    print(f"{'source type':16s} {'accuracy':>9s} {'fields':>7s} {'wrong+unflagged':>16s} {'right+flagged':>14s} "
          f"{'s/page':>7s} {'not read':>9s}")
    for kind in ("xlsx", "born-digital", "clean scan", "degraded scan"):
        if kind in by_type:
            r, n, u, f = by_type[kind]
            print(f"{kind:16s} {100 * r / n:8.1f}% {n:7d} {u:16d} {f:14d} {secs[kind] / pages[kind]:7.2f}"
                  f" {len(not_read[kind]):9d}")
    print(f"\n{'field':24s} {'accuracy':>9s} {'n':>4s} {'wrong+unflagged':>16s} {'right+flagged':>14s}")
    for key in sorted(by_field):
        r, n, u, f = by_field[key]
        print(f"{key:24s} {100 * r / n:8.1f}% {n:4d} {u:16d} {f:14d}")
    if smudge_flagged[1]:
        print(f"\nsmudged values flagged or left empty: {smudge_flagged[0]}/{smudge_flagged[1]}")
    if a.verbose and any(not_read.values()):
        print("\nfields not read (whole-document files):")
        print("\n".join(f"{kind:14s} {x}" for kind, xs in not_read.items() for x in xs))
    if a.verbose and wrong:
        print("\nwrong values:")
        print("\n".join(wrong))
    if a.flagged and right_flagged:
        print("\nright values flagged:")
        print("\n".join(right_flagged))


if __name__ == "__main__":
    main()
