"""`flask pulse rebuild` and `flask pulse check`: the aggregates against the posts."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.unit_of_work import cli_unit_of_work
from community.extensions import db
from community.pulse import aggregates

pulse_cli = click.Group("pulse", help="The public growth dashboard (成长看板): its aggregates.")


@pulse_cli.command("rebuild")
@with_appcontext
def rebuild():
    """Recompute every daily bucket and contribution from the posts, in one transaction."""
    with cli_unit_of_work():
        report = aggregates.rebuild()
    click.echo(f"items={report['items']} buckets={report['buckets']}")


@pulse_cli.command("check")
@with_appcontext
def check():
    """Compare the aggregates with a direct computation; exit 1 when they differ."""
    drift = aggregates.check()
    db.session.rollback()
    for line in drift[:50]:
        click.echo(line)
    if drift:
        raise click.ClickException(f"drift: {len(drift)} difference(s); run `flask pulse rebuild`")
    click.echo("ok: the aggregates match the posts")
