"""Brand: the self-hosting brand's own look (community name, logo, favicon, primary colour, footer
links), set by admins at /admin/brand, stored in the database, applied through CSS variables."""


def init_app(app):
    from community.brand import models, views  # noqa: F401
    from community.brand.services import current_brand

    app.register_blueprint(views.bp)
    app.context_processor(lambda: {"brand": current_brand()})
