"""Who is calling the API: its own module so the input readers and the blueprint share it
without importing each other."""
from __future__ import annotations

from flask import g
from flask_login import current_user


def api_user():
    """The caller: a token's user, else the session's user (possibly anonymous)."""
    return g.get("api_user") or current_user
