"""Notifications: durable rows from domain signals, the feed page, preferences, the bell and the API."""
from __future__ import annotations


def init_app(app):
    from community.notifications import api, listeners, models, sockets  # noqa: F401  (api: routes on the API blueprint)
    from community.notifications.views import bell_context, bp

    listeners.connect()
    sockets.register()
    app.register_blueprint(bp)
    app.jinja_env.globals["notification_bell"] = bell_context
