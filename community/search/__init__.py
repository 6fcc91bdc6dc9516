"""Full-text search (Chinese and English) over posts and comments, filtered for each viewer."""


def init_app(app):
    from community.search import api, cli, listeners, views  # noqa: F401  (api: routes on the API blueprint)
    from community.search.engine import IndexStore
    from community.search.indexer import Indexer

    app.extensions["search"] = Indexer(app, IndexStore(app.config["SEARCH_INDEX_DIR"]))
    listeners.install()
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.search_cli)
