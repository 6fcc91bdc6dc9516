"""Domain errors raised by services; every channel turns them into its own answer."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Base class. `code` is stable (API clients rely on it); `message` is shown to people."""

    status = 400
    code = "bad_request"
    default_message = _l("The request could not be processed.")

    def __init__(self, message=None, *, code: str | None = None, fields: dict | None = None):
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class NotFound(DomainError):
    """Also raised for things that exist but the actor may not see: never leak existence."""

    status = 404
    code = "not_found"
    default_message = _l("We could not find that page.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You do not have permission to do that.")


class NotAuthenticated(DomainError):
    status = 401
    code = "login_required"
    default_message = _l("Please log in first.")


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"
    default_message = _l("Please correct the highlighted fields.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = _l("That conflicts with the current state.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _l("That status change is not allowed.")
