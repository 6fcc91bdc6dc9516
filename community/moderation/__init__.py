"""Moderation: flags, hide/lock/pin/delete, suspensions and bans, word filter, audit log."""


def init_app(app):
    from community.domains import module_exists

    # Blueprints and CLI are added by the moderation views/cli modules as they land.
    if module_exists("community.moderation.setup"):
        from community.moderation.setup import register

        register(app)
