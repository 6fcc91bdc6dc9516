"""共创社区 (Co-Create Community): create_app() wires extensions, domains and the CLI."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

from community import (
    accounts,
    api,
    audit,
    brand,
    demo,
    feedback,
    moderation,
    notifications,
    pulse,
    realtime,
    roadmap,
    routing,
    search,
    triage,
)
from community.config import load_config
from community.core import web

ROOT = Path(__file__).resolve().parent.parent

# The one list of domains. Each package's init_app(app) registers its own models, blueprints,
# API routes, CLI, signal listeners, screeners and notification kinds (docs/architecture.md).
# Foundations first; `api` comes after every domain has attached its routes to the API
# blueprint, because a blueprint cannot take routes once registered.
DOMAINS = (web, accounts, audit, routing, brand, feedback, notifications, realtime, search, moderation, triage, roadmap,
           pulse, api, demo)


def create_app(config: dict | None = None) -> Flask:
    instance_path = Path(
        (config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or ROOT / "instance"
    ).resolve()
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(instance_path))
    if config:
        app.config.update(config)

    _init_logging(app)
    _init_extensions(app)
    for domain in DOMAINS:
        domain.init_app(app)
    return app


def _init_logging(app: Flask) -> None:
    if not app.debug and not logging.getLogger().handlers:
        logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _init_extensions(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from community.core.database import configure_engine
    from community.core.events import install_session_hooks
    from community.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
    from community.i18n import install_template_gettext, select_locale

    if app.config["TRUST_PROXY_HEADERS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    with app.app_context():
        configure_engine(app, db.engine)
    install_session_hooks()
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.session_protection = "basic"  # accounts.init_app registers the user loader

    queue_options = {}
    if app.config["REDIS_URL"]:
        from community.realtime.queue import ResyncingRedisManager

        queue_options["client_manager"] = ResyncingRedisManager(app.config["REDIS_URL"], channel="flask-socketio")
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        **queue_options,
        cors_allowed_origins=app.config.get("SOCKETIO_ALLOWED_ORIGINS"),  # None: same origin only
        max_http_buffer_size=app.config.get("SOCKETIO_MAX_MESSAGE_BYTES", 16 * 1024),
        logger=False,
        engineio_logger=False,
    )
