"""`flask routing …`: manage departments, categories and contacts from the shell."""
from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from community.accounts.services import get_user_by_username
from community.core.permissions import SYSTEM
from community.core.unit_of_work import cli_unit_of_work
from community.extensions import db
from community.routing import services
from community.routing.models import DEFAULT_FIRST_RESPONSE_HOURS, DEFAULT_RESOLUTION_DAYS, Category

routing_cli = click.Group("routing", help="Departments, categories and contacts.")


@routing_cli.command("list")
@with_appcontext
def list_all():
    """Print departments with their categories and contacts."""
    for dept in services.list_departments():
        load = services.open_load([c.user_id for c in dept.contacts])
        click.echo(f"{dept.slug}\t{dept.name}\tSLA {dept.first_response_hours}h/{dept.resolution_days}d")
        for cat in dept.categories:
            click.echo(f"  category {cat.slug}\t{cat.name}")
        for c in dept.contacts:
            cover = ",".join(x.slug for x in c.categories) or "*"
            click.echo(f"  contact {c.user.username}\t{'active' if c.active else 'inactive'}\topen={load.get(c.user_id, 0)}\t{cover}")


@routing_cli.command("add-department")
@click.argument("slug")
@click.argument("name")
@click.option("--first-response-hours", default=DEFAULT_FIRST_RESPONSE_HOURS, show_default=True)
@click.option("--resolution-days", default=DEFAULT_RESOLUTION_DAYS, show_default=True)
@with_appcontext
def add_department(slug, name, first_response_hours, resolution_days):
    with cli_unit_of_work():
        services.create_department(SYSTEM, slug=slug, name=name, first_response_hours=first_response_hours,
                                   resolution_days=resolution_days)
    click.echo(f"Department {slug} created.")


@routing_cli.command("add-category")
@click.argument("slug")
@click.argument("name")
@click.argument("department")
@with_appcontext
def add_category(slug, name, department):
    with cli_unit_of_work():
        services.create_category(SYSTEM, slug=slug, name=name, department=services.get_department(department))
    click.echo(f"Category {slug} → {department}.")


@routing_cli.command("set-contact")
@click.argument("department")
@click.argument("username")
@click.option("--category", "categories", multiple=True, help="Category slug; repeat. None: the whole department.")
@click.option("--inactive", is_flag=True)
@with_appcontext
def set_contact(department, username, categories, inactive):
    with cli_unit_of_work():
        dept = services.get_department(department)
        cats = list(db.session.execute(sa.select(Category).where(Category.slug.in_(categories))).scalars())
        if len(cats) != len(set(categories)):
            raise click.ClickException("unknown category")
        services.set_contact(SYSTEM, dept, get_user_by_username(username), categories=cats, active=not inactive)
    click.echo(f"{username} is a{'n inactive' if inactive else 'n active'} contact of {department}.")
