"""Login throttle: failed attempts are counted per account and per address, separately.

One member's typos lock only the account they typed; members behind one office or dealership
NAT share the much higher address limit. The counters live in the rate limiter's storage
(Redis when the app runs scaled), and a storage outage lets logins through rather than lock
everyone out.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse_many

from community.core.text import normalize
from community.extensions import limiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    scope: str          # "account" or "address": what ran out of attempts
    retry_after: int    # seconds until the next attempt may succeed


def _counters(login: str):
    account = normalize(login or "").lower()[:254]
    return (("account", current_app.config["RATE_LIMIT_LOGIN_ACCOUNT"], f"login-account/{account}"),
            ("address", current_app.config["RATE_LIMIT_LOGIN"], f"login-address/{get_remote_address()}"))


def refusal_for(login: str) -> Refusal | None:
    """Why a login attempt may not be tried now, or None."""
    if not limiter.enabled:
        return None
    try:
        strategy = limiter.limiter
        for scope, limits, key in _counters(login):
            for item in parse_many(limits):
                if not strategy.test(item, key):
                    reset_at, _remaining = strategy.get_window_stats(item, key)
                    return Refusal(scope, max(1, int(reset_at - time.time()) + 1))
    except Exception:  # the limiter's storage is down: fail open, as the other limits do
        log.warning("login throttle storage unavailable", exc_info=True)
    return None


def record_failure(login: str) -> None:
    if not limiter.enabled:
        return
    try:
        strategy = limiter.limiter
        for _scope, limits, key in _counters(login):
            for item in parse_many(limits):
                strategy.hit(item, key)
    except Exception:
        log.warning("login throttle storage unavailable", exc_info=True)
