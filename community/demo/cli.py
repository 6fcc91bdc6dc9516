"""`flask demo seed`: load the 极光汽车 demo community (deterministic and idempotent)."""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from community.core import clock
from community.demo import seed as demo
from community.extensions import db

demo_cli = click.Group("demo", help="The 极光汽车 (Aurora Motors) demo community.")


@demo_cli.command("seed")
@click.option("--posts", type=click.IntRange(0, 2_000_000), default=1500, show_default=True,
              help="Number of posts (feedback, discussions, trial reports).")
@click.option("--members", type=click.IntRange(1, 1_000_000), default=None,
              help="Number of members [default: 300, or one per 10 posts for large sets].")
@click.option("--staff", type=click.IntRange(12, 500), default=20, show_default=True,
              help="Number of staff (at least two per department).")
@click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True,
              help="Posts are spread over this many days before the anchor.")
@click.option("--anchor", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="UTC time the history ends at [default: today 00:00 UTC]. Same anchor and seed: same data.")
@click.option("--seed", "seed_value", type=int, default=demo.DEFAULT_SEED, show_default=True,
              help="Random seed.")
@click.option("--if-empty", is_flag=True, help="Only seed a database without any users (used by `make run`).")
@click.option("--search-index/--no-search-index", default=True, show_default=True,
              help="Rebuild the full-text search index afterwards.")
@with_appcontext
@click.pass_context
def seed(ctx, posts, members, staff, days, anchor, seed_value, if_empty, search_index):
    """Build the demo brand: departments, staff, members, posts, replies, votes and timelines."""
    if demo.demo_exists():
        click.echo("The demo community is already loaded; nothing to do.")
        return
    if if_empty and demo.has_users():
        click.echo("The database already has users; not loading the demo community.")
        return
    options = demo.SeedOptions(posts=posts, members=members, staff=staff, days=days,
                               anchor=anchor if isinstance(anchor, datetime) else None, seed=seed_value)
    click.echo(f"Loading the 极光汽车 demo community ({posts} posts)…")
    try:
        result = demo.seed_demo(options, now=clock.now(), echo=click.echo)
    except demo.SeedConflict as exc:
        db.session.rollback()
        raise click.ClickException(f"These usernames already exist, so the demo cannot be loaded: {exc}")
    counts = result.counts
    click.echo(f"Done in {result.seconds:.1f}s: {counts['users']} users ({counts['staff']} staff), "
               f"{counts['posts']} posts ({counts['feedback']} feedback, {counts['discussion']} discussions, "
               f"{counts['trial_report']} trial reports), {counts['comments']} comments "
               f"({counts['official_replies']} official replies), {counts['votes']} votes, "
               f"{counts['follows']} follows, {counts['timeline_entries']} timeline entries.")
    if counts.get("roadmap_items"):
        click.echo(f"Roadmap: {counts['roadmap_items']} items, {counts['roadmap_links']} linked feedback items, "
                   f"{counts['roadmap_votes']} votes, {counts['releases']} releases, {counts['polls']} polls, "
                   f"{counts.get('fourbox_answers', 0)} four-box answers.")
    if search_index:
        _rebuild_search_index(ctx)
    click.echo("")
    click.echo(f"Demo logins (password: {demo.DEMO_PASSWORD}):")
    for username, role, description in demo.DEMO_LOGINS:
        click.echo(f"  {username:<10} {role:<7} {description}")


def _rebuild_search_index(ctx: click.Context) -> None:
    """Bulk inserts bypass the search listeners, so refill the index through `flask search reindex`."""
    search = current_app.cli.commands.get("search")
    reindex = search.commands.get("reindex") if isinstance(search, click.Group) else None
    if reindex is None:
        click.echo("Search is not installed here; once it is, run `flask search reindex`.")
        return
    click.echo("Rebuilding the search index (flask search reindex)…")
    ctx.invoke(reindex)
