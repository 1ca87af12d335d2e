import pytest

from redaction.redactor import Redactor


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    # Built once for the whole run, as the pipeline builds it once per process.
    return Redactor()
