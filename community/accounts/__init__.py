"""Accounts: users, roles, sessions, API tokens."""


def init_app(app):
    from community.accounts import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.users_cli)
