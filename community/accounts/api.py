"""JSON API: the caller's account and personal access tokens.

Tokens: a token may list and revoke tokens (including itself), but creating one needs a
signed-in browser session. A leaked token therefore cannot mint successors that outlive its
own revocation.
"""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

from community.accounts import serializers, services
from community.accounts.models import TOKEN_SCOPES
from community.api import bp, openapi
from community.api.inputs import Fields, json_object, require_caller
from community.api.shapes import DATETIME, INT, NULLABLE_DATETIME, STR, iso
from community.core.errors import PermissionDenied
from community.core.limits import write_limited
from community.core.unit_of_work import commit_and_return

AUTH_ERRORS = (401,)


@bp.get("/me", endpoint="accounts_me")
def me():
    return serializers.me(require_caller())


openapi.document("/me", "get", summary="The caller's account", tags=["accounts"], auth=True,
                 errors=AUTH_ERRORS, response=serializers.ME)


SCOPES = {"type": "array", "items": {"type": "string", "enum": list(TOKEN_SCOPES)}}
TOKEN = openapi.schema("ApiToken", {
    "type": "object", "required": ["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at"],
    "properties": {"id": INT, "name": STR,
                   "prefix": {"type": "string", "description": "The first characters, to recognise a token"},
                   "scopes": SCOPES, "created_at": DATETIME, "expires_at": NULLABLE_DATETIME,
                   "last_used_at": {**NULLABLE_DATETIME, "description": "Recorded at most once a minute"}},
})
NEW_TOKEN = openapi.schema("NewApiToken", {
    "allOf": [TOKEN, {"type": "object", "required": ["token"], "properties": {
        "token": {"type": "string", "description": "The secret; shown once, never stored. Send it as "
                                                   "`Authorization: Bearer <token>`."}}}],
})


def _token(t) -> dict:
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "scopes": [s for s in TOKEN_SCOPES if s in t.scope_set],
            "created_at": iso(t.created_at), "expires_at": iso(t.expires_at),
            "last_used_at": iso(t.last_used_at)}


@bp.get("/me/tokens", endpoint="accounts_tokens")
def list_tokens():
    return {"items": [_token(t) for t in services.list_api_tokens(require_caller())]}


openapi.document("/me/tokens", "get", summary="List the caller's active personal access tokens",
                 tags=["accounts"], auth=True, errors=AUTH_ERRORS, response=openapi.items_of(TOKEN))


@bp.post("/me/tokens", endpoint="accounts_create_token")
@write_limited
def create_token():
    caller = require_caller()
    if g.get("api_user") is not None:
        raise PermissionDenied(_l("Create tokens from a signed-in session, not with another token."),
                               code="session_required")
    fields = Fields(json_object(optional=True))
    name = fields.text("name")
    scopes = fields.data.get("scopes")
    if scopes is not None and not (isinstance(scopes, list) and all(isinstance(s, str) for s in scopes)):
        fields.errors["scopes"] = _l("Must be a list of strings.")
        scopes = None
    expires_in_days = fields.integer("expires_in_days")
    fields.check()
    token, raw = services.create_api_token(caller, name, scopes=scopes, expires_in_days=expires_in_days)
    return commit_and_return({**_token(token), "token": raw}, 201)


openapi.document("/me/tokens", "post", summary="Create a personal access token (session only)", tags=["accounts"],
                 auth=True, status=201, errors=(400, 401, 403, 422, 429), response=NEW_TOKEN,
                 request_body={"type": "object", "properties": {
                     "name": {"type": "string", "maxLength": 64},
                     "scopes": {**SCOPES, "description": "Default read and write; staff and admin need that role"},
                     "expires_in_days": {"type": "integer", "minimum": 1, "maximum": services.MAX_TOKEN_DAYS,
                                         "description": "Omit for a token without expiry"}}},
                 body_required=False,
                 description="Needs a browser session with X-CSRFToken; a request made with a token gets 403 "
                             "session_required. The secret is in the response once.")


@bp.delete("/me/tokens/<int:token_id>", endpoint="accounts_revoke_token")
@write_limited
def revoke_token(token_id):
    services.revoke_api_token(require_caller(), token_id)
    return commit_and_return("", 204)


openapi.document("/me/tokens/{token_id}", "delete", summary="Revoke one of the caller's tokens", tags=["accounts"],
                 auth=True, status=204, errors=(400, 401, 404, 429), parameters=[openapi.path_param("token_id")])
