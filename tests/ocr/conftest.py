"""Shared fixtures; the page renderer lives in ocr_pages.py beside this file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# --import-mode=importlib does not put test folders on sys.path; the helpers are plain modules here.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")

def settings():
    from pilot_intake.settings import Settings

    return Settings(workers=1)


@pytest.fixture(scope="session")
def tess(settings):
    """The tesseract engine: always installed, and the tests stay light (no 1 GB model)."""
    from extractors.ocr import make_engine

    return make_engine("tesseract", tesseract_cmd=settings.tesseract_cmd, lang=settings.ocr_lang)
