"""/admin/brand (the form), and what every page loads from it: /brand/theme.css, logo and favicon."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.brand import services
from community.core import permissions
from community.core.forms import render_form
from community.core.limits import write_limited
from community.core.unit_of_work import unit_of_work

bp = Blueprint("brand", __name__)


@bp.route("/admin/brand", methods=["GET", "POST"])
@write_limited
def settings():
    if not permissions.is_admin(current_user):
        abort(404)
    brand = services.current_brand()
    form = {"name": brand.name, "name_en": brand.name_en, "primary_color": brand.primary_color,
            "footer_links": "\n".join(f"{link['label']} | {link['url']}" for link in brand.footer_links)}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("name", "name_en", "primary_color", "footer_links")}
        with unit_of_work(success=_("Saved."), flash_errors=False) as work:
            services.update_brand(current_user, **form, logo=_upload("logo"), favicon=_upload("favicon"),
                                  remove_logo=bool(request.form.get("remove_logo")),
                                  remove_favicon=bool(request.form.get("remove_favicon")))
        if work.error:
            return render_form("brand/settings.html", form=form, error=work.error, brand=brand)
        return redirect(url_for("brand.settings"))
    return render_form("brand/settings.html", form=form, brand=brand)


def _upload(name: str) -> bytes | None:
    file = request.files.get(name)
    return file.read(services.MAX_IMAGE_BYTES + 1) if file and file.filename else None


@bp.get("/brand/theme.css")
def theme_css():
    brand = services.current_brand()
    css = (f":root {{ --brand: {brand.primary_color}; --brand-dark: {brand.primary_dark}; }}\n"
           # The colour passed the contrast check against white text, in dark mode too.
           "@media (prefers-color-scheme: dark) { :root { --brand: %s; } button.primary, .button.primary, "
           ".pagination .current, .vote-button.voted, .badge-official { color: #fff; } }\n" % brand.primary_color)
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=86400"  # the URL carries the version
    return response


@bp.get("/brand/<any(logo, favicon):kind>")
def image(kind):
    found = services.brand_image(kind)
    if found is None:
        abort(404)
    data, content_type = found
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
