"""Admin pages for departments, categories and contacts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts.models import User
from community.accounts.services import get_user_by_username, set_role
from community.core import permissions
from community.core.limits import write_limited
from community.core.unit_of_work import unit_of_work
from community.extensions import db
from community.routing import services
from community.routing.models import DEFAULT_FIRST_RESPONSE_HOURS, DEFAULT_RESOLUTION_DAYS, Category, Contact

bp = Blueprint("routing", __name__, url_prefix="/admin/routing")


@bp.before_request
@login_required
def _admins_only():
    if not permissions.can_manage_routing(current_user):
        abort(404)  # the admin area does not exist for others


@bp.get("/")
def index():
    departments = services.list_departments()
    staff = list(db.session.execute(sa.select(User).where(User.role.in_(("staff", "moderator", "admin")))
                                    .order_by(User.username)).scalars())
    load = services.open_load([c.user_id for d in departments for c in d.contacts])
    return render_template("routing/index.html", departments=departments, categories=services.list_categories(),
                           staff=staff, load=load)


def _int(name):
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


@bp.post("/")
@write_limited
def update():
    action = request.form.get("action")
    with unit_of_work(success=_("Saved.")):
        if action == "create_department":
            lead = db.session.get(User, _int("lead_id")) if _int("lead_id") else None
            services.create_department(current_user, slug=request.form.get("slug", ""), name=request.form.get("name", ""),
                                       name_en=request.form.get("name_en", ""),
                                       first_response_hours=request.form.get("first_response_hours",
                                                                             DEFAULT_FIRST_RESPONSE_HOURS),
                                       resolution_days=request.form.get("resolution_days", DEFAULT_RESOLUTION_DAYS),
                                       lead=lead)
        elif action == "update_department":
            dept = services.get_department(_int("department_id") or 0)
            lead = db.session.get(User, _int("lead_id")) if _int("lead_id") else None
            services.update_department(current_user, dept, name=request.form.get("name"),
                                       first_response_hours=request.form.get("first_response_hours"),
                                       resolution_days=request.form.get("resolution_days"), lead=lead)
        elif action == "create_category":
            dept = services.get_department(_int("department_id")) if _int("department_id") else None
            services.create_category(current_user, slug=request.form.get("slug", ""), name=request.form.get("name", ""),
                                     name_en=request.form.get("name_en", ""),
                                     description=request.form.get("description", ""), department=dept)
        elif action == "move_category":
            category = db.session.get(Category, _int("category_id") or 0) or abort(404)
            dept = services.get_department(_int("department_id")) if _int("department_id") else None
            services.move_category(current_user, category, dept)
        elif action == "set_contact":
            dept = services.get_department(_int("department_id") or 0)
            user = db.session.get(User, _int("user_id") or 0) or abort(404)
            ids = [int(i) for i in request.form.getlist("category_ids") if i.isdigit()]
            cats = [c for c in services.list_categories() if c.id in ids]
            services.set_contact(current_user, dept, user, categories=cats)
        elif action in ("activate_contact", "deactivate_contact"):
            contact = db.session.get(Contact, _int("contact_id") or 0) or abort(404)
            services.set_contact_active(current_user, contact, action == "activate_contact")
        elif action == "set_role":
            user = get_user_by_username(request.form.get("username", "").strip())
            set_role(current_user, user, request.form.get("role", ""), title=request.form.get("title", ""))
            if _int("department_id") and user.is_staff:
                services.add_department_member(current_user, services.get_department(_int("department_id")), user)
        elif action == "remove_contact":
            contact = db.session.get(Contact, _int("contact_id") or 0) or abort(404)
            services.remove_contact(current_user, contact)
        else:
            abort(400)
    return redirect(url_for("routing.index"))
