"""Demo community: `flask demo seed` builds 极光汽车 Aurora Motors from community.demo.corpus."""


def init_app(app):
    from community.demo import cli

    app.cli.add_command(cli.demo_cli)
