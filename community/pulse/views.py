"""The public growth dashboard pages (/pulse): counters, scoreboard, trend charts and their JSON."""
from __future__ import annotations

import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.brand import services as brand
from community.core import permissions
from community.core.forms import render_form
from community.core.limits import write_limited
from community.core.unit_of_work import unit_of_work
from community.feedback.products import register_product_link
from community.pulse import cards, embed, moments, serializers, services

bp = Blueprint("pulse", __name__)
log = logging.getLogger(__name__)


def _summary_counters():
    """The home page's summary: never let the dashboard break another page."""
    try:
        return services.counters()
    except Exception:
        log.exception("pulse summary failed")
        return None


def _product_pulse(product) -> str:
    return url_for("pulse.product", slug=product.slug)


def install_template_helpers(app) -> None:
    register_product_link(_l("Growth dashboard"), _product_pulse)
    app.jinja_env.globals.update(pulse_counters=_summary_counters, pulse_display=serializers.display)


def _sort_args() -> tuple[str, bool]:
    sort = request.args.get("sort") or "name"
    if sort not in services.SORTS:
        sort = "name"
    return sort, request.args.get("order") == "desc"


def _page(product=None):
    product_id = product.id if product else None
    sort, descending = _sort_args()
    counters = services.counters(product_id)
    return render_template(
        "pulse/index.html", product=product, counters=counters, display=serializers.display,
        seconds_ago=services.seconds_ago(counters["computed_at"]),
        rows=services.scoreboard(product_id, sort, descending), sort=sort, descending=descending,
        weekly=services.weekly_received_resolved(product_id),
        response_times=services.weekly_response_percentiles(product_id),
        products=services.products(), percent=serializers.percent,
        moments=moments.recent_moments() if product is None else [])


@bp.get("/pulse")
def index():
    return _page()


@bp.get("/pulse/products/<slug>")
def product(slug):
    return _page(services.get_product(slug))


def _product_id_arg():
    slug = request.args.get("product")
    if not slug:
        return None
    return services.get_product(slug).id  # NotFound → 404


@bp.get("/pulse/charts/weekly.json")
def weekly_chart():
    return jsonify({"items": services.weekly_received_resolved(_product_id_arg())})


@bp.get("/pulse/charts/response-times.json")
def response_chart():
    return jsonify({"items": services.weekly_response_percentiles(_product_id_arg())})


@bp.get("/pulse/counters.json")
def counters_json():
    return jsonify(serializers.push_payload(services.counters(_product_id_arg())))


# 美好时刻: share pages and cards ----------------------------------------------------------

@bp.get("/pulse/moments/<kind>/<int:key>")
def moment(kind, key):
    item = moments.get_moment(kind, key)
    endpoint, args = item.endpoint
    return render_template("pulse/moment.html", moment=item, link=url_for(endpoint, **args))


@bp.get("/pulse/moments/<kind>/<int:key>.png")
def moment_card(kind, key):
    item = moments.get_moment(kind, key)
    brand_row = brand.current_brand()
    png = cards.render(item.title, item.description, brand_row.local_name or _("Co-Create Community"),
                       color=brand_row.primary_color, font_path=current_app.config.get("PULSE_CARD_FONT"))
    response = Response(png, mimetype="image/png")
    response.cache_control.public = True
    response.cache_control.max_age = 600
    return response


# The embeddable widget and its settings ------------------------------------------------

@bp.get("/pulse/embed")
def embed_widget():
    counters = services.counters()
    response = make_response(render_template(
        "pulse/embed.html", counters=counters, display=serializers.display,
        seconds_ago=services.seconds_ago(counters["computed_at"])))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"frame-ancestors {embed.frame_ancestors()}; base-uri 'self'; form-action 'self'; object-src 'none'")
    return response


@bp.route("/pulse/settings", methods=["GET", "POST"])
@write_limited
def settings():
    if not permissions.is_admin(current_user):
        abort(404)
    form = {"embed_origins": "\n".join(embed.embed_origins())}
    if request.method == "POST":
        form = {"embed_origins": request.form.get("embed_origins", "")}
        with unit_of_work(success=_("Saved."), flash_errors=False) as work:
            embed.set_embed_origins(current_user, form["embed_origins"])
        if work.error:
            return render_form("pulse/settings.html", form=form, error=work.error)
        return redirect(url_for("pulse.settings"))
    return render_form("pulse/settings.html", form=form)
