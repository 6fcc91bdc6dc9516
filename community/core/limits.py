"""Rate limits: writes keyed by user when logged in (else by address); searches by address and by account."""
from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user

from community.extensions import limiter

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]


def user_or_address() -> str:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"addr:{get_remote_address()}"


def write_limited(view):
    return limiter.limit(lambda: current_app.config["RATE_LIMIT_WRITE"], key_func=user_or_address,
                         methods=WRITE_METHODS)(view)


def _anonymous() -> bool:
    return not (current_user and current_user.is_authenticated)


def search_limited(view):
    """A search is the most expensive read: limited per address (shared offices get the larger
    allowance) and, for a signed-in caller, per account whatever address it comes from."""
    view = limiter.shared_limit(lambda: current_app.config["RATE_LIMIT_SEARCH_ADDRESS"], "search-address",
                                key_func=get_remote_address)(view)
    return limiter.shared_limit(lambda: current_app.config["RATE_LIMIT_SEARCH_ACCOUNT"], "search-account",
                                key_func=user_or_address, exempt_when=_anonymous)(view)
