"""/healthz for a load balancer and for staff: the database, Redis and each domain's own
store (search registers its index) reported separately, as JSON.

200 while the database answers (a Redis or index problem is "degraded": the site still
serves, Redis falls back and the index rebuilds); 503 when the database does not. The route
reads no session and is exempt from rate limits. Core imports no domain: a domain adds its
check with `register_check(app, name, fn)`, where `fn()` returns a dict with "ok" (or raises).
"""
from __future__ import annotations

import logging
import time
from typing import Callable

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app

from community.core.database import write_intent
from community.extensions import db, limiter

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

CHECKS = "community.health_checks"


def register_check(app: Flask, name: str, check: Callable[[], dict]) -> None:
    app.extensions.setdefault(CHECKS, {})[name] = check


def _timed(check: Callable[[], dict]) -> dict:
    started = time.monotonic()
    try:
        result = dict(check())
    except Exception as exc:  # a check that fails reports why; /healthz itself never fails
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _database() -> dict:
    token = write_intent.set(False)  # a read: never queue for SQLite's write lock
    try:
        db.session.execute(sa.text("SELECT 1")).scalar()
        return {"ok": True, "dialect": db.engine.dialect.name}
    finally:
        write_intent.reset(token)
        try:
            db.session.remove()
        except Exception:  # pragma: no cover - the answer matters more
            pass


def _redis_client(url: str):
    import redis

    clients = current_app.extensions.setdefault("community.health_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return clients[url]


def _redis() -> dict:
    _redis_client(current_app.config["REDIS_URL"]).ping()
    return {"ok": True}


def report() -> tuple[dict, int]:
    checks = {"database": _timed(_database)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _timed(_redis)
    for name, check in current_app.extensions.get(CHECKS, {}).items():
        checks[name] = _timed(check)
    if not checks["database"]["ok"]:
        status = "down"
    elif all(c.get("ok") for c in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return {"ok": status != "down", "status": status, "checks": checks}, (503 if status == "down" else 200)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    body, status = report()
    if status != 200:
        log.warning("healthz: %s", body)
    return body, status, {"Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
