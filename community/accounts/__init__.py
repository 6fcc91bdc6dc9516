"""Accounts: users, roles, sessions, API tokens."""


def init_app(app):
    from community.accounts import cli, views

    from community.accounts.models import ROLE_LABELS

    app.register_blueprint(views.bp)
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.cli.add_command(cli.users_cli)
