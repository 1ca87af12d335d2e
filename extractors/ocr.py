"""OCR engines behind one interface: an image file in, words with boxes and confidences out.

An engine is a small frozen object with `name` and `read(image, dpi) -> list[Word]`;
boxes are in the pixels of the image it was given, confidences 0..1. The tesseract
engine is the default; RapidOCR (PP-OCRv4, `pip install pilot-intake[ppocr]`) is
optional and imported only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pilot_intake.errors import MissingDependencyError
from pilot_intake.models import Word

from extractors import tesseract

ENGINES = ("tesseract", "rapidocr", "tesseract+rapidocr")


class OcrEngine(Protocol):
    name: str
    # True when read_fields is another engine's reading (see scan.reread_weak_cells).
    second_opinion: bool

    def read(self, image: Path, dpi: int | None = None) -> list[Word]:
        """Words of a whole page."""
        ...

    def read_fields(self, image: Path, dpi: int | None = None) -> list[Word]:
        """Words of a strip of field crops (table cells) stacked one above the other, read again with care."""
        ...


def is_cjk(ch: str) -> bool:
    """CJK ideographs and the full-width punctuation that sits between them."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3000 <= o <= 0x303F  # 、。〈〉《》「」【】〇
        or 0xFF00 <= o <= 0xFFEF  # full-width forms （）：，
        or 0xF900 <= o <= 0xFAFF
    )


@dataclass(frozen=True)
class TesseractEngine:
    cmd: str = "tesseract"
    lang: str = "chi_sim"
    psm: int = 6
    # Cell crops are read again with English added: chi_sim
    # alone misreads runs of Latin symbols such as the `****` of a masked phone.
    line_lang: str | None = None
    name: str = "tesseract"
    second_opinion: bool = False  # re-reads come from the same engine

    def read(self, image: Path, dpi: int | None = None) -> list[Word]:
        return self._read(image, dpi, self.lang, self.psm)

    def read_fields(self, image: Path, dpi: int | None = None) -> list[Word]:
        return self._read(image, dpi, self.line_lang or self.lang, 6)

    def _read(self, image: Path, dpi: int | None, lang: str, psm: int) -> list[Word]:
        words = tesseract.image_to_data(image, cmd=self.cmd, lang=lang, psm=psm, dpi=dpi)
        return [
            Word(
                text=w.text,
                bbox=(float(w.left), float(w.top), float(w.left + w.width), float(w.top + w.height)),
                conf=round(w.conf / 100.0, 4),
            )
            for w in words
        ]


def _split_line_box(text: str, box: list[list[float]], conf: float) -> list[Word]:
    """RapidOCR returns whole text lines; split them into characters-as-words by width.

    Layout pairing needs word-level boxes to find column gaps and cell membership;
    dividing the line box in proportion to character widths (CJK = 1, others = ½)
    is accurate enough for that.
    """
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    weights = [1.0 if is_cjk(c) else 0.55 for c in text]
    total = sum(weights) or 1.0
    out: list[Word] = []
    x = x0
    # Keep runs of non-CJK characters together (numbers, codes) as one word.
    run, run_w = "", 0.0
    for c, wt in zip(text, weights):
        if is_cjk(c) or c.isspace():
            if run:
                w = (x1 - x0) * run_w / total
                out.append(Word(text=run, bbox=(x, y0, x + w, y1), conf=conf))
                x += w
                run, run_w = "", 0.0
            w = (x1 - x0) * wt / total
            if not c.isspace():
                out.append(Word(text=c, bbox=(x, y0, x + w, y1), conf=conf))
            x += w
        else:
            run += c
            run_w += wt
    if run:
        out.append(Word(text=run, bbox=(x, y0, x1, y1), conf=conf))
    return out


class RapidOcrEngine:
    """PP-OCRv4 via rapidocr-onnxruntime (models ship inside the wheel).

    The models (~1 s to load) are loaded once per engine object, which the
    caller creates per run; onnxruntime sessions may be shared by threads.
    """

    name = "rapidocr"
    second_opinion = False

    def __init__(self) -> None:
        self._ocr = _rapidocr_instance()

    def read(self, image: Path, dpi: int | None = None) -> list[Word]:
        result, _ = self._ocr(str(image))
        words: list[Word] = []
        for box, text, score in result or []:
            words.extend(_split_line_box(text, box, float(score)))
        return words

    def read_fields(self, image: Path, dpi: int | None = None) -> list[Word]:
        return self.read(image, dpi)


@dataclass(frozen=True)
class HybridEngine:
    """Tesseract reads the page; weakly read cells get a second opinion from RapidOCR.

    RapidOCR is better on rare characters (瓷, 霁) but 3× slower per page, so it
    only sees the small strip of weak cells. Where the two engines disagree the
    caller keeps the second reading but does not trust it (`second_opinion`).
    """

    first: TesseractEngine
    second: RapidOcrEngine
    name: str = "tesseract+rapidocr"
    second_opinion: bool = True

    def read(self, image: Path, dpi: int | None = None) -> list[Word]:
        return self.first.read(image, dpi)

    def read_fields(self, image: Path, dpi: int | None = None) -> list[Word]:
        return self.second.read(image, dpi)


def _rapidocr_instance():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise MissingDependencyError(
            "the rapidocr engine needs rapidocr-onnxruntime",
            "install it with `pip install 'pilot-intake[ppocr]'` or `pip install rapidocr-onnxruntime`",
        ) from exc
    # One thread per session: pages already run in parallel, one per core.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


def rapid_model(engine: OcrEngine):
    """The RapidOCR model inside `engine`, if it has one, so other readers can share it."""
    if isinstance(engine, RapidOcrEngine):
        return engine._ocr
    if isinstance(engine, HybridEngine):
        return engine.second._ocr
    return None


def make_engine(name: str, *, tesseract_cmd: str = "tesseract", lang: str = "chi_sim") -> OcrEngine:
    """The engine called `name` (one of ENGINES), probed so it fails early with advice."""
    if name == "tesseract":
        tesseract.probe(tesseract_cmd, lang)
        line_lang = lang
        if "eng" not in lang.split("+"):
            try:
                tesseract.probe(tesseract_cmd, lang + "+eng")
                line_lang = lang + "+eng"
            except MissingDependencyError:
                pass  # without English data cells are re-read with `lang` alone
        return TesseractEngine(cmd=tesseract_cmd, lang=lang, line_lang=line_lang)
    if name == "rapidocr":
        return RapidOcrEngine()
    if name == "tesseract+rapidocr":
        first = make_engine("tesseract", tesseract_cmd=tesseract_cmd, lang=lang)
        return HybridEngine(first=first, second=RapidOcrEngine())  # type: ignore[arg-type]
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
