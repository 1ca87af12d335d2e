"""OCR engines behind one interface: a page image in, words with boxes and confidences out.

An engine is a small frozen object with `name` and `read(image, dpi) -> list[Word]`;
`image` is an image file or an 8-bit numpy array (gray, or BGR as OpenCV holds it);
boxes are in the pixels of that image, confidences 0..1. The tesseract engine is
the default; it keeps its models loaded in the process (`tess_capi`) when the
system's libtesseract is there, else it runs the `tesseract` binary per call.
RapidOCR (PP-OCRv4, `pip install pilot-intake[ppocr]`) is optional and imported
only when asked for.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Union

import cv2
import numpy as np
from PIL import Image

from pilot_intake.errors import MissingDependencyError
from pilot_intake.models import Word

from extractors import tesseract

log = logging.getLogger(__name__)

# What an engine reads: a file, or the image already in memory (no PNG round trip).
ImageIn = Union[Path, np.ndarray]

ENGINES = ("tesseract", "rapidocr", "tesseract+rapidocr")


class OcrEngine(Protocol):
    name: str
    # True when read_fields is another engine's reading (see scan.reread_weak_cells).
    second_opinion: bool

    def read(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        """Words of a whole page."""
        ...

    def read_fields(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
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


# Tesseract 5 reads every weakly recognised line a second time, inverted, in case it is
# white on black. Our OCR images are binarised black on white, so the inverted
# reading never wins: off, the words were identical on 5 test pages (clean and
# degraded) and the page pass cost 11 % less CPU (docs/ocr-speed.md). Both paths
# (library and CLI) get the same parameters, so they give the same words.
TESS_PARAMS: tuple[tuple[str, str], ...] = (("tessedit_do_invert", "0"),)


class ResidentTesseract:
    """Loaded tesseract models, one pool of handles per language string (see tess_capi)."""

    def __init__(self) -> None:
        from extractors import tess_capi

        self._capi = tess_capi
        self.version = tess_capi.version()
        self._pools: dict[str, object] = {}
        self._lock = threading.Lock()

    def pool(self, lang: str):
        with self._lock:
            if lang not in self._pools:
                self._pools[lang] = self._capi.ApiPool(lang, variables=TESS_PARAMS)
            return self._pools[lang]

    def words(self, image: np.ndarray, *, lang: str, psm: int, dpi: int | None) -> list[tesseract.TsvWord]:
        with self.pool(lang).handle() as api:
            return tesseract.parse_tsv(api.tsv(image, psm=psm, dpi=dpi, timeout_s=tesseract.DEFAULT_TIMEOUT_S))

    def handles(self) -> int:
        return sum(p.size for p in self._pools.values())


_CLI_PARAMS = tuple(arg for name, value in TESS_PARAMS for arg in ("-c", f"{name}={value}"))


def _as_tesseract_input(image: ImageIn, dpi: int | None) -> tuple[np.ndarray, int | None]:
    """Gray or RGB pixels for libtesseract, and the dpi (the file's own when not given, as the CLI does)."""
    if isinstance(image, np.ndarray):
        if image.ndim == 3:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB)
        return image, dpi
    with Image.open(image) as im:
        if dpi is None and im.info.get("dpi"):
            dpi = int(round(float(im.info["dpi"][1]))) or None
        im = im.convert("L" if im.mode in ("L", "1", "I;16", "I") else "RGB")
        return np.asarray(im), dpi


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
    # Models kept loaded in this process; None: the `tesseract` binary per call.
    resident: ResidentTesseract | None = field(default=None, compare=False, repr=False)

    def read(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        return self._read(image, dpi, self.lang, self.psm)

    def read_fields(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        return self._read(image, dpi, self.line_lang or self.lang, 6)

    def _read(self, image: ImageIn, dpi: int | None, lang: str, psm: int) -> list[Word]:
        if self.resident is not None:
            pixels, dpi = _as_tesseract_input(image, dpi)
            words = self.resident.words(pixels, lang=lang, psm=psm, dpi=dpi)
        elif isinstance(image, np.ndarray):
            with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
                path = Path(tmp) / "image.png"
                cv2.imwrite(str(path), image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
                words = tesseract.image_to_data(path, cmd=self.cmd, lang=lang, psm=psm, dpi=dpi, extra=_CLI_PARAMS)
        else:
            words = tesseract.image_to_data(image, cmd=self.cmd, lang=lang, psm=psm, dpi=dpi, extra=_CLI_PARAMS)
        return [
            Word(
                text=w.text,
                bbox=(float(w.left), float(w.top), float(w.left + w.width), float(w.top + w.height)),
                conf=round(w.conf / 100.0, 4),
            )
            for w in words
        ]


# The recogniser reads a masking asterisk as a star now and then (林** as 林★*); no
# form value contains a star, and a star left in a masked name made it look unmasked.
STAR_LOOKALIKES = str.maketrans({"★": "*", "☆": "*", "✱": "*", "✳": "*", "⁎": "*"})


def char_width(ch: str) -> float:
    """A printed character's advance in CJK ems: an ideograph or full-width form 1, else about half."""
    return 1.0 if is_cjk(ch) else 0.55


def _split_line_box(text: str, box: list[list[float]], conf: float) -> list[Word]:
    """RapidOCR returns whole text lines; split them into characters-as-words by width.

    Layout pairing needs word-level boxes to find column gaps and cell membership;
    dividing the line box in proportion to character widths (CJK = 1, others = ½)
    is accurate enough for that.
    """
    text = text.translate(STAR_LOOKALIKES)
    xs = [p[0] for p in box]
    ys = [p[1] for p in box]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    weights = [char_width(c) for c in text]
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


def strip_lines(gray: np.ndarray, dpi: int | None = None) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text lines in a strip of cell crops (black on white).

    The crops are stacked one above the other with white between them, so a
    text line is a run of rows with ink. Runs at most 0.4 mm apart are one (日
    and 正 of a lone 是: 3 px at 300 dpi; lines are ≥ 1 mm apart); then runs
    closer than a fifth of a line height are one line (the strokes of 二) unless
    that makes it taller than a line and a half (two lines set tight). A run
    much thinner than a line is a speck or a rule remnant and is left out.
    """
    ink = gray < 128
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return []
    joined = max(3, round(0.4 * (dpi or 300) / 25.4))  # white rows that do not cut
    cuts = np.flatnonzero(np.diff(rows) > joined + 1)
    runs = [[int(a), int(b) + 1] for a, b in zip(np.r_[rows[0], rows[cuts + 1]], np.r_[rows[cuts], rows[-1]])]
    height = float(np.percentile([b - a for a, b in runs], 75))
    lines: list[list[int]] = []
    for run in runs:
        if lines and run[0] - lines[-1][1] <= 0.2 * height and run[1] - lines[-1][0] <= 1.6 * height:
            lines[-1][1] = run[1]
        else:
            lines.append(run)
    boxes = []
    for y0, y1 in lines:
        if y1 - y0 < 0.35 * height:
            continue
        # Along the line, pieces of ink apart by more than a line height: specks
        # (small in both directions) are left out, or the recogniser reads them as
        # a character (1,835万元 read 1,835万元個).
        band = ink[y0:y1]
        cols = np.flatnonzero(band.any(axis=0))
        gaps = np.flatnonzero(np.diff(cols) > (y1 - y0))
        kept = []
        for a, b in zip(np.r_[cols[0], cols[gaps + 1]], np.r_[cols[gaps], cols[-1]]):
            piece_rows = np.flatnonzero(band[:, a : b + 1].any(axis=1))
            if max(b + 1 - a, piece_rows[-1] + 1 - piece_rows[0]) >= 0.4 * (y1 - y0):
                kept.append((int(a), int(b) + 1))
        if kept:
            boxes.append((kept[0][0], y0, kept[-1][1], y1))
    return boxes


# White margin around a line for the recogniser, as fractions of its ink height: above and
# below, and at each end. Chosen among three tried on the demo and degraded seed 7
# (docs/ocr-speed.md); wider above and below turned 霁 into 雾.
LINE_FRAME = (0.1, 0.5)
# Tried in turn when a reading looks a character short (`em_shortfall`). The recogniser's
# CTC decoding now and then drops a rare character whole and stays sure of the rest
# (汕头市铖宇… read 汕头市宇… at 1.00: its score is the mean over the characters it kept);
# which framings do so changes from line to line.
REFRAMES = ((0.05, 0.25), (0.2, 1.0))
# A CJK glyph's advance over the ink height of a line of them (Noto and Song faces,
# printed and scanned: 1.03–1.06 on the evaluation sets' second-opinion lines).
EM_PER_INK_HEIGHT = 1.04
# Ink this many characters wider than the reading: one is probably missing. Readings
# that fit sat between -0.9 (full-width punctuation prints narrow) and +0.3; a dropped
# character left +0.9.
SHORT_BY_EM = 0.6


def _line_crop(gray: np.ndarray, box: tuple[int, int, int, int], frame: tuple[float, float]) -> np.ndarray:
    """The line `box` of `gray` with a white margin of `frame` (above and below, each end) × its height."""
    x0, y0, x1, y1 = box
    m = max(2, round(frame[0] * (y1 - y0)))
    n = max(2, round(frame[1] * (y1 - y0)))
    crop = np.full((y1 - y0 + 2 * m, x1 - x0 + 2 * n), 255, np.uint8)
    crop[m : m + y1 - y0, n : n + x1 - x0] = gray[y0:y1, x0:x1]
    return crop


def em_shortfall(text: str, box: tuple[int, int, int, int]) -> float:
    """How many CJK characters wider the line's ink is than `text` would print, for CJK lines.

    0.0 for lines of fewer than three characters or with more than a fifth of
    non-CJK ones: Latin letters and digits vary too much in width to tell.
    """
    chars = [c for c in text if not c.isspace()]
    wide = sum(1 for c in chars if is_cjk(c))
    if len(chars) < 3 or wide < 0.8 * len(chars):
        return 0.0
    x0, y0, x1, y1 = box
    units = sum(char_width(c) for c in chars)
    return (x1 - x0) / max(1, y1 - y0) / EM_PER_INK_HEIGHT - units


def is_subsequence(short: str, long: str) -> bool:
    """Whether every character of `short` is in `long`, in order."""
    it = iter(long)
    return all(c in it for c in short)


class RapidOcrEngine:
    """PP-OCRv4 via rapidocr-onnxruntime (models ship inside the wheel).

    The models (~1 s to load) are loaded once per engine object, which the
    caller creates per run; onnxruntime sessions may be shared by threads.
    """

    name = "rapidocr"
    second_opinion = False

    def __init__(self, runtime: str = "auto", streams: int = 1) -> None:
        self._ocr = load_rapidocr(runtime, streams)

    def read(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        result, _ = self._ocr(image if isinstance(image, np.ndarray) else str(image))
        words: list[Word] = []
        for box, text, score in result or []:
            words.extend(_split_line_box(text, box, float(score)))
        return words

    def read_fields(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        """A strip of cell crops: its lines are found from the ink rows (`strip_lines`) and recognised.

        The text detector is not run: on the strips it cost most of RapidOCR's ≈ 9 CPU s
        a page (it scales a strip's short side up to 736 px); recognition alone took
        ≈ 1 (docs/ocr-speed.md). Nor is the angle classifier: pages are upright by then.
        """
        gray = image if isinstance(image, np.ndarray) else cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise ValueError(f"cannot decode image {image}")
        if gray.ndim == 3:
            gray = cv2.cvtColor(gray, cv2.COLOR_BGRA2GRAY if gray.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
        boxes = strip_lines(gray, dpi)
        if not boxes:
            return []
        # One line per call: in a batch the recogniser pads every line to the widest
        # one's width, and the padding changed readings (弘霁 read 弘雾).
        results = [self._rec(_line_crop(gray, box, LINE_FRAME)) for box in boxes]
        for k, box in enumerate(boxes):
            if em_shortfall(results[k][0], box) >= SHORT_BY_EM:
                results[k] = self._reframed(gray, box, results[k])
        words: list[Word] = []
        for (x0, y0, x1, y1), (text, score) in zip(boxes, results):
            if text.strip() and score >= self._ocr.text_score:  # the detector path's own cut
                words.extend(_split_line_box(text, [[x0, y0], [x1, y0], [x1, y1], [x0, y1]], score))
        return words

    def _rec(self, crop: np.ndarray) -> tuple[str, float]:
        text, score = self._ocr.text_rec([cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)])[0][0]
        return text, float(score)

    def _reframed(self, gray: np.ndarray, box: tuple[int, int, int, int], first: tuple[str, float]) -> tuple[str, float]:
        """A line whose reading looks a character short, read again in other framings.

        A reading is replaced only by one that keeps every character of it, in order,
        adds some, and fits the line's ink width better: the other framing found what
        the first dropped, and did not merely read the line differently.
        """
        short = em_shortfall(first[0], box)
        kept = "".join(first[0].split())  # spaces are not characters read (a line may end in one)
        for frame in REFRAMES:
            text, score = self._rec(_line_crop(gray, box, frame))
            gap = abs(em_shortfall(text, box))
            read = "".join(text.split())
            if len(read) > len(kept) and is_subsequence(kept, read) and gap < short:
                log.debug("line read %r at first, %r framed %s", first[0], text, frame)
                return text, score
        return first


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

    def read(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        return self.first.read(image, dpi)

    def read_fields(self, image: ImageIn, dpi: int | None = None) -> list[Word]:
        return self.second.read_fields(image, dpi)


def load_rapidocr(runtime: str = "auto", streams: int = 1):
    """A RapidOCR instance whose recogniser runs on `runtime` (`openvino_rt.RUNTIMES`).

    `streams`: how many threads may run the recogniser at once (the scan workers).
    """
    from extractors import openvino_rt

    chosen = openvino_rt.choose(runtime)
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise MissingDependencyError(
            "the rapidocr engine needs rapidocr-onnxruntime",
            "install it with `pip install 'pilot-intake[ppocr]'` or `pip install rapidocr-onnxruntime`",
        ) from exc
    # One thread per session: pages already run in parallel, one per core.
    rapid = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    if chosen == "openvino":
        openvino_rt.use_openvino(rapid, streams)
    return rapid


def rapid_model(engine: OcrEngine):
    """The RapidOCR model inside `engine`, if it has one, so other readers can share it."""
    if isinstance(engine, RapidOcrEngine):
        return engine._ocr
    if isinstance(engine, HybridEngine):
        return engine.second._ocr
    return None


def resident_tesseract(version: str) -> ResidentTesseract | None:
    """In-process tesseract when the system library is the probed binary's version, else None (CLI)."""
    from extractors import tess_capi

    try:
        res = ResidentTesseract()
    except tess_capi.Unavailable as exc:
        log.info("tesseract runs as a subprocess per call: %s", exc)
        return None
    if res.version.lstrip("v") != version.lstrip("v"):
        # Another tesseract than the probed one would give other words than the CLI path.
        log.info("tesseract runs as a subprocess per call: libtesseract %s is not the binary's %s",
                 res.version, version)
        return None
    return res


def make_engine(name: str, *, tesseract_cmd: str = "tesseract", lang: str = "chi_sim",
                resident: bool = True, runtime: str = "auto", streams: int = 1) -> OcrEngine:
    """The engine called `name` (one of ENGINES), probed so it fails early with advice.

    `resident`: keep tesseract's models loaded in this process when the library is
    there (docs/ocr-speed.md); False runs the binary per call, as before.
    `runtime`, `streams`: what runs RapidOCR's recogniser, and for how many threads at once
    (`load_rapidocr`).
    """
    if name == "tesseract":
        version = tesseract.probe(tesseract_cmd, lang)
        line_lang = lang
        if "eng" not in lang.split("+"):
            try:
                tesseract.probe(tesseract_cmd, lang + "+eng")
                line_lang = lang + "+eng"
            except MissingDependencyError:
                pass  # without English data cells are re-read with `lang` alone
        return TesseractEngine(cmd=tesseract_cmd, lang=lang, line_lang=line_lang,
                               resident=resident_tesseract(version) if resident else None)
    if name == "rapidocr":
        return RapidOcrEngine(runtime, streams)
    if name == "tesseract+rapidocr":
        first = make_engine("tesseract", tesseract_cmd=tesseract_cmd, lang=lang, resident=resident)
        return HybridEngine(first=first, second=RapidOcrEngine(runtime, streams))  # type: ignore[arg-type]
    raise ValueError(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
