"""The one settings object. Values come from arguments, then PILOT_INTAKE_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PILOT_INTAKE_", extra="ignore")

    workers: int = Field(default_factory=_default_workers, ge=1)
    # OCR
    tesseract_cmd: str = "tesseract"
    ocr_lang: str = "chi_sim"
    # tesseract | rapidocr | tesseract+rapidocr; None: the best measured engine installed (docs/ocr.md)
    ocr_engine: str | None = None
    # What runs RapidOCR's recogniser: auto (OpenVINO when installed) | openvino | onnxruntime.
    # The same model in float32 either way; OpenVINO is about twice as fast (docs/ocr-speed.md).
    ocr_runtime: Literal["auto", "openvino", "onnxruntime"] = "auto"
    ocr_dpi: int = 300  # PDF pages are rendered at this resolution for OCR
    # Label cells whose ink matches one read surely earlier in the batch get that reading
    # back instead of being OCRed again (extractors/printed.py; docs/ocr-speed.md).
    recall_labels: bool = True
    # A field (or seal) read with less confidence than this carries LOW_CONFIDENCE.
    low_confidence: float = 0.80
    # Inputs
    max_file_bytes: int = 200 * 1024 * 1024
    max_archive_bytes: int = 2 * 1024 * 1024 * 1024  # total unpacked size of a zip
    max_archive_entries: int = 10_000
    max_pdf_pages: int = 200
    # Rules
    round: str | None = None  # e.g. 2026Q4 or 2026-12; derived from fill dates when None
    registry: Path | None = None  # reserve-pool registry (CSV/xlsx) for the 3-year ban
    holidays_file: Path | None = None  # fallback calendar for years chinesecalendar does not know
    # Store
    db_url: str | None = None  # default: sqlite file under OUT_DIR
