"""Compare OCR engines on the same pages: field accuracy, unflagged errors, seconds per page.

    python bench/ocr_engines.py [--engines tesseract rapidocr] [--conditions clean300 degraded ...]

Pages are information sheets drawn with tests/ocr/ocr_pages.py (known values),
pressed with a red seal over the figures and degraded per condition; each is
read with `extract_scan(..., engine=...)`. "unflagged" counts fields whose value
is wrong but that carry no LOW_CONFIDENCE flag (the dangerous kind of error).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ocr"))

from ocr_pages import PageSpec, degrade, render_page, stamp  # noqa: E402

from pilot_intake.models import FileType, FlagCode, SourceFile  # noqa: E402
from pilot_intake.settings import Settings  # noqa: E402

TRUTH = {
    "platform_name": "华南先进材料中试平台",
    "host_unit": "广州新材科技股份有限公司",
    "uscc": "91440101MA5CXY4R2K",
    "city": "广州市",
    "equipment_value_wan": 1250.5,
    "fulltime_staff": 12,
    "contact_phone": "138****5678",
    "has_roadmap": True,
    "fill_date": "2026-12-28",
}

# name: (dpi, seal centre mm or None, degrade kwargs)
CONDITIONS = {
    "clean300": (300, None, {}),
    "sealed300": (300, (120, 100), {}),
    "degraded": (150, (120, 100), {"skew": 2.5, "noise": 12, "jpeg_quality": 55}),
    "gray_seal": (200, (115, 95), {"gray": True, "jpeg_quality": 60, "skew": -1.0}),
    "upside_down": (200, None, {"rotate180": True, "gray": True, "jpeg_quality": 60}),
    "bw": (200, None, {"bilevel": True, "skew": 1.0}),
}


def make_page(tmp: Path, name: str) -> Path:
    dpi, seal, kw = CONDITIONS[name]
    page = render_page(tmp / f"{name}-base.png", PageSpec(), dpi=dpi)
    if seal:
        page = stamp(page, tmp / f"{name}-seal.png", seal, dpi)
    return degrade(page, tmp / (name + (".jpg" if kw.get("jpeg_quality") else ".png")), **kw)


def score(doc) -> tuple[int, int]:
    """(right, wrong-and-unflagged) over TRUTH."""
    low = {f.field for f in doc.flags if f.code == FlagCode.LOW_CONFIDENCE}
    right = unflagged = 0
    for key, want in TRUTH.items():
        fv = doc.fields.get(key)
        if fv is not None and fv.value == want:
            right += 1
        elif fv is not None and key not in low and fv.error is None:
            unflagged += 1
    return right, unflagged


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", nargs="+", default=["tesseract", "rapidocr"])
    ap.add_argument("--conditions", nargs="+", default=list(CONDITIONS))
    a = ap.parse_args()

    from extractors.ocr import make_engine
    from extractors.scan import extract_scan

    settings = Settings(workers=1)
    with tempfile.TemporaryDirectory() as tmp:
        pages = {c: make_page(Path(tmp), c) for c in a.conditions}
        print(f"{'engine':10s} {'condition':12s} {'fields':>7s} {'unflagged':>9s} {'s/page':>7s}")
        for name in a.engines:
            engine = make_engine(name, tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang,
                                 runtime=settings.ocr_runtime)
            tot_right = tot_unflagged = 0
            tot_secs = 0.0
            for cond, path in pages.items():
                data = path.read_bytes()
                src = SourceFile(path=path.name, abs_path=path, sha256=hashlib.sha256(data).hexdigest(),
                                 size=len(data), file_type=FileType.JPEG if path.suffix == ".jpg" else FileType.PNG)
                t0 = time.perf_counter()
                doc = extract_scan(src, Path(tmp) / f"w-{name}-{cond}", settings, engine=engine)
                secs = time.perf_counter() - t0
                right, unflagged = score(doc)
                tot_right += right
                tot_unflagged += unflagged
                tot_secs += secs
                print(f"{name:10s} {cond:12s} {right:3d}/{len(TRUTH):<3d} {unflagged:9d} {secs:7.1f}")
            n = len(pages)
            print(f"{name:10s} {'ALL':12s} {100 * tot_right / (n * len(TRUTH)):6.1f}% {tot_unflagged:9d} "
                  f"{tot_secs / n:7.1f}")


if __name__ == "__main__":
    main()
