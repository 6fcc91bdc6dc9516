"""Feedback, trial reports and discussions: posting, workflow, timeline, votes."""


def init_app(app):
    from community.core.page_cache import install_invalidation
    from community.feedback import api, models, views  # noqa: F401  (api: routes on the API blueprint)
    from community.feedback.queries import open_items_by_assignee
    from community.feedback.workflow import KIND_LABELS, STATUS_LABELS, TYPE_LABELS
    from community.routing.services import register_load_query

    app.register_blueprint(views.bp)
    install_invalidation(models.Post, models.Comment, models.Vote)
    register_load_query(open_items_by_assignee)
    # Globals (not a context processor) so imported macros see them too.
    app.jinja_env.globals.update(STATUS_LABELS=STATUS_LABELS, TYPE_LABELS=TYPE_LABELS, KIND_LABELS=KIND_LABELS,
                                 SORT_LABELS=views.SORT_LABELS)
