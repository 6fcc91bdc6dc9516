"""Public growth dashboard (成长看板, /pulse): live counters, the department scoreboard, trends."""


def init_app(app):
    from community.pulse import cli, listeners, models  # noqa: F401  (models: tables in the metadata)

    app.config.setdefault("PULSE_UTC_OFFSET_HOURS", 8)  # the community's local day (China)
    app.config.setdefault("PULSE_CACHE_SECONDS", 5)
    app.config.setdefault("PULSE_SLOW_CACHE_SECONDS", 60)
    app.config.setdefault("PULSE_PUSH_INTERVAL", 1.0)
    app.cli.add_command(cli.pulse_cli)
    listeners.connect()
