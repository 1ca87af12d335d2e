"""Leak check: look for raw personal values in every output file under OUT_DIR.

Each file is read every way a reader could read it: as text (JSON, CSV …), as the
XML inside an xlsx, as PDF text layers and metadata, as OCR of every page image
(tesseract), and as raw bytes (SQLite stores, anything else). Values are compared
on a normalised key (NFKC, no spaces or separators, OCR digit lookalikes fixed),
so `138 1234 5678` and `１３８１２３４５６７８` count as `13812345678`.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

from pilot_intake.errors import MissingDependencyError, RedactionError
from redaction.masking import display_mask
from redaction.normalize import compact_key

TEXT_SUFFIXES = {".json", ".jsonl", ".csv", ".tsv", ".txt", ".md", ".log", ".html", ".xml", ".yaml", ".yml"}
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".zip"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


@dataclass(frozen=True)
class Leak:
    file: str  # path relative to OUT_DIR
    where: str  # how it was read: "text", "xlsx xl/sharedStrings.xml", "pdf page 2 OCR", "bytes" …
    value: str  # the leaked value, masked for display


@dataclass(frozen=True)
class _Needle:
    raw: str
    key: str


def leakcheck(out_dir: Path, values: Iterable[str], *, tesseract_cmd: str = "tesseract", lang: str = "chi_sim",
              ocr: bool = True, ocr_dpi: int = 300) -> list[Leak]:
    """Every place under `out_dir` where one of `values` can be read. Empty list = clean."""
    needles = [_Needle(v.strip(), compact_key(v)) for v in values if v and v.strip()]
    needles = [n for n in needles if len(n.key) >= 2]
    if not needles:
        return []
    leaks: list[Leak] = []
    for path in sorted(p for p in Path(out_dir).rglob("*") if p.is_file()):
        rel = path.relative_to(out_dir).as_posix()
        for where, text in _readings(path, tesseract_cmd=tesseract_cmd, lang=lang, ocr=ocr, ocr_dpi=ocr_dpi):
            hay = compact_key(text)
            for n in needles:
                if n.key in hay:
                    leaks.append(Leak(rel, where, display_mask(n.raw)))
        raw = path.read_bytes()
        for n in needles:
            if any(enc in raw for enc in _encodings(n.raw)):
                leaks.append(Leak(rel, "bytes", display_mask(n.raw)))
    return sorted(set(leaks), key=lambda lk: (lk.file, lk.where, lk.value))


def _encodings(value: str) -> list[bytes]:
    v = value.strip()
    out = [v.encode("utf-8"), v.encode("utf-16-le"), v.encode("utf-16-be")]
    return [b for b in out if len(b) >= 4]


def _readings(path: Path, *, tesseract_cmd: str, lang: str, ocr: bool, ocr_dpi: int):
    """(where, text) for every way the file can be read."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        text = path.read_text("utf-8", errors="replace")
        yield "text", html.unescape(text) if suffix in (".xml", ".html") else text
        if suffix in (".json", ".jsonl"):
            yield "json (decoded)", _decoded_json(text)
    elif suffix in ZIP_SUFFIXES:
        yield from _zip_readings(path)
    elif suffix == ".pdf":
        yield from _pdf_readings(path, tesseract_cmd=tesseract_cmd, lang=lang, ocr=ocr, ocr_dpi=ocr_dpi)
    elif suffix in IMAGE_SUFFIXES and ocr:
        yield "image OCR", ocr_image(path, tesseract_cmd=tesseract_cmd, lang=lang)


def _decoded_json(text: str) -> str:
    """JSON with \\uXXXX escapes decoded (ensure_ascii output would hide CJK names)."""
    parts = []
    for line in text.splitlines():
        try:
            parts.append(json.dumps(json.loads(line), ensure_ascii=False))
        except ValueError:
            continue
    if not parts:
        try:
            parts.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            pass
    return "\n".join(parts)


def _zip_readings(path: Path):
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                # openpyxl writes CJK as numeric character references (&#24352;): unescape first.
                yield f"zip member {info.filename}", html.unescape(zf.read(info).decode("utf-8", errors="replace"))
    except zipfile.BadZipFile:
        return


def _pdf_readings(path: Path, *, tesseract_cmd: str, lang: str, ocr: bool, ocr_dpi: int):
    try:
        with pikepdf.open(path) as pdf:
            info = {str(k): str(v) for k, v in pdf.docinfo.items()} if "/Info" in pdf.trailer else {}
            yield "pdf metadata", " ".join(info.values())
            if "/Metadata" in pdf.Root:
                yield "pdf XMP", pdf.Root.Metadata.read_bytes().decode("utf-8", errors="replace")
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Stream):
                    try:
                        data = obj.read_bytes()
                    except pikepdf.PdfError:
                        continue
                    if obj.get("/Subtype") != "/Image":
                        yield "pdf stream", data.decode("utf-8", errors="replace") + data.decode("utf-16-be", errors="replace")
    except pikepdf.PdfError as exc:
        raise RedactionError(f"leak check cannot open {path.name}: {exc}") from exc
    doc = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            yield f"pdf page {i + 1} text layer", textpage.get_text_range()
            if ocr:
                image = page.render(scale=ocr_dpi / 72).to_pil()
                with tempfile.TemporaryDirectory() as tmp:
                    png = Path(tmp) / "page.png"
                    image.save(png)
                    yield f"pdf page {i + 1} OCR", ocr_image(png, tesseract_cmd=tesseract_cmd, lang=lang)
    finally:
        doc.close()


def ocr_image(image: Path, *, tesseract_cmd: str = "tesseract", lang: str = "chi_sim", psm: int = 6) -> str:
    """Plain tesseract text of an image."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    try:
        done = subprocess.run([tesseract_cmd, str(image), "stdout", "-l", lang, "--psm", str(psm)],
                              capture_output=True, env=env, timeout=300, check=False)
    except FileNotFoundError as exc:
        raise MissingDependencyError("tesseract", "install it: apt-get install tesseract-ocr tesseract-ocr-chi-sim") from exc
    if done.returncode != 0:
        raise RedactionError(f"tesseract failed on {image.name}: {done.stderr.decode(errors='replace')[:200]}")
    return done.stdout.decode("utf-8", errors="replace")


def load_values(path: Path) -> list[str]:
    """Raw values to look for: one per line, or a JSON list, or truth files (their `raw_personal`)."""
    text = Path(path).read_text("utf-8")
    if Path(path).suffix.lower() == ".json":
        return _strings(json.loads(text))
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def truth_values(truth_dir: Path) -> list[str]:
    """Every `raw_personal` value of a sample batch's truth (OUT/truth/filings/*.json)."""
    out: list[str] = []
    for p in sorted(Path(truth_dir).glob("**/*.json")):
        data = json.loads(p.read_text("utf-8"))
        if isinstance(data, dict) and isinstance(data.get("raw_personal"), dict):
            out += _strings(data["raw_personal"])
    return sorted(set(out))


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        if "raw_personal" in obj:
            return _strings(obj["raw_personal"])
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []
