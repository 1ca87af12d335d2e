"""The tesseract wrapper: probe and TSV parsing."""

from __future__ import annotations

import pytest

from pilot_intake.errors import MissingDependencyError

from extractors import tesseract


def test_probe_returns_version(settings):
    version = tesseract.probe(settings.tesseract_cmd, "chi_sim+eng")
    assert version[0].isdigit() and int(version.split(".")[0]) >= 4


def test_probe_missing_binary_gives_install_advice():
    with pytest.raises(MissingDependencyError) as err:
        tesseract.probe("tesseract-does-not-exist", "chi_sim")
    assert "apt-get install tesseract-ocr" in err.value.advice


def test_probe_missing_language_names_the_package(settings):
    with pytest.raises(MissingDependencyError) as err:
        tesseract.probe(settings.tesseract_cmd, "chi_sim+chi_tra_vert")
    assert "chi_tra_vert" in err.value.what
    assert "tesseract-ocr-chi-tra-vert" in err.value.advice


def test_parse_tsv_keeps_words_only():
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t30\t40\t96.5\t平台\n"
        "5\t1\t1\t1\t1\t2\t45\t20\t30\t40\t-1\t \n"
    )
    words = tesseract.parse_tsv(tsv)
    assert len(words) == 1
    w = words[0]
    assert (w.text, w.left, w.top, w.width, w.height, w.conf) == ("平台", 10, 20, 30, 40, 96.5)
