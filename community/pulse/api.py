"""JSON API: the public growth dashboard (/api/v1/pulse). Read-only and public."""
from __future__ import annotations

from flask import jsonify, request

from community.api import bp, openapi
from community.api.shapes import STR
from community.pulse import serializers, services

TAGS = ["pulse"]


@bp.get("/pulse", endpoint="pulse")
def pulse():
    slug = request.args.get("product") or None
    product_id = services.get_product(slug).id if slug else None  # NotFound → 404
    return jsonify({
        "product": slug,
        "counters": serializers.counters_shape(services.counters(product_id)),
        "departments": [serializers.department_shape(r) for r in services.scoreboard(product_id)],
        "weekly": services.weekly_received_resolved(product_id),
        "response_times": services.weekly_response_percentiles(product_id),
    })


openapi.document("/pulse", "get", summary="The public growth dashboard: live counters, department scoreboard, trends",
                 tags=TAGS, parameters=[openapi.query_param("product", STR, "Product slug: figures for one product")],
                 response=serializers.PULSE, errors=(404,),
                 description="Counted items: public feedback, not hidden or deleted, merged duplicates once. "
                             "Department figures cover the last 30 days with the trend against the 30 before; "
                             "weeks start on Monday (local time).")
