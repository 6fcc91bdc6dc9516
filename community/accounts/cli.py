"""`flask users …`: account administration from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.accounts import services
from community.core.permissions import SYSTEM
from community.core.unit_of_work import cli_unit_of_work

users_cli = click.Group("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_admin(username, email, password):
    """Create an administrator account."""
    with cli_unit_of_work():
        user = services.register_user(username, email, password, role="admin")
    click.echo(f"Created admin {user.username} (id {user.id}).")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["member", "staff", "moderator", "admin"]))
@click.option("--title", default=None, help="Public staff title, e.g. 张工.")
@with_appcontext
def set_role(username, role, title):
    """Change a user's role."""
    with cli_unit_of_work():
        user = services.get_user_by_username(username)
        services.set_role(SYSTEM, user, role, title=title)
    click.echo(f"{user.username} is now {role}.")
