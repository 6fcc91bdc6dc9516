"""Accounts: users, roles, sessions, API tokens."""


def init_app(app):
    from flask_babel import gettext

    from community import api as api_plumbing
    from community.accounts import api, cli, models, views  # noqa: F401  (api: routes on the API blueprint)
    from community.accounts.services import load_user, user_for_token
    from community.extensions import login_manager

    login_manager.user_loader(load_user)
    api_plumbing.token_loader(user_for_token)
    login_manager.login_view = "accounts.login"
    # Flask-Login flashes its own English sentence; the callback translates it at flash time
    # (a lazy string cannot go into the session). N_ only marks the message for extraction.
    N_ = str  # noqa: N806
    login_manager.login_message = N_("Please log in to access this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext
    app.register_blueprint(views.bp)
    app.jinja_env.globals["ROLE_LABELS"] = models.ROLE_LABELS
    app.cli.add_command(cli.users_cli)
