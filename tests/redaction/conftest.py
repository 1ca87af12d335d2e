import sys
from pathlib import Path

import pytest

from redaction.redactor import Redactor

# --import-mode=importlib does not put test folders on sys.path; pages.py is a plain helper module.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    # Built once for the whole run, as the pipeline builds it once per process.
    return Redactor()
