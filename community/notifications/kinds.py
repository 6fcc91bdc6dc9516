"""The notification kinds: one registry entry each (label, text, who may get it, whether bursts collapse).

Adding a kind is a local change: call `register()` here (or from another domain's
listeners) and create rows with `services.notify(...)`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from community.feedback.workflow import STATUS_LABELS


@dataclass(frozen=True)
class Kind:
    name: str
    label: object                      # shown on the preferences page
    text: Callable[[object], str]      # the sentence for one Notification, in the current locale
    staff_only: bool = False           # members never get it (and never see it in preferences)
    grouped: bool = False              # bursts on one post collapse into one unread row
    icon: str = "dot"                  # a symbol of templates/_macros/icons.html (inline SVG, no emoji)


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def _actor(n) -> str:
    names = n.actor_names or []
    return names[-1] if names else _("Someone")


def _status_label(n) -> str:
    status = (n.data or {}).get("status")
    return str(STATUS_LABELS.get(status, status or ""))


def _reply_text(n) -> str:
    if n.count > 1:
        return ngettext("%(actor)s and %(num)d other replied to you in “%(title)s”",
                        "%(actor)s and %(num)d others replied to you in “%(title)s”",
                        n.count - 1, actor=_actor(n), title=n.post_title)
    return _("%(actor)s replied to you in “%(title)s”", actor=_actor(n), title=n.post_title)


def _vote_text(n) -> str:
    if n.count > 1:
        return ngettext("%(num)d person also has this problem: “%(title)s”",
                        "%(num)d people also have this problem: “%(title)s”", n.count, title=n.post_title)
    return _("%(actor)s also has this problem: “%(title)s”", actor=_actor(n), title=n.post_title)


def _sla_text(n) -> str:
    data = n.data or {}
    target = _("first response") if data.get("target") == "first_response" else _("resolution")
    if data.get("level") == "breached":
        return _("“%(title)s” has missed its %(target)s target", title=n.post_title, target=target)
    return _("“%(title)s” is close to its %(target)s target", title=n.post_title, target=target)


def _shipped_text(n) -> str:
    version = (n.data or {}).get("version")
    if version:
        return _("What you supported has shipped in %(version)s: “%(title)s”", version=version, title=n.post_title)
    return _("What you supported has shipped: “%(title)s”", title=n.post_title)


register(Kind("reply", _l("Replies to my posts and comments"), _reply_text, grouped=True, icon="reply"))
register(Kind("official_reply", _l("Official replies on items I follow"),
              lambda n: _("%(actor)s posted an official reply on “%(title)s”", actor=_actor(n), title=n.post_title),
              icon="official"))
register(Kind("status_changed", _l("Status changes on items I follow"),
              lambda n: _("“%(title)s” is now %(status)s", title=n.post_title, status=_status_label(n)), icon="status"))
register(Kind("mention", _l("Mentions of @me"),
              lambda n: _("%(actor)s mentioned you in “%(title)s”", actor=_actor(n), title=n.post_title), icon="mention"))
register(Kind("vote", _l("“Me too” votes on my posts"), _vote_text, grouped=True, icon="vote"))
register(Kind("merged", _l("Items I follow merged into another"),
              lambda n: _("“%(title)s” was merged into “%(target)s”", title=n.post_title,
                          target=(n.data or {}).get("target_title", "")), icon="merge"))
register(Kind("vote_accepted", _l("Items I voted for were accepted"),
              lambda n: _("An item you voted for was accepted: “%(title)s”", title=n.post_title), icon="check"))
register(Kind("vote_shipped", _l("Feedback I supported has shipped"), _shipped_text, icon="ship"))
register(Kind("assigned", _l("Items assigned to me"),
              lambda n: _("“%(title)s” was assigned to you", title=n.post_title), staff_only=True, icon="inbox"))
register(Kind("sla_warning", _l("Response target warnings"), _sla_text, staff_only=True, icon="clock"))


def text_for(notification) -> str:
    kind = KINDS.get(notification.kind)
    return kind.text(notification) if kind else notification.kind


def kinds_for(user) -> list[Kind]:
    """The kinds this user can receive (staff-only kinds hidden from members)."""
    return [k for k in KINDS.values() if not k.staff_only or getattr(user, "is_staff", False)]
