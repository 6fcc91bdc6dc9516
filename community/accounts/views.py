"""Account pages: register, log in and out, profile, settings and API tokens."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from community.accounts import forms, services, sessions, throttle
from community.core.converters import parse_db_id
from community.core.errors import NotFound, ValidationFailed
from community.core.forms import render_form
from community.core.unit_of_work import unit_of_work
from community.core.urls import safe_next
from community.core.web import remember_locale
from community.extensions import limiter

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATE_LIMIT_WRITE"], methods=["POST"])
# "That username is taken" tells whether an account exists, so it is also throttled like a login attempt.
@limiter.limit(lambda: current_app.config["RATE_LIMIT_LOGIN"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("feedback.home"))
    form = forms.registration_form() if request.method == "POST" else {}
    if request.method == "POST":
        with unit_of_work(flash_errors=False) as work:
            user = services.register_user(form["username"], form["email"], form["password"],
                                          display_name=form["display_name"])
        if work.error:
            form.pop("password", None)
            return render_form("accounts/register.html", form=form, error=work.error)
        _start_session(user, remember=False)
        flash(_("Welcome, %(name)s!", name=user.name), "success")
        return redirect(safe_next(request.args.get("next"), url_for("feedback.home")))
    return render_form("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"), url_for("feedback.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = forms.login_form() if request.method == "POST" else {}
    if request.method == "POST":
        refusal = throttle.refusal_for(form["login"])
        if refusal is not None:
            return _login_refused(form, next_url, refusal)
        user = services.authenticate(form["login"], form["password"])
        if user is None:
            throttle.record_failure(form["login"])
        if user is None or not user.is_active:
            message = _("This account is banned.") if user is not None else _("Wrong username or password.")
            form.pop("password", None)
            return render_form("accounts/login.html", form=form, error=ValidationFailed(message),
                               next_url=next_url, status=401 if user is None else 403)
        _start_session(user, remember=form["remember"])
        return redirect(next_url)
    return render_form("accounts/login.html", form=form, next_url=next_url)


def _login_refused(form, next_url, refusal):
    """429 with the form still there, saying how long to wait (and whose attempts ran out)."""
    wait = format_timedelta(timedelta(seconds=refusal.retry_after), threshold=1.0, granularity="second")
    if refusal.scope == "account":
        message = _("Too many failed attempts for this account. Try again in %(wait)s.", wait=wait)
    else:
        message = _("Too many failed attempts from your network. Try again in %(wait)s.", wait=wait)
    form.pop("password", None)
    response = make_response(render_form("accounts/login.html", form=form, error=ValidationFailed(message),
                                         next_url=next_url, status=429))
    response.headers["Retry-After"] = str(refusal.retry_after)
    return response


def _start_session(user, *, remember: bool) -> None:
    """A server-side session row, then Flask-Login's cookie naming it."""
    with unit_of_work(catch=()):
        sessions.open_session(user, remember=remember, user_agent=request.headers.get("User-Agent", ""),
                              ip_address=request.remote_addr or "")
    login_user(user, remember=remember)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        with unit_of_work(catch=()):
            sessions.end_session(current_user)  # copies of this browser's cookies stop working too
    logout_user()  # Flask-Login's user_logged_out signal also drops this user's live sockets
    flash(_("You are logged out."), "info")
    return redirect(url_for("feedback.home"))


def _form_id(name: str) -> int:
    """An id posted in a form; anything but a plain positive integer is a missing row."""
    number = parse_db_id(request.form.get(name, ""))
    if number is None:
        raise NotFound()
    return number


def _form_days(name: str) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise ValidationFailed(fields={name: _("Enter a whole number of days.")})
    return int(raw)


def _settings_page(*, error=None, new_token=None, form=None):
    context = dict(tokens=services.list_api_tokens(current_user), sessions=sessions.active_sessions(current_user),
                   current_session_id=current_user.session_row_id, new_token=new_token)
    if error is not None:
        return render_form("accounts/settings.html", error=error, form=form or {}, **context)
    return render_template("accounts/settings.html", form={}, errors={}, **context)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    if request.method != "POST":
        return _settings_page()
    action = request.form.get("action")
    locale = request.form.get("locale") or None
    new_token = None
    with unit_of_work(flash_errors=False) as work:
        if action == "profile":
            services.update_profile(current_user, display_name=request.form.get("display_name", ""), locale=locale)
        elif action == "password":
            services.change_password(current_user, request.form.get("current_password", ""),
                                     request.form.get("new_password", ""),
                                     keep_tokens=bool(request.form.get("keep_tokens")))
        elif action == "create_token":
            _token, new_token = services.create_api_token(current_user, request.form.get("name", ""),
                                                          scopes=request.form.getlist("scopes") or None,
                                                          expires_in_days=_form_days("expires_in_days"))
        elif action == "revoke_token":
            services.revoke_api_token(current_user, _form_id("token_id"))
        elif action == "revoke_session":
            sessions.revoke_session(current_user, _form_id("session_id"))
        elif action == "logout_everywhere":
            services.revoke_sessions(current_user, "logged_out_everywhere")
    if work.error:
        return _settings_page(error=work.error, form={"display_name": request.form.get("display_name", "")})
    if action == "profile":
        flash(_("Saved."), "success")
        response = redirect(url_for("accounts.settings"))
        if locale:
            remember_locale(response, locale)
        return response
    if action == "password":
        login_user(current_user._get_current_object())  # keep this session, end the others
        flash(_("Password changed. Other sessions were logged out."), "success")
    elif action == "create_token":
        flash(_("Copy your token now; it will not be shown again."), "warning")
    elif action == "revoke_token":
        flash(_("Token revoked."), "info")
    elif action == "revoke_session":
        flash(_("That session was logged out."), "info")
    elif action == "logout_everywhere":
        logout_user()
        flash(_("You are logged out on every device."), "info")
        return redirect(url_for("accounts.login"))
    if new_token is None:
        return redirect(url_for("accounts.settings"))
    return _settings_page(new_token=new_token)
