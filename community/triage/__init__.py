"""Staff triage console: queues, SLA clocks and escalation, supervision (督办), case ratings (一事一评)."""


def init_app(app):
    from community.triage import api, cli, listeners, models, sla, views  # noqa: F401  (api: routes on the API blueprint)

    app.config.setdefault("TRIAGE_AUTO_CLOSE_DAYS", 14)
    app.config.setdefault("TRIAGE_SLA_WARNING_RATIO", 0.8)
    sla.configure(app.config["TRIAGE_SLA_WARNING_RATIO"])
    app.config.setdefault("TRIAGE_SUPERVISE_REASSIGNS", 3)
    app.config.setdefault("TRIAGE_SUPERVISE_REOPENS", 2)
    app.config.setdefault("TRIAGE_PER_PAGE", 50)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.sla_cli)
    listeners.connect()
    app.jinja_env.globals.update(triage_badges=views.post_badges)
