"""Real PostgreSQL databases for tests: one random database each, dropped afterwards.

`TEST_POSTGRES_URL` names the server (trust auth); without a reachable server the test
skips with the reason. Databases are cloned from a migrated template (a few tens of ms).
"""
from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_admin = None


def admin_engine():
    global _admin
    if _admin is None:
        engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any connection failure means "not here"
            pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
        _admin = engine
    return _admin


def url_of(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def create_database(prefix: str = "cc_test", template: str | None = None) -> str:
    """Create a fresh database (optionally a copy of `template`) and return its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    clause = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
    with admin_engine().connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{clause}')
    return name


def drop_database(name: str) -> None:
    with admin_engine().connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
