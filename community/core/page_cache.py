"""A short-lived cache of whole pages for anonymous visitors, and of shared page parts.

Most traffic to a community is anonymous and sees the same page, so list and item pages
are kept for a few seconds per process (ANON_PAGE_CACHE_SECONDS; 0 turns it off).
Logged-in users, pages with flashed messages, and responses that set a cookie are never
cached whole; the parts of their pages that every viewer of a kind sees alike (a public
post list) are kept the same way by shared_fragment(). Any committed change to posts or
comments clears this process's cache; other processes catch up within the TTL.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from community.core import events

MAX_ENTRIES = 1024

_entries: OrderedDict[tuple, tuple[float, bytes | Markup]] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _entries.clear()


def _cacheable_request() -> bool:
    return (
        request.method == "GET"
        and not current_user.is_authenticated
        and not session.get("_flashes")
        and current_app.config.get("ANON_PAGE_CACHE_SECONDS", 0) > 0
    )


def anonymous_page_cache(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _cacheable_request():
            return view(*args, **kwargs)
        key = (request.full_path, str(get_locale()))
        now = time.monotonic()
        cached = _fresh(key, now)
        if cached is not None:
            return Response(cached, mimetype="text/html")
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code == 200 and "Set-Cookie" not in response.headers and not session.modified:
            _remember(key, now + current_app.config["ANON_PAGE_CACHE_SECONDS"], response.get_data())
        return response

    return wrapper


def shared_fragment(audience: str | None, render: Callable[[], str]) -> Markup:
    """The HTML `render` makes for this URL and locale, shared by every viewer in `audience`
    (None: this viewer's own, never shared). `render` returns template output, already escaped.

    The caller vouches that `render` depends on nothing else about the viewer.
    """
    ttl = current_app.config.get("ANON_PAGE_CACHE_SECONDS", 0)
    if audience is None or ttl <= 0:
        return Markup(render())
    key = ("fragment", audience, request.full_path, str(get_locale()))
    now = time.monotonic()
    cached = _fresh(key, now)
    if cached is not None:
        return cached
    html = Markup(render())
    _remember(key, now + ttl, html)
    return html


def _fresh(key: tuple, now: float):
    with _lock:
        hit = _entries.get(key)
        if hit and hit[0] > now:
            _entries.move_to_end(key)
            return hit[1]
    return None


def _remember(key: tuple, expires: float, value) -> None:
    with _lock:
        _entries[key] = (expires, value)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


_watched: tuple[type, ...] = ()


def install_invalidation(*models: type) -> None:
    """Clear after any commit that touched one of `models` (feedback passes posts, comments, votes).

    The clear waits in core.events' after-commit queue: once per transaction, never on a rollback."""
    global _watched
    _watched = tuple(dict.fromkeys((*_watched, *models)))
    if getattr(install_invalidation, "_done", False):
        return

    def _after_flush(session_, _context):
        if any(isinstance(obj, _watched) for obj in (*session_.new, *session_.dirty, *session_.deleted)):
            events.after_commit(clear, session_, key="page_cache.clear")

    event.listen(Session, "after_flush", _after_flush)
    install_invalidation._done = True
