"""Search pages: results with filters, similar items while composing, admin rebuild."""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.core import permissions
from community.core.limits import search_limited
from community.core.pagination import clamp_page
from community.feedback import services as feedback
from community.feedback.workflow import STATUS_LABELS
from community.routing import services as routing
from community.search import forms, services
from community.search.indexer import get_indexer, index_health

bp = Blueprint("search", __name__, url_prefix="/search")

SORT_LABELS = {"relevance": _l("Best match"), "new": _l("Newest"), "votes": _l("Most voted")}
@bp.get("")
@search_limited
def index():
    q = request.args.get("q", "")
    sort = request.args.get("sort", "relevance")
    raw, filters, errors = forms.filters_from_args(request.args)
    context = {"q": q[:2000], "sort": sort if sort in services.SORTS else "relevance", "filters": raw,
               "errors": errors, "results": None, "unavailable": None,
               "categories": routing.list_categories(), "products": feedback.list_products(),
               "departments": routing.list_departments(), "status_labels": STATUS_LABELS,
               "can_rebuild": permissions.is_admin(current_user), "sort_labels": SORT_LABELS}
    status = 200
    if q.strip() and filters is not None:
        try:
            context["results"] = services.search(current_user, q, filters=filters, sort=context["sort"],
                                                 page=clamp_page(request.args.get("page")))
        except (services.SearchUnavailableError, services.SearchBusyError) as exc:
            context["unavailable"] = exc.message
            context["rebuilding"] = get_indexer().rebuilding
            if permissions.is_staff(current_user):
                # Staff see what is wrong with the index, to act on it or to pass it on.
                context["index_problem"] = index_health(get_indexer().store)[1]
            status = 503
    elif errors:
        status = 422
    return render_template("search/search.html", **context), status


@bp.get("/similar")
def similar():
    """Up to five public items like the title being typed (JSON for similar.js)."""
    return jsonify(forms.similar_items_json(current_user, request.args.get("title", "")))


@bp.post("/rebuild")
@login_required
def rebuild():
    services.request_rebuild(current_user)
    flash(_("Rebuilding the search index. Search will be back in a moment."), "success")
    return redirect(url_for("search.index", q=request.form.get("q", "")))
