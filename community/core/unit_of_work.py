"""The edge's unit of work: call the services, commit once, answer; roll back on a domain error.

Services flush and never commit. Every page view, API handler and CLI command wraps its
service calls in one of these, so a write commits at the edge and a refused write leaves
nothing behind:

    with unit_of_work(success=_("Saved.")) as work:      # a page: flash the outcome
        services.change_status(current_user, post, status)
    if work.error: ...                                    # re-render the form instead

    with cli_unit_of_work():                              # a command: exit 1 with the message
        services.set_role(SYSTEM, user, role)

    return commit_and_return(serializers.post(...))       # the API: errors go to the JSON handler
"""
from __future__ import annotations

import click
from flask import flash

from community.core.errors import DomainError, ValidationFailed
from community.extensions import db


def error_summary(exc: DomainError) -> str:
    """One line for a flash or a bulk result: the field messages, else the message."""
    return "; ".join(str(v) for v in exc.fields.values()) or str(exc.message)


def flash_error(exc: DomainError) -> None:
    flash(error_summary(exc), "error")


class unit_of_work:  # lower case: used like a function, `with unit_of_work() as work`
    """Commit when the block ends; on an error roll back.

    Errors of the `catch` types are kept in `work.error` (and flashed unless `flash_errors`
    is false, for pages that re-render them next to the fields); others propagate.
    `success` is flashed after the commit.
    """

    def __init__(self, *, catch: type[DomainError] | tuple = ValidationFailed, success=None,
                 flash_errors: bool = True):
        self.catch, self.success, self.flash_errors = catch, success, flash_errors
        self.error: DomainError | None = None

    def __enter__(self) -> unit_of_work:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            try:
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            if self.success:
                flash(str(self.success), "success")
            return False
        db.session.rollback()
        if isinstance(exc, self.catch):
            self.error = exc
            if self.flash_errors:
                flash_error(exc)
            return True
        return False


class cli_unit_of_work(unit_of_work):
    """For CLI commands: any domain error rolls back and exits 1 with its message and fields."""

    def __init__(self):
        super().__init__(catch=DomainError, flash_errors=False)

    def __exit__(self, exc_type, exc, tb) -> bool:
        handled = super().__exit__(exc_type, exc, tb)
        if self.error is not None:
            details = "; ".join(f"{k}: {v}" for k, v in self.error.fields.items())
            raise click.ClickException(f"{self.error.message}{' (' + details + ')' if details else ''}")
        return handled


def commit_and_return(payload, status: int = 200, headers=None):
    """For the API: serialize first (same transaction, no second write lock), then commit.

    A domain error raised before this rolls back in the app's JSON error handler (core.web).
    """
    db.session.commit()
    return payload, status, headers or {}
