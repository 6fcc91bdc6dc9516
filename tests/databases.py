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


class Reset:
    """Puts a database back to the rows and sequence values it has now (after migrations).

    Triggers are off while it runs (session_replication_role = replica): the audit log is
    append-only, and foreign keys need no delete order. Connections a test left open are ended.
    """

    def __init__(self, url: str):
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        with self.engine.connect() as conn:
            self.tables = [r[0] for r in conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            self.rows = {t: conn.exec_driver_sql(f'SELECT * FROM "{t}"').mappings().all() for t in self.tables}
            metadata = sa.MetaData()
            self.rows = {sa.Table(t, metadata, autoload_with=conn): [dict(r) for r in rows]
                         for t, rows in self.rows.items() if rows}
            self.sequences = [tuple(r) for r in conn.exec_driver_sql(
                "SELECT schemaname || '.' || sequencename, COALESCE(last_value, start_value), last_value IS NOT NULL "
                "FROM pg_sequences WHERE schemaname = 'public'")]
        self.name = sa.engine.make_url(url).database

    def __call__(self) -> None:
        with admin_engine().connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()")
        with self.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            for table in self.tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')
            for table, rows in self.rows.items():
                conn.execute(table.insert(), rows)
            for name, value, called in self.sequences:
                conn.execute(sa.text("SELECT setval(:s, :v, :c)"), {"s": name, "v": value, "c": called})

    def close(self) -> None:
        self.engine.dispose()
