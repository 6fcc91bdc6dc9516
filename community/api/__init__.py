"""JSON API v1: session or personal-access-token auth, JSON errors, an OpenAPI document.

Domains add endpoints with `@bp.route` in their own `api.py` (routes attach once, at
import), describe them with `openapi.document(...)`, and import that module in their own
`init_app`. This package's `init_app` runs after every domain's, and registers the blueprint.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.api import openapi
from community.api.caller import api_user
from community.api.inputs import refuse_deep_json
from community.core.errors import NotAuthenticated, PermissionDenied
from community.core.limits import write_limited
from community.extensions import csrf

__all__ = ["api_user", "bp", "init_app", "on_off_switch", "openapi", "token_loader"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# token → user or None; accounts registers it (as it registers Flask-Login's user_loader),
# so the API plumbing imports no domain.
_token_loader: Callable[[str], object | None] | None = None


def token_loader(loader: Callable[[str], object | None]) -> Callable[[str], object | None]:
    global _token_loader
    _token_loader = loader
    return loader


@bp.before_request
def _authenticate():
    refuse_deep_json()  # before any endpoint parses the body, whichever reader it uses
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = _token_loader(header[7:].strip()) if _token_loader else None
        if user is None:
            raise NotAuthenticated(code="invalid_token")
        needed = "read" if request.method in ("GET", "HEAD", "OPTIONS") else "write"
        if user.token_scopes is not None and needed not in user.token_scopes:
            raise PermissionDenied(_l("This token does not have the %(scope)s scope.", scope=needed),
                                   code="insufficient_scope")
        g.api_user = user
        g._login_user = user  # current_user too (rate-limit keys, locale); no session is written
        return None  # a bearer token is not ambient authority: no CSRF check needed
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        if not current_user.is_authenticated:
            raise NotAuthenticated()  # no credentials at all: say so rather than csrf_failed
        csrf.protect()  # session-authenticated writes need the X-CSRFToken header
    return None


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.build())


def on_off_switch(rule: str, handler: Callable, *, endpoints: tuple[str, str], summaries: tuple[str, str],
                  **doc) -> None:
    """An idempotent switch of the caller's (a vote, a follow): PUT `rule` turns it on, DELETE
    turns it off, both through `handler(view_arg, on)`; rate-limited as writes and documented
    once for both methods (`doc`: openapi.document's other arguments).

    Each view is named as a hand-written one would be (`vote`, `unvote` in the handler's
    module), so its rate-limit counter stays its own."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
    for method, endpoint, on, summary in (("PUT", endpoints[0], True, summaries[0]),
                                          ("DELETE", endpoints[1], False, summaries[1])):
        def view(*, _on=on, **view_args):
            (value,) = view_args.values()
            return handler(value, _on)

        view.__module__ = handler.__module__
        view.__name__ = view.__qualname__ = endpoint.split("_", 1)[1]
        bp.add_url_rule(rule, endpoint, write_limited(view), methods=[method])
        openapi.document(path, method.lower(), summary=summary, **doc)


def init_app(app):
    csrf.exempt(bp)  # checked in _authenticate instead, where tokens are told apart
    app.register_blueprint(bp)
