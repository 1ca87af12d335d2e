"""RapidOCR's recogniser on OpenVINO: the same readings as on onnxruntime, bounded shapes, threads."""

from __future__ import annotations

import sys
import threading
import unicodedata

import numpy as np
import pytest
from ocr_pages import FONT
from PIL import Image, ImageDraw, ImageFont

from pilot_intake.errors import MissingDependencyError

from extractors import layout, openvino_rt
from extractors.ocr import load_rapidocr, make_engine

pytest.importorskip("rapidocr_onnxruntime")
needs_openvino = pytest.mark.skipif(not openvino_rt.available(), reason="openvino is not installed")

LINES = ["广东省先进陶瓷材料中试平台", "1,835万元", "158****2459", "二〇二六年十二月二十八日",
         "深圳市晟沅电子材料有限公司（盖章）", "是"]


def _strip(lines: list[str], size: int = 40) -> np.ndarray:
    """Cell crops stacked as scan.reread_weak_cells does: one text line each, white between."""
    font = ImageFont.truetype(FONT, size)
    img = Image.new("L", (1000, 120 * len(lines)), 255)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((20, 20 + 120 * i), text, font=font, fill=0)
    return np.array(img)


def _lines(words) -> list[str]:
    by_line: dict[int, list] = {}
    for w in words:
        by_line.setdefault(int((w.bbox[1] + w.bbox[3]) / 2) // 120, []).append(w)
    return [layout.join_words(by_line[k]) for k in sorted(by_line)]


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_padded_widths_are_few_and_pad_little():
    widths = range(320, 4097)
    padded = [openvino_rt.padded_width(w) for w in widths]
    assert all(w <= p <= w * 1.125 for w, p in zip(widths, padded))
    assert padded == sorted(padded)
    # Each padded width is a shape OpenVINO keeps memory for, for good.
    assert len(set(padded)) <= 31
    assert openvino_rt.padded_width(320) == 320  # rapidocr's narrowest input is left alone


@needs_openvino
def test_openvino_recogniser_computes_what_onnxruntime_does():
    ort = load_rapidocr("onnxruntime")
    rec = ort.text_rec
    session = openvino_rt.OpenVinoSession(openvino_rt.onnx_model_path(rec.session), streams=1)  # no padding
    gray = _strip(["汕头市铖宇半导体有限公司"])[10:90, :620]
    x = rec.resize_norm_img(np.stack([gray] * 3, axis=-1), 620 / 80)[np.newaxis].astype(np.float32)
    want, got = rec.session(x)[0], session(x)[0]
    # float32 either way: only rounding differs, and never the character read.
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-3  # probabilities: 2e-6 to 2.3e-4 seen
    assert (got.argmax(-1) == want.argmax(-1)).all()


@needs_openvino
def test_both_runtimes_read_a_strip_the_same():
    strip = _strip(LINES)
    on_ort = _lines(make_engine("rapidocr", runtime="onnxruntime").read_fields(strip, dpi=300))
    on_ov = _lines(make_engine("rapidocr", runtime="openvino").read_fields(strip, dpi=300))
    # Lines are padded to fewer widths on OpenVINO: a bracket at the end of a line may
    # come out half-width, and a line may end in a space; nothing else may differ.
    assert [_plain(t) for t in on_ov] == [_plain(t) for t in on_ort] == [_plain(t) for t in LINES]


@needs_openvino
def test_auto_runs_the_recogniser_on_openvino_and_leaves_the_detector():
    rapid = load_rapidocr("auto", streams=2)
    assert isinstance(rapid.text_rec.session, openvino_rt.OpenVinoSession)
    assert rapid.text_rec.session.streams == 2
    assert not isinstance(rapid.text_det.infer, openvino_rt.OpenVinoSession)
    assert not isinstance(load_rapidocr("onnxruntime").text_rec.session, openvino_rt.OpenVinoSession)


@needs_openvino
def test_two_workers_read_at_once_and_get_what_one_gets():
    engine = make_engine("rapidocr", runtime="openvino", streams=2)
    strips = [_strip([line]) for line in LINES]
    alone = [_lines(engine.read_fields(s, dpi=300)) for s in strips]
    results: dict[int, list] = {}

    def work(k: int) -> None:
        results[k] = [_lines(engine.read_fields(s, dpi=300)) for s in strips[k::2]]

    threads = [threading.Thread(target=work, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results[0] == alone[0::2] and results[1] == alone[1::2]


def test_runtime_choice_and_its_errors(monkeypatch):
    assert openvino_rt.choose("onnxruntime") == "onnxruntime"
    with pytest.raises(ValueError, match="unknown OCR runtime"):
        openvino_rt.choose("tensorrt")
    monkeypatch.setitem(sys.modules, "openvino", None)  # as if not installed: import fails
    assert openvino_rt.choose("auto") == "onnxruntime"
    with pytest.raises(MissingDependencyError, match="openvino"):
        openvino_rt.choose("openvino")


@needs_openvino
def test_seal_rings_are_read_as_rapidocr_loaded_the_model():
    rapid = load_rapidocr("openvino")
    rec = rapid.text_rec
    gray = _strip(["陕西西安航空部件中试中心有限公司"])[10:90, :700]
    x = rec.resize_norm_img(np.stack([gray] * 3, axis=-1), 700 / 80)[np.newaxis].astype(np.float32)
    assert x.shape[-1] == 420  # padded on OpenVINO to 448: 56 time steps instead of 52
    assert rec.session(x)[0].shape[1] == 56
    with openvino_rt.as_loaded(rapid):
        inside = rec.session(x)[0]
    assert np.array_equal(inside, rec.session.exact(x)[0])
    # Only in the thread and for the span of the block.
    assert rec.session(x)[0].shape[1] == 56


@needs_openvino
def test_the_batch_takes_its_runtime_and_streams_from_settings():
    from pydantic import ValidationError

    from pilot_intake.pipeline import Services
    from pilot_intake.settings import Settings

    with pytest.raises(ValidationError, match="ocr_runtime"):
        Settings(ocr_runtime="gpu")
    for runtime, on_openvino in (("onnxruntime", False), ("auto", True)):
        services = Services.build(Settings(ocr_engine="tesseract+rapidocr", ocr_runtime=runtime, workers=3))
        session = services.ocr_engine.second._ocr.text_rec.session
        assert isinstance(session, openvino_rt.OpenVinoSession) is on_openvino
        assert not on_openvino or session.streams == 3
        # The seal reader shares the model.
        assert services.ring_reader._rapid() is services.ocr_engine.second._ocr


_RACE = """
import sys, threading, numpy as np
from extractors.ocr import load_rapidocr
session = load_rapidocr("openvino", streams=2).text_rec.session
barrier = threading.Barrier(2)
def first_calls(width):
    barrier.wait()
    for k in range(3):
        session(np.zeros((1, 3, 48, width + 32 * k), np.float32))
threads = [threading.Thread(target=first_calls, args=(w,)) for w in (320, 416)]
[t.start() for t in threads]
[t.join() for t in threads]
print("done")
"""


@needs_openvino
def test_first_calls_from_two_threads_at_once_do_not_deadlock():
    # Without the warm-up, 2 fresh processes in 16 hung for good, and this test failed 1 time in 3.
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, "-c", _RACE], cwd=root, stdout=subprocess.PIPE, text=True)
            for _ in range(12)]
    for proc in runs:
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            for p in runs:
                p.kill()
            pytest.fail("two threads' first OpenVINO calls deadlocked")
        assert out.strip() == "done"


@needs_openvino
def test_a_runtime_that_fails_hands_the_recogniser_back_to_onnxruntime(monkeypatch, caplog):
    rapid = load_rapidocr("openvino")
    session = rapid.text_rec.session

    attempts = []

    def broken():  # injects what a CPU OpenVINO cannot use would raise
        attempts.append(1)
        raise RuntimeError("Exception from src/inference/src/core.cpp: unsupported CPU")

    monkeypatch.setattr(session, "_compile", broken)
    x = np.zeros((1, 3, 48, 330), np.float32)
    with caplog.at_level("WARNING", logger="extractors.openvino_rt"):
        got = session(x)[0]
    assert np.array_equal(got, session.exact(x)[0])  # onnxruntime, unpadded
    assert "onnxruntime runs it" in caplog.text and "unsupported CPU" in caplog.text
    assert np.array_equal(session(x)[0], got) and len(attempts) == 1  # for good: no second attempt
