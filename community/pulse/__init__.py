"""Public growth dashboard (成长看板, /pulse): live counters, the department scoreboard, trends."""
import os


def init_app(app):
    from community.pulse import api, cli, listeners, models, views  # noqa: F401  (api: routes on the API blueprint)

    app.config.setdefault("PULSE_UTC_OFFSET_HOURS", 8)  # the community's local day (China)
    app.config.setdefault("PULSE_CACHE_SECONDS", float(os.environ.get("PULSE_CACHE_SECONDS", 5)))
    app.config.setdefault("PULSE_SLOW_CACHE_SECONDS", float(os.environ.get("PULSE_SLOW_CACHE_SECONDS", 60)))
    app.config.setdefault("PULSE_PUSH_INTERVAL", 1.0)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.pulse_cli)
    listeners.connect()
    views.install_template_helpers(app)
