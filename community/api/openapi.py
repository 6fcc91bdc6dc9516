"""A small registry that builds the OpenAPI 3.1 document from what each endpoint declares."""
from __future__ import annotations

_paths: dict[str, dict] = {}
_schemas: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "description": "Stable machine-readable code, e.g. not_found, invalid, forbidden"},
            "message": {"type": "string", "description": "Human-readable, in the caller's locale"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        }}},
    },
}

ERROR_RESPONSES = {
    str(code): {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for code, text in ((400, "Bad request"), (401, "Not authenticated"), (403, "Forbidden"), (404, "Not found"),
                       (409, "Conflict"), (422, "Invalid input"), (429, "Rate limited"))
}


def schema(name: str, definition: dict) -> dict:
    _schemas[name] = definition
    return {"$ref": f"#/components/schemas/{name}"}


def document(path: str, method: str, *, summary: str, tags: list[str], parameters: list | None = None,
             request_body: dict | None = None, response: dict | None = None, status: int = 200,
             auth: bool = False, errors=(400, 404)):
    """Declare one operation; `path` uses OpenAPI syntax, e.g. /posts/{post_id}."""
    op = {"summary": summary, "tags": tags, "operationId": f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
          "responses": {str(status): {"description": "OK", **({"content": {"application/json": {"schema": response}}} if response else {})}}}
    for code in errors:
        op["responses"][str(code)] = ERROR_RESPONSES[str(code)]
    if parameters:
        op["parameters"] = parameters
    if request_body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": request_body}}}
    if auth:
        op["security"] = [{"bearerToken": []}, {"session": []}]
    _paths.setdefault(path, {})[method.lower()] = op


def path_param(name: str, description: str = "") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}, "description": description}


def query_param(name: str, schema_: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema_, "description": description}


def build() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "共创社区 Co-Create Community API", "version": "1.0.0",
                 "description": "Session cookie (with X-CSRFToken on writes) or `Authorization: Bearer <personal access token>`."},
        "servers": [{"url": "/api/v1"}],
        "paths": dict(sorted(_paths.items())),
        "components": {
            "schemas": _schemas,
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer", "description": "Personal access token from Settings"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
