"""Rate limits on writes, keyed by user when logged in (else by address)."""
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
