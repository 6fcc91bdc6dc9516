"""Moderation rules: flags, moderator actions, suspensions and bans, held content, the word list, audit search.

Every service takes the acting user, checks community.core.permissions, changes rows,
writes an audit record in the same transaction, flushes and sends a domain signal.
Nothing here commits. Members asking for moderator-only things get NotFound (the
console does not exist for them); staff without the moderator role get PermissionDenied.
The rules live in content, restrictions, words and community.audit; this module keeps
every public name importable from one place.
"""

from __future__ import annotations

from community.audit.services import audit_actions, record_audit, search_audit  # noqa: F401
from community.moderation.content import (  # noqa: F401
    AUDITED_COMMENT_KEY,
    COMMENT_ACTIONS,
    FLAG_NOTIFICATION_KIND,
    FLAG_OUTCOME_LABELS,
    FLAG_REASON_LABELS,
    HOLD_REASON_LABELS,
    POST_ACTIONS,
    REASON_MAX,
    FlagGroup,
    HeldKind,
    Target,
    decide_hold,
    delete_post,
    flag_content,
    get_hold,
    get_target,
    held_kind,
    hide_post,
    list_flag_queue,
    list_holds,
    list_my_flags,
    lock_post,
    moderate_comment,
    moderate_post,
    open_flag_count,
    pending_hold_reasons,
    pin_post,
    record_hold,
    register_held_kind,
    require_admin,
    require_moderator,
    require_staff_view,
    resolve_flags,
    restore_post,
)
from community.moderation.restrictions import (  # noqa: F401
    MAX_SUSPENSION_DAYS,
    ban_user,
    get_user,
    lift_suspension,
    new_user_settings,
    suspend_user,
    unban_user,
    user_history,
)
from community.moderation.words import add_word, all_word_keys, import_words, list_words, remove_word, word_list_version  # noqa: F401
