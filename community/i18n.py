"""Locale choice (the locale cookie, then the user's setting, then Accept-Language, else zh_CN)
and the translation lookup behind the templates' _()."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

LOCALE_COOKIE = "locale"
# Babel parses "zh_CN" as zh_Hans_CN, and gettext then looks for zh_Hans_CN or zh: so the
# Chinese catalog lives in community/translations/zh/.


def select_locale() -> Locale:
    # Flask-Babel passes a Locale through as is; parsing a string each request scans Babel's
    # locale directory and cost more than rendering a cached page.
    return _parsed(_choose_locale())


@lru_cache(maxsize=16)
def _parsed(identifier: str) -> Locale:
    return Locale.parse(identifier)


def _choose_locale() -> str:
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


def install_template_gettext(app) -> None:
    """Jinja's _() with a per-locale shortcut: Flask-Babel's own lookup walks several context
    proxies on every call, and a list page makes about a hundred of them."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def current_translations():
    # Remembered with the Locale object it belongs to, so force_locale() switches it.
    state = g.get("_flask_babel")
    if state is not None:
        remembered = getattr(state, "template_translations", None)
        if remembered is not None and remembered[0] is getattr(state, "babel_locale", None):
            return remembered[1]
    translations = get_translations()
    state = g.get("_flask_babel")
    if state is not None:
        state.template_translations = (state.babel_locale, translations)
    return translations


def localized_name(name: str, name_en: str) -> str:
    """A department's, category's or product's name in the current locale (English when one is set)."""
    if name_en:
        locale = get_locale()
        if locale is not None and locale.language == "en":
            return name_en
    return name


class LocalizedName:
    """Mixin for rows with `name` (Chinese, the primary) and `name_en` columns."""

    @property
    def local_name(self) -> str:
        return localized_name(self.name, self.name_en)
