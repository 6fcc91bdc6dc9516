"""A small registry that builds the OpenAPI 3.1 document from what each endpoint declares.

Endpoints call `document(...)` at import time, next to their route; schemas are registered
with `schema(name, definition)`, which returns a `$ref` to use in other schemas.
"""
from __future__ import annotations

_paths: dict[str, dict] = {}
_schemas: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "description": "Stable machine-readable code, e.g. not_found, invalid, forbidden"},
            "message": {"type": "string", "description": "Human-readable, in the caller's locale"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Per-field messages, keyed by the request field name (422)"},
        }}},
    },
}

ERROR_RESPONSES = {
    str(code): {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for code, text in ((400, "Bad request (malformed JSON, or csrf_failed for session writes without X-CSRFToken)"),
                       (401, "Not authenticated"), (403, "Forbidden"),
                       (404, "Not found, or not visible to the caller"), (405, "Method not allowed"),
                       (409, "Conflict with the current state (e.g. invalid_transition)"),
                       (413, "Request body too large"), (422, "Invalid input; see error.fields"),
                       (429, "Rate limited"), (500, "Server error"),
                       (503, "Temporarily unavailable, see Retry-After: database_busy, database_unavailable, "
                             "search_rebuilding, search_busy"))
}

# Typical error sets, so endpoints do not repeat them.
READ_ERRORS = (404,)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 422, 429)


def schema(name: str, definition: dict) -> dict:
    _schemas[name] = definition
    return ref(name)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(definition: dict) -> dict:
    """`definition` or null (OpenAPI 3.1 / JSON Schema style)."""
    return {"oneOf": [definition, {"type": "null"}]}


def array_of(definition: dict) -> dict:
    return {"type": "array", "items": definition}


def items_of(definition: dict, *, paginated: bool = False) -> dict:
    """The envelope of every collection: {"items": [...]} plus pagination when paginated."""
    shape = {"type": "object", "required": ["items"], "properties": {"items": array_of(definition)}}
    if paginated:
        shape["required"] = ["items", "pagination"]
        shape["properties"]["pagination"] = ref("Pagination")
    return shape


schema("Pagination", {
    "type": "object",
    "required": ["page", "per_page", "total", "pages"],
    "properties": {
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 1},
    },
})


def document(path: str, method: str, *, summary: str, tags: list[str], parameters: list | None = None,
             request_body: dict | None = None, response: dict | None = None, status: int = 200,
             auth: bool | str = False, errors=(400, 404), description: str = "",
             body_required: bool = True):
    """Declare one operation; `path` uses OpenAPI syntax, e.g. /posts/{post_id}.

    `auth`: False (public, no credentials needed), "optional" (works anonymously, says more to a
    signed-in caller) or True (credentials required).
    """
    operation_id = f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
    success = {"description": {200: "OK", 201: "Created", 204: "No content"}.get(status, "OK")}
    if response:
        success["content"] = {"application/json": {"schema": response}}
    op = {"summary": summary, "tags": tags, "operationId": operation_id.replace(".", "_").replace("-", "_"),
          "responses": {str(status): success}}
    if description:
        op["description"] = description
    # Any request may be malformed (400: bad or too deeply nested JSON), carry a bad token (401)
    # or one without the scope it needs (403 insufficient_scope), fail unexpectedly (500), or
    # meet a busy or unavailable database (503 with Retry-After).
    for code in sorted({*errors, 400, 401, 403, 500, 503}):
        op["responses"][str(code)] = ERROR_RESPONSES[str(code)]
    if parameters:
        op["parameters"] = parameters
    if request_body:
        op["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": request_body}}}
    if auth == "optional":
        op["security"] = [{}, {"bearerToken": []}, {"session": []}]
    elif auth:
        op["security"] = [{"bearerToken": []}, {"session": []}]
    _paths.setdefault(path, {})[method.lower()] = op


def path_param(name: str, description: str = "", *, type_: str = "integer") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": type_}, "description": description}


def query_param(name: str, schema_: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema_, "description": description}


def build() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "共创社区 Co-Create Community API", "version": "1.0.0",
                 "description": "Session cookie (with X-CSRFToken on writes) or `Authorization: Bearer <personal access "
                                "token>`. Errors are `{\"error\": {\"code\", \"message\", \"fields\"}}`; anything the "
                                "caller may not see answers 404. See docs/api.md."},
        "servers": [{"url": "/api/v1"}],
        "tags": [{"name": t} for t in sorted({t for ops in _paths.values() for op in ops.values() for t in op["tags"]})],
        "paths": dict(sorted(_paths.items())),
        "components": {
            "schemas": _schemas,
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer", "description": "Personal access token from Settings"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


document("/openapi.json", "get", summary="This OpenAPI 3.1 document", tags=["meta"], errors=(),
         response={"type": "object", "required": ["openapi", "paths"]})
