"""`flask backup FILE` and `flask restore FILE`: a consistent copy of the database with a
manifest (row counts per table, schema revision, checksum), and its restore followed by a
rebuild of what is derived from the rows (the search index listens to database.restored).

SQLite uses its online backup API (readers and writers keep going; the copy is one
consistent snapshot). PostgreSQL uses pg_dump / pg_restore (custom format). Never copy a
live SQLite file with `cp`: a copy taken during a write can be torn.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from community.core import events
from community.core.database import write_intent
from community.extensions import db

FORMAT = 1


def manifest_path(target: Path) -> Path:
    return target.with_name(target.name + ".manifest.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path() -> Path:
    return Path(make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database)


def _counts(conn, tables) -> dict[str, int]:
    return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar() for name in tables}


def _sqlite_counts(path: Path) -> tuple[dict[str, int], str | None]:
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    conn.close()
    return counts, revision


def backup_sqlite(target: Path) -> dict:
    source = sqlite3.connect(_sqlite_path(), timeout=30)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        # Pages in steps: writers are held only for each step; a write in between restarts
        # the copy of what changed, so the result is one consistent snapshot.
        source.backup(copy, pages=256)
    finally:
        copy.close()
        source.close()
    counts, revision = _sqlite_counts(partial)
    os.replace(partial, target)
    return {"format": FORMAT, "dialect": "sqlite", "revision": revision, "counts": counts}


def backup_postgresql(target: Path) -> dict:
    if shutil.which("pg_dump") is None:
        raise click.ClickException("pg_dump is not installed: install the PostgreSQL client tools.")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    partial = target.with_name(target.name + ".partial")
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}",
                           url.render_as_string(hide_password=False)], capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"pg_dump failed: {done.stderr.strip()}")
    os.replace(partial, target)
    # pg_dump reads one snapshot of its own; these counts come a moment later (writes meanwhile).
    with db.engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        counts = _counts(conn, tables)
        revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return {"format": FORMAT, "dialect": "postgresql", "revision": revision, "counts": counts,
            "counts_exact": False}


def restore_sqlite(source: Path, *, overwrite: bool) -> None:
    target = _sqlite_path()
    if target.exists() and target.stat().st_size and not overwrite:
        counts, _revision = _sqlite_counts(target)
        if any(n for name, n in counts.items() if name != "alembic_version"):
            raise click.ClickException(f"{target} already holds data. Stop the server, then run again with --yes "
                                       "to replace it.")
    target.parent.mkdir(parents=True, exist_ok=True)
    db.session.remove()
    db.engine.dispose()
    backup = sqlite3.connect(source)
    live = sqlite3.connect(target, timeout=30)
    try:
        backup.backup(live)  # replaces every page of the target in one go
    finally:
        live.close()
        backup.close()


def restore_postgresql(source: Path) -> None:
    if shutil.which("pg_restore") is None:
        raise click.ClickException("pg_restore is not installed: install the PostgreSQL client tools.")
    db.session.remove()
    db.engine.dispose()
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           f"--dbname={url.render_as_string(hide_password=False)}", str(source)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise click.ClickException(f"pg_restore failed: {done.stderr.strip()}")


def current_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return _counts(conn, sa.inspect(conn).get_table_names())


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path):
    """Write a consistent copy of the database to TARGET, and TARGET.manifest.json beside it."""
    write_intent.set(False)
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    dialect = db.engine.dialect.name
    manifest = backup_sqlite(target) if dialect == "sqlite" else backup_postgresql(target)
    manifest.update(created_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    file=target.name, bytes=target.stat().st_size, sha256=_sha256(target))
    manifest_path(target).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
    rows = sum(n for name, n in manifest["counts"].items() if name != "alembic_version")
    click.echo(f"Backed up {rows} rows in {len(manifest['counts'])} tables to {target} "
               f"(manifest: {manifest_path(target).name}).")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(source: Path, yes: bool):
    """Replace the database with the backup SOURCE, check its counts, then rebuild the search index."""
    write_intent.set(False)
    source = source.resolve()
    try:
        manifest = json.loads(manifest_path(source).read_text())
    except FileNotFoundError:
        raise click.ClickException(f"No manifest next to the backup ({manifest_path(source).name}).") from None
    if _sha256(source) != manifest["sha256"]:
        raise click.ClickException("The backup file does not match its manifest (damaged or changed): not restored.")
    dialect = db.engine.dialect.name
    if manifest["dialect"] != dialect:
        raise click.ClickException(f"This is a {manifest['dialect']} backup; the configured database is {dialect}.")
    if dialect == "sqlite":
        restore_sqlite(source, overwrite=yes)
    else:
        restore_postgresql(source)
    counts = current_counts()
    expected = manifest["counts"]
    if manifest.get("counts_exact", True):
        wrong = {t: (expected[t], counts.get(t)) for t in expected if counts.get(t) != expected[t]}
        if wrong:
            raise click.ClickException(f"Restored counts differ from the manifest: {wrong}")
    click.echo(f"Restored {sum(counts.values())} rows in {len(counts)} tables from {source.name} "
               f"(taken {manifest['created_at']}, schema {manifest['revision']}).")
    events.database_restored.send(current_app._get_current_object(), manifest=manifest, echo=click.echo)
    click.echo("Done. Run `flask db upgrade` if this code is newer than the backup's schema.")


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
