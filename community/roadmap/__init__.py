"""Public roadmap, releases and changelog, co-creation polls: where ideas go after 已采纳."""


def init_app(app):
    from community.core.page_cache import install_invalidation
    from community.roadmap import api, listeners, models, views  # noqa: F401  (api: routes on the API blueprint)

    # Visitors' board, list and item pages are cached for ANON_PAGE_CACHE_SECONDS; a roadmap write
    # clears the cache (votes, which are plain SQL, clear it through the demand listener).
    install_invalidation(models.RoadmapItem, models.RoadmapLink, models.RoadmapComment, models.Release,
                         models.Poll, models.Announcement)
    app.register_blueprint(views.bp)
    listeners.connect()
    views.install_template_helpers(app)
