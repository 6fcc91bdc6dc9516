"""Wires moderation into the app: blueprint, CLI, signal listeners, screeners, template globals."""
from __future__ import annotations


def register(app) -> None:
    from community.core import permissions
    from community.moderation import cli, listeners, screeners, services, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.words_cli)
    listeners.connect()
    screeners.register()  # register_screener de-duplicates, so several apps in one process are fine
    _register_notification_kind()
    app.config.setdefault("NEW_USER_POST_COUNT", 3)
    app.config.setdefault("NEW_USER_MAX_LINKS", 1)
    app.config.setdefault("NEW_USER_RATE", "3 per 10 minutes")
    app.jinja_env.globals.update(FLAG_REASON_LABELS=services.FLAG_REASON_LABELS,
                                 FLAG_OUTCOME_LABELS=services.FLAG_OUTCOME_LABELS,
                                 HOLD_REASON_LABELS=services.HOLD_REASON_LABELS,
                                 can_flag=permissions.can_flag, can_moderate=permissions.can_moderate)


def _register_notification_kind() -> None:
    """Flaggers are told the outcome through notifications when that domain is installed."""
    from community.domains import module_exists

    if not module_exists("community.notifications.kinds"):
        return
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from community.notifications.kinds import KINDS, Kind, register
    from community.moderation.services import FLAG_NOTIFICATION_KIND, FLAG_OUTCOME_LABELS

    def text(n) -> str:
        outcome = FLAG_OUTCOME_LABELS.get((n.data or {}).get("outcome"), "")
        if n.post_title:
            return _("A moderator reviewed what you flagged in “%(title)s”: %(outcome)s", title=n.post_title,
                     outcome=outcome)
        return _("A moderator reviewed what you flagged: %(outcome)s", outcome=outcome)

    if FLAG_NOTIFICATION_KIND not in KINDS:
        register(Kind(FLAG_NOTIFICATION_KIND, _l("Outcomes of my flags"), text, icon="⚑"))
