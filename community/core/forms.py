"""Form handling shared by HTML views: keep what the user typed, show field errors."""
from __future__ import annotations

from flask import flash, render_template

from community.core.errors import ValidationFailed


def render_form(template: str, *, error: ValidationFailed | None = None, form=None, status: int | None = None, **context):
    """Render a form page; on a validation error keep the input and answer 422."""
    if error is not None:
        if not error.fields:
            flash(str(error.message), "error")
        status = status or 422
    html = render_template(template, form=form if form is not None else {}, errors=(error.fields if error else {}), **context)
    return (html, status) if status else html
