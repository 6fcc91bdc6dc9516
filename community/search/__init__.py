"""Full-text search (Chinese and English) over posts and comments, filtered for each viewer."""
from community.core import health


def init_app(app):
    from community.search import api, cli, listeners, models, views  # noqa: F401  (api: routes on the API blueprint)
    from community.search.engine import IndexStore
    from community.search.indexer import Indexer

    indexer = app.extensions["search"] = Indexer(app, IndexStore(app.config["SEARCH_INDEX_DIR"]))
    if app.config.get("SEARCH_START_WITH_FIRST_REQUEST", True):
        # A server process starts its writer at once, which first indexes what a killed
        # process left in the outbox (CLI commands, which serve no request, do not).
        app.before_request(indexer.start_once)
    listeners.install()
    health.register_check(app, "index", indexer.health)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.search_cli)
