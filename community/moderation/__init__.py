"""Moderation: flags, hide/lock/pin/delete, suspensions and bans, word filter (the audit log is community.audit)."""

# New-account limits. The count is larger than the rate's, so a new account writing fast meets
# the rate before it is established (held contributions do not establish it).
NEW_USER_DEFAULTS = {"NEW_USER_POST_COUNT": 5, "NEW_USER_MAX_LINKS": 1, "NEW_USER_RATE": "3 per 10 minutes"}


def init_app(app):
    from community.core import permissions
    from community.moderation import api, cli, listeners, models, screeners, services, views  # noqa: F401

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.words_cli)
    listeners.connect()
    screeners.register()  # register_screener de-duplicates, so several apps in one process are fine
    _register_notification_kind()
    for key, value in NEW_USER_DEFAULTS.items():
        app.config.setdefault(key, value)
    app.jinja_env.globals.update(FLAG_REASON_LABELS=services.FLAG_REASON_LABELS,
                                 FLAG_OUTCOME_LABELS=services.FLAG_OUTCOME_LABELS,
                                 HOLD_REASON_LABELS=services.HOLD_REASON_LABELS,
                                 pending_hold_reasons=services.pending_hold_reasons, held_kind=services.held_kind,
                                 can_flag=permissions.can_flag, can_moderate=permissions.can_moderate)


def _register_notification_kind() -> None:
    """Flaggers are told the outcome through notifications."""
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from community.moderation.services import FLAG_NOTIFICATION_KIND, FLAG_OUTCOME_LABELS
    from community.notifications.kinds import KINDS, Kind, register

    def text(n) -> str:
        outcome = FLAG_OUTCOME_LABELS.get((n.data or {}).get("outcome"), "")
        if n.post_title:
            return _("A moderator reviewed what you flagged in “%(title)s”: %(outcome)s", title=n.post_title,
                     outcome=outcome)
        return _("A moderator reviewed what you flagged: %(outcome)s", outcome=outcome)

    if FLAG_NOTIFICATION_KIND not in KINDS:
        register(Kind(FLAG_NOTIFICATION_KIND, _l("Outcomes of my flags"), text, icon="flag"))
