"""`flask words …`: manage the sensitive-word list (敏感词) from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.core.permissions import SYSTEM
from community.core.unit_of_work import cli_unit_of_work
from community.extensions import db
from community.moderation import services
from community.moderation.models import WORD_ACTIONS, SensitiveWord
from community.moderation.words import current_matcher, normalize_word

words_cli = click.Group("words", help="Manage the sensitive-word list.")


@words_cli.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--action", type=click.Choice(WORD_ACTIONS), default="replace", show_default=True,
              help="Action for lines that do not name one (a line may be `word,hold`).")
@with_appcontext
def import_words(file, action):
    """Import words from FILE, one per line; blank lines and # comments are skipped."""
    with cli_unit_of_work():
        result = services.import_words(SYSTEM, file, action=action)
    click.echo(f"Added {result['added']} words, skipped {result['skipped']} (duplicates or empty).")


@words_cli.command("add")
@click.argument("word")
@click.option("--action", type=click.Choice(WORD_ACTIONS), default="replace", show_default=True)
@with_appcontext
def add_word(word, action):
    """Add one WORD (or change its action)."""
    with cli_unit_of_work():
        entry = services.add_word(SYSTEM, word, action=action)
    click.echo(f"{entry.word} → {entry.action}")


@words_cli.command("remove")
@click.argument("word")
@with_appcontext
def remove_word(word):
    """Remove WORD from the list."""
    entry = db.session.query(SensitiveWord).filter_by(key=normalize_word(word)).one_or_none()
    if entry is None:
        raise click.ClickException(f"{word} is not on the list.")
    with cli_unit_of_work():
        services.remove_word(SYSTEM, entry.id)
    click.echo(f"Removed {word}.")


@words_cli.command("test")
@click.argument("text")
@with_appcontext
def test_text(text):
    """Show what the filter does to TEXT."""
    matcher = current_matcher()
    matches = matcher.find(text)
    click.echo(matcher.replace(text, matches))
    for m in matches:
        click.echo(f"  {text[m.start:m.end]!r} [{m.start}:{m.end}] → {m.key} ({m.action})")
