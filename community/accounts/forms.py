"""Fields read from account forms (validation rules live in accounts.services)."""
from __future__ import annotations

from flask import request


def registration_form() -> dict:
    return {k: request.form.get(k, "") for k in ("username", "email", "display_name", "password")}


def login_form() -> dict:
    return {"login": request.form.get("login", ""), "password": request.form.get("password", ""),
            "remember": bool(request.form.get("remember"))}
