"""Fields read from feedback forms (validation rules live in feedback.services)."""
from __future__ import annotations

from flask import request

from community.feedback.workflow import RATING_DIMENSIONS


def post_form() -> dict:
    form = {k: request.form.get(k, "") for k in
            ("kind", "feedback_type", "title", "body", "category", "product", "version", "pros", "cons")}
    form["ratings"] = {key: request.form.get(f"rating_{key}", "") for key in RATING_DIMENSIONS}
    return form


def trial_fields(form: dict) -> dict:
    return {"version": form["version"], "pros": form["pros"], "cons": form["cons"], "ratings": form["ratings"]}
