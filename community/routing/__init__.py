"""Routing: departments, categories and contacts (部门接口人)."""


def init_app(app):
    from community.routing import api, cli, models, views  # noqa: F401  (api: routes on the API blueprint)

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.routing_cli)
