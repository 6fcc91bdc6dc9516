"""Public roadmap, releases and changelog, co-creation polls: where ideas go after 已采纳."""


def init_app(app):
    from community.roadmap import api, listeners, models, views  # noqa: F401  (api: routes on the API blueprint)

    app.register_blueprint(views.bp)
    listeners.connect()
    views.install_template_helpers(app)
