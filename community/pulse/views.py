"""The public growth dashboard pages (/pulse): counters, scoreboard, trend charts and their JSON."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, render_template, request

from community.pulse import serializers, services

bp = Blueprint("pulse", __name__)
log = logging.getLogger(__name__)


def _summary_counters():
    """The home page's summary: never let the dashboard break another page."""
    try:
        return services.counters()
    except Exception:
        log.exception("pulse summary failed")
        return None


def install_template_helpers(app) -> None:
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
        products=services.products(), percent=serializers.percent)


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
