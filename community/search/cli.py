"""`flask search reindex | check | flush`: rebuild and verify the full-text index."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.database import write_intent
from community.search.engine import SearchUnavailable
from community.search.indexer import expected_keys, get_indexer, rebuild

search_cli = click.Group("search", help="Full-text search index.")


@search_cli.command("reindex")
@with_appcontext
def reindex():
    """Rebuild the index from the database into a new directory, then swap it in atomically."""
    write_intent.set(False)  # reads only
    store = get_indexer().store
    try:
        report = rebuild(store)
    except OSError as exc:  # a read-only or full disk, a missing permission
        raise click.ClickException(
            f"The search index folder {store.root} cannot be written ({exc.strerror or exc}). "
            "Make it writable, or point SEARCH_INDEX_DIR at a writable folder, then run "
            "`flask search reindex` again. The site keeps working meanwhile; search answers "
            "that it is unavailable.") from None
    rate = report.documents / report.seconds if report.seconds else 0
    click.echo(f"Indexed {report.documents} documents in {report.seconds:.1f}s ({rate:.0f}/s); "
               f"replayed {report.replayed} live changes; now serving {report.path.name}")


@search_cli.command("check")
@click.option("--show", default=10, help="How many drifting keys to list.")
@with_appcontext
def check(show):
    """Read the whole index and run a query, then compare it with the database (documents and
    ids); exit 1 on drift, 2 if it cannot be read or answer."""
    write_intent.set(False)
    store = get_indexer().store
    try:
        store.verify()
        indexed = store.all_keys()
    except SearchUnavailable as exc:
        click.echo(f"The search index cannot be read ({exc}). Run `flask search reindex`.", err=True)
        raise SystemExit(2)
    expected = expected_keys()
    missing, extra = sorted(expected - indexed), sorted(indexed - expected)
    click.echo(f"database: {len(expected)} documents; index: {len(indexed)} documents")
    if missing:
        click.echo(f"missing from the index ({len(missing)}): {' '.join(missing[:show])}")
    if extra:
        click.echo(f"in the index but not in the database ({len(extra)}): {' '.join(extra[:show])}")
    if missing or extra:
        click.echo("Drift found. Run `flask search reindex` to rebuild.", err=True)
        raise SystemExit(1)
    click.echo("OK: the index matches the database.")
