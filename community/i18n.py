"""Locale choice: the locale cookie, then the user's setting, then Accept-Language, else zh_CN."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user

LOCALE_COOKIE = "locale"
# Babel parses "zh_CN" as zh_Hans_CN, and gettext then looks for zh_Hans_CN or zh: so the
# Chinese catalog lives in community/translations/zh/.


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, jobs and socket pushes outside a request
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    # This browser's latest choice wins, then the account's setting, then the browser's languages.
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in languages:
        return cookie
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in languages:
        return user_locale
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"]) if request.accept_languages else None
    if best and best.startswith("en"):
        return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]
