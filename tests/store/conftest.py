"""Store fixtures: a fresh SQLite file, and a fresh database on a real PostgreSQL server.

PostgreSQL tests read PILOT_INTAKE_TEST_PG_URL (scripts/pg-test-server.sh start prints
one; scripts/test.sh exports it) and skip, saying why, when it is unset.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy.engine import make_url

from records.store import open_store

PG_ENV = "PILOT_INTAKE_TEST_PG_URL"


@pytest.fixture
def pg_url():
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL server to test against (scripts/pg-test-server.sh start)")
    import psycopg

    url = make_url(base)
    name = f"store_{uuid.uuid4().hex[:12]}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        yield s
