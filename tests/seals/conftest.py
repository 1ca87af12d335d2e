"""Shared helpers for the seal tests: pages rendered by samples.sealset, kept small (200 dpi)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

REAL_SEALS = Path(__file__).resolve().parents[3] / "shared" / "real-seals"


def to_cv(img: Image.Image) -> np.ndarray:
    """PIL page → what the pipeline reads from disk: BGR for colour, 2-D for gray."""
    arr = np.asarray(img)
    return cv2.cvtColor(arr, cv2.COLOR_RGB2BGR) if arr.ndim == 3 else arr


def iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture
def real_seals_dir() -> Path:
    if not REAL_SEALS.exists():
        pytest.skip(f"real seal crops not found at {REAL_SEALS} (the shared folder beside the repository)")
    return REAL_SEALS
