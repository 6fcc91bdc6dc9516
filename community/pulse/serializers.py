"""JSON shapes of the dashboard (the API, the chart endpoints and the live push)."""
from __future__ import annotations

from flask_babel import force_locale

from community.api import openapi
from community.api.shapes import INT, STR, iso, obj
from community.core.web import duration

NULLABLE_INT = {"type": ["integer", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}
SHARE = obj({"received": INT, "replied_within_24h": INT, "rate": NULLABLE_NUMBER})
COUNTERS = openapi.schema("PulseCounters", obj({
    "received_today": INT, "received_this_week": INT, "received_all_time": INT, "official_replies_today": INT,
    "replied_within_24h_7d": SHARE, "replied_within_24h_30d": SHARE,
    "median_first_response_seconds_7d": NULLABLE_INT, "median_first_response_seconds_30d": NULLABLE_INT,
    "resolved_this_week": INT, "ideas_shipped_this_quarter": INT,
    "computed_at": {"type": "string", "format": "date-time"},
}))
TREND = {"type": ["object", "null"], "properties": {"direction": {"type": "string", "enum": ["up", "down", "same"]},
                                                     "better": {"type": ["boolean", "null"]}, "previous": {}}}
DEPARTMENT = openapi.schema("PulseDepartment", obj({
    "department_id": INT, "name": STR, "items": INT, "median_first_response_seconds": NULLABLE_INT,
    "within_sla_rate": NULLABLE_NUMBER, "open_backlog": INT, "resolved": INT, "satisfaction_rate": NULLABLE_NUMBER,
    "ratings": INT, "reassignments_per_item": NULLABLE_NUMBER,
    "trends": {"type": "object", "additionalProperties": TREND},
}))
WEEKLY = openapi.schema("PulseWeek", obj({"week": {"type": "string", "format": "date"}, "received": INT,
                                          "resolved": INT}))
PERCENTILES = openapi.schema("PulseResponseWeek", obj({"week": {"type": "string", "format": "date"},
                                                       "p50_seconds": NULLABLE_INT, "p90_seconds": NULLABLE_INT}))
PULSE = openapi.schema("Pulse", obj({
    "product": {"type": ["string", "null"]}, "counters": COUNTERS,
    "departments": openapi.array_of(DEPARTMENT), "weekly": openapi.array_of(WEEKLY),
    "response_times": openapi.array_of(PERCENTILES),
}))


def counters_shape(counters: dict) -> dict:
    data = dict(counters)
    data["computed_at"] = iso(data["computed_at"])
    return data


def department_shape(row) -> dict:
    return {"department_id": row.department_id, "name": row.name, "items": row.items,
            "median_first_response_seconds": row.median_first_response_seconds,
            "within_sla_rate": row.within_sla_rate, "open_backlog": row.open_backlog, "resolved": row.resolved,
            "satisfaction_rate": row.satisfaction_rate, "ratings": row.ratings,
            "reassignments_per_item": row.reassignments_per_item,
            "trends": {name: row.trend(name) for name in row.TREND_FIELDS}}


def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def display(counters: dict, locale: str) -> dict:
    """The counters as the page shows them, in one locale (the push carries both)."""
    with force_locale(locale):
        def secs(value):
            return duration(value) if value is not None else "—"
        return {
            "received_today": f"{counters['received_today']:,}",
            "received_this_week": f"{counters['received_this_week']:,}",
            "received_all_time": f"{counters['received_all_time']:,}",
            "official_replies_today": f"{counters['official_replies_today']:,}",
            "replied_within_24h_7d": percent(counters["replied_within_24h_7d"]["rate"]),
            "replied_within_24h_30d": percent(counters["replied_within_24h_30d"]["rate"]),
            "median_first_response_seconds_7d": secs(counters["median_first_response_seconds_7d"]),
            "median_first_response_seconds_30d": secs(counters["median_first_response_seconds_30d"]),
            "resolved_this_week": f"{counters['resolved_this_week']:,}",
            "ideas_shipped_this_quarter": f"{counters['ideas_shipped_this_quarter']:,}",
        }


def push_payload(counters: dict) -> dict:
    data = counters_shape(counters)
    data["display"] = {"zh_CN": display(counters, "zh_CN"), "en": display(counters, "en")}
    return data
