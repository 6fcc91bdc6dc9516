"""`flask sla tick`: SLA warnings, escalation to department leads and auto-closing; idempotent."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.unit_of_work import cli_unit_of_work
from community.triage.services import tick_sla

sla_cli = click.Group("sla", help="Response targets (SLA): warnings and escalation.")


@sla_cli.command("tick")
@with_appcontext
def tick():
    """Warn at 80% of a target, escalate breaches to the lead, close unconfirmed resolved items.

    Run it every few minutes (cron or a systemd timer); running it twice does nothing new.
    """
    with cli_unit_of_work():
        report = tick_sla()
    click.echo(f"warnings={report.warnings} breaches={report.breaches} auto_closed={report.auto_closed} "
               f"notified={report.notified}")
