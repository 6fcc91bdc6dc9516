"""The audit log: an append-only record of staff, moderator and system actions, written by every domain."""


def init_app(app):
    from community.audit import models  # noqa: F401  (the table, and the ORM hooks that keep it append-only)
