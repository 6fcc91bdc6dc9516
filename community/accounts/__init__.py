"""Accounts: users, roles, sessions, API tokens."""


def init_app(app):
    from community import api as api_plumbing
    from community.accounts import api, cli, models, views  # noqa: F401  (api: routes on the API blueprint)
    from community.accounts.services import load_user, user_for_token
    from community.extensions import login_manager

    login_manager.user_loader(load_user)
    api_plumbing.token_loader(user_for_token)
    login_manager.login_view = "accounts.login"
    app.register_blueprint(views.bp)
    app.jinja_env.globals["ROLE_LABELS"] = models.ROLE_LABELS
    app.cli.add_command(cli.users_cli)
