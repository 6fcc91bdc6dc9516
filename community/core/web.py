"""Web plumbing shared by all blueprints: errors, security headers, template helpers."""
from __future__ import annotations

import logging
import math
import time
from datetime import timedelta

from flask import Blueprint, Flask, abort, current_app, g, jsonify, make_response, redirect, render_template, request
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException

from community.core import backup, clock, converters, database, health
from community.core.database import write_intent
from community.core.errors import DomainError
from community.core.text import excerpt, sanitize_html
from community.core.urls import safe_next
from community.extensions import db, limiter
from community.i18n import LOCALE_COOKIE

log = logging.getLogger(__name__)

bp = Blueprint("core", __name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    401: (_l("Please log in"), _l("You need to log in to do that.")),
    403: (_l("Not allowed"), _l("You do not have permission to do that.")),
    404: (_l("Page not found"), _l("This page does not exist, or you cannot see it.")),
    405: (_l("Not allowed"), _l("That method is not allowed here.")),
    409: (_l("Conflict"), _l("That conflicts with the current state.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    414: (_l("Address too long"), _l("This address is too long. Shorten the search words or filters and try again.")),
    422: (_l("Check your input"), _l("Please correct the highlighted fields.")),
    429: (_l("Slow down"), _l("Too many requests. Please wait a moment and try again.")),
    500: (_l("Something went wrong"), _l("We hit an error on our side. Your data is safe; please try again.")),
    503: (_l("Server busy"), _l("The server is busy. Please try again in a few seconds.")),
    507: (_l("Out of storage space"), _l("The server is out of storage space. Your content was not saved.")),
}

# A failing database (core.database.failure_kind): status, error code, message, Retry-After seconds.
STORE_FAILURES = {
    database.BUSY: (503, "database_busy", ERROR_TEXT[503][1], None),
    database.FULL: (507, "storage_full", ERROR_TEXT[507][1], None),
    database.UNAVAILABLE: (503, "database_unavailable",
                           _l("The database is temporarily unavailable. Please try again shortly."), 30),
}
# Never echoed back into a page: secrets and the old CSRF token (the page has a fresh one).
_NOT_KEPT = ("password", "token", "secret", "otp", "code")

ERROR_CODES = {400: "bad_request", 401: "login_required", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 414: "uri_too_long", 422: "invalid",
               429: "rate_limited", 500: "server_error"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, *, code: str | None = None, message=None, fields: dict | None = None,
                   kept: dict | None = None):
    title, default_message = ERROR_TEXT.get(status, ERROR_TEXT[500] if status >= 500 else ERROR_TEXT[400])
    message = message or default_message
    if wants_json():
        body = {"error": {"code": code or ERROR_CODES.get(status, "error"), "message": str(message)}}
        if fields:
            body["error"]["fields"] = {k: str(v) for k, v in fields.items()}
        return jsonify(body), status
    page = dict(status=status, title=title, message=message, fields=fields, kept=kept)
    try:
        return render_template("errors/error.html", **page), status
    except Exception:
        # The site's frame reads the database (the bell, the menus): when that is what failed,
        # answer with a page that reads nothing.
        log.warning("error page for %s rendered without the site frame", status, exc_info=True)
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - the page matters more
            pass
        return render_template("errors/plain.html", **page), status


def kept_form() -> dict | None:
    """What a refused form submitted, to show again on the error page with a button to resend it.

    Nothing was saved (the transaction rolled back), so sending it again is safe. Secrets and
    the old CSRF token are left out; uploaded files cannot be kept.
    """
    if request.method in SAFE_METHODS or wants_json():
        return None
    try:
        items = [(name, value) for name, value in request.form.items(multi=True)
                 if not any(word in name.lower() for word in _NOT_KEPT)]
    except Exception:  # an unreadable body: nothing to keep
        return None
    if not items:
        return None
    return {"action": request.path, "fields": items}


def store_failure_response(kind: str):
    status, code, message, retry_after = STORE_FAILURES[kind]
    if kind == database.BUSY:
        retry_after = max(1, math.ceil(current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000) / 1000))
    response, status = error_response(status, code=code, message=message, kept=kept_form())
    response = make_response(response, status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.app_errorhandler(DomainError)
def _domain_error(exc: DomainError):
    db.session.rollback()
    if exc.status == 404:
        # "Not visible to you" must be byte-identical to "does not exist", whichever raised it.
        return error_response(404)
    return error_response(exc.status, code=exc.code, message=exc.message, fields=exc.fields)


@bp.app_errorhandler(CSRFError)
def _csrf_error(exc):
    return error_response(400, code="csrf_failed",
                          message=_l("Your form expired or came from another site. Please reload the page and try again."))


@bp.app_errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code and exc.code < 400:
        return exc
    if exc.code == 429:
        return error_response(429, message=_wait_message())
    return error_response(exc.code or 500)


def _wait_message():
    """"Please wait N seconds" from the limit that was hit, or the general sentence."""
    try:
        hit = limiter.current_limit
        seconds = int(hit.reset_at - time.time()) if hit is not None else 0
    except Exception:  # the limiter's storage is down: the general sentence will do
        seconds = 0
    if seconds <= 0:
        return None
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1.0, granularity="second")
    return _l("Too many requests. Please wait %(wait)s and try again.", wait=wait)


@bp.app_errorhandler(Exception)
def _unexpected(exc: Exception):
    kind = database.failure_kind(exc)
    if kind is not None:
        # Said as what it is (busy, full, unavailable), not as a generic 500.
        log.warning("database %s on %s %s: %s", kind, request.method, request.path, exc)
    else:
        log.exception("unhandled error on %s %s", request.method, request.path)
    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the original error matters more
        pass
    if kind is None:
        return error_response(500)
    write_intent.set(False)  # the error page only reads: it must not queue for the write lock again
    return store_failure_response(kind)


@bp.before_app_request
def _mark_write_intent():
    write_intent.set(request.method not in SAFE_METHODS)
    g.request_started = clock.now()


def _refuse_oversized_requests():
    """414 for an address longer than the app reads; 413 for a body over MAX_CONTENT_LENGTH,
    before anything else answers (a login check, a JSON parse of a cut-off body)."""
    raw_uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    if len(raw_uri) > current_app.config.get("MAX_URL_BYTES", 32 * 1024):
        abort(414)
    limit = request.max_content_length  # MAX_CONTENT_LENGTH unless this request class says otherwise
    if limit is None or request.method in SAFE_METHODS:
        return
    if request.content_length is not None:
        if request.content_length > limit:
            abort(413)
    elif "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # No length announced: read it now. Werkzeug stops quietly at the limit (a cut-off
        # body that then failed as invalid JSON), so reaching the limit is the 413.
        if len(request.get_data(cache=True)) >= limit:
            abort(413)


FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


@bp.before_app_request
def _refuse_nul_characters():
    """No text a person types holds U+0000, and PostgreSQL cannot store it: one clear 400 at the
    edge for the path, the query, form fields and JSON strings (uploaded files are not text)."""
    suspect = "\x00" in request.path or _has_nul(request.args.items(multi=True))
    if not suspect and request.mimetype in FORM_MIMETYPES:
        suspect = _has_nul(request.form.items(multi=True))
    elif not suspect and request.is_json:
        raw = request.get_data(cache=True)
        suspect = b"\x00" in raw or b"\\u0000" in raw.lower()
    if suspect:
        raise DomainError(_l("The request contains a character that is not allowed (U+0000)."), code="invalid_value")


@bp.after_app_request
def _security_headers(response):
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""):
        # A page that lists who may frame it (an embeddable widget) sets its own CSP and no X-Frame-Options.
        headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    declared_public = "public" in headers.get("Cache-Control", "")  # the view vouches: the same for everyone
    if request.endpoint not in ("static", "health.healthz") and not declared_public \
            and getattr(current_user, "is_authenticated", False):
        # Pages for a signed-in user carry personal data (and on settings, secrets): no shared or disk cache.
        headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/locale", methods=["GET", "POST"])
def set_locale():
    """Switch the UI language for this browser: a cookie only, so no CSRF-sensitive state changes."""
    locale = request.values.get("locale", "")
    response = make_response(redirect(safe_next(request.values.get("next"), "/")))
    if locale in current_app.config["LANGUAGES"]:
        remember_locale(response, locale)
    return response


def remember_locale(response, locale: str) -> None:
    response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def duration(seconds) -> str:
    if seconds is None:
        return ""
    return format_timedelta(timedelta(seconds=int(seconds)), threshold=1.0, granularity="minute")


def when(dt) -> str:
    if dt is None:
        return ""
    delta = dt - clock.now()
    if abs(delta) < timedelta(minutes=1):  # Babel would round a few seconds up to "1 minute ago"
        return str(_l("just now"))
    return format_timedelta(delta, add_direction=True, threshold=1.0, granularity="minute")


def url_with(**overrides) -> str:
    """The current page's URL with some query arguments replaced (None removes one)."""
    from flask import url_for

    args = request.args.to_dict()
    args.update(overrides)
    args = {k: v for k, v in args.items() if v is not None and k not in (request.view_args or {})}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    converters.install(app)  # first: every later route's <int:…> is bounded
    app.register_blueprint(bp)
    health.init_app(app)
    backup.init_app(app)
    # Before every other check (CSRF reads the form, the API its caller): a body cut off at
    # the limit would fail them with a misleading 400 or 401.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_oversized_requests)
    app.jinja_env.globals.update(csrf_token=generate_csrf, get_locale=get_locale, now=clock.now, url_with=url_with)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(duration=duration, when=when, sanitized=sanitize_html, excerpt=excerpt,
                                 # Minutes are the finest unit a reader needs: no seconds by default.
                                 datetime=lambda dt, fmt="short": format_datetime(dt, fmt) if dt else "",
                                 date=lambda dt, fmt="medium": format_date(dt, fmt) if dt else "")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
