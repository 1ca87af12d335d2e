"""The resident tesseract (libtesseract in this process) against the CLI path, on rendered pages."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import cv2
import pytest
from ocr_pages import PageSpec, render_page
from PIL import Image

from pilot_intake.errors import MissingDependencyError

from extractors import layout, tess_capi
from extractors.ocr import make_engine


@pytest.fixture(scope="module")
def form_strip(tmp_path_factory):
    """The labels and values of a rendered 300-dpi info sheet (gray, no rules), cropped to keep the test fast."""
    tmp = tmp_path_factory.mktemp("capi")
    page = render_page(tmp / "page.png", PageSpec(grid=False), dpi=300)
    with Image.open(page) as im:
        strip = im.convert("L").crop((0, im.height // 10, im.width, im.height // 4))
    path = tmp / "strip.png"
    strip.save(path, dpi=(300, 300))
    return path


@pytest.fixture(scope="module")
def engines(settings):
    resident = make_engine("tesseract", tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang)
    cli = make_engine("tesseract", tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang, resident=False)
    if resident.resident is None:
        pytest.skip("libtesseract is not loadable here; the CLI path is covered by the other tests")
    return resident, cli


def test_resident_engine_gives_the_same_words_as_the_cli(engines, form_strip):
    resident, cli = engines
    assert cli.resident is None
    ours = resident.read(form_strip, dpi=300)
    theirs = cli.read(form_strip, dpi=300)
    assert "华南先进材料中试平台" in "".join(w.text for w in ours)
    # Same library as the binary: same text, boxes and confidences, word for word.
    assert ours == theirs
    # The strip re-read uses the second language string (chi_sim+eng), also the same.
    assert resident.read_fields(form_strip, dpi=300) == cli.read_fields(form_strip, dpi=300)


def test_an_image_in_memory_reads_as_its_file(engines, form_strip):
    resident, _ = engines
    gray = cv2.imread(str(form_strip), cv2.IMREAD_GRAYSCALE)
    assert resident.read(gray, dpi=300) == resident.read(form_strip, dpi=300)
    # A colour array (OpenCV's BGR order) is read too.
    bgr = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    assert [w.text for w in resident.read(bgr, dpi=300)] == [w.text for w in resident.read(gray, dpi=300)]


def test_resident_engine_reads_from_several_threads_at_once(engines, form_strip):
    resident, _ = engines
    gray = cv2.imread(str(form_strip), cv2.IMREAD_GRAYSCALE)
    expected = resident.read(gray, dpi=300)
    barrier = threading.Barrier(3)

    def read(_):
        barrier.wait()  # all three start together, so handles are really in use at once
        return resident.read(gray, dpi=300)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(read, range(3)))
    assert all(r == expected for r in results)
    # One handle per concurrent reader, never shared: three readers needed three chi_sim handles.
    assert resident.resident.pool(resident.lang).size == 3


def test_in_process_reading_stays_on_one_core(engines):
    # libgomp reads OMP_THREAD_LIMIT once; the library was loaded with it at 1.
    assert tess_capi._omp_thread_limit() in (None, 1)


def test_missing_library_falls_back_to_the_cli_with_the_reason(monkeypatch, caplog, settings, form_strip):
    monkeypatch.setattr(tess_capi, "_lib", None)
    monkeypatch.setattr(tess_capi, "_lib_error", None)
    monkeypatch.setattr(tess_capi, "_LIB_NAMES", ("libtesseract-not-here.so.5",))
    monkeypatch.setattr(tess_capi.ctypes.util, "find_library", lambda name: None)
    with caplog.at_level(logging.INFO, logger="extractors.ocr"):
        engine = make_engine("tesseract", tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang)
    assert engine.resident is None
    assert any("libtesseract was not found" in r.getMessage() and "tesseract-ocr" in r.getMessage()
               for r in caplog.records)
    # The CLI path still reads.
    assert "华南" in "".join(w.text for w in engine.read(form_strip, dpi=300))


def test_missing_language_data_in_process_gives_install_advice(engines):
    with pytest.raises(MissingDependencyError) as err:
        tess_capi.TessApi(tess_capi.library(), "chi_tra_vert")
    assert "tesseract-ocr-chi-tra-vert" in err.value.advice
