"""The file builders live in extract_files.py beside this file."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

# --import-mode=importlib does not put test folders on sys.path; the helpers are plain modules here.
sys.path.insert(0, str(Path(__file__).parent))

from pilot_intake.models import FileType, SourceFile  # noqa: E402


@pytest.fixture
def source_of():
    def make(path: Path, file_type: FileType) -> SourceFile:
        data = path.read_bytes()
        return SourceFile(path=path.name, abs_path=path, sha256=hashlib.sha256(data).hexdigest(),
                          size=len(data), file_type=file_type)

    return make
