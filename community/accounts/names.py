"""Display names people cannot use to impersonate staff or hide text.

A display name is normalized (NFC, spaces collapsed) and refused when it holds invisible or
direction-changing characters (controls, zero-width, bidi overrides, fillers), when it is
confusable with a staff member's name, title, badge or department, or when a member's name
uses a reserved word (官方, 客服, admin…). "Confusable" compares skeletons: NFKC, case
folded, separators dropped and look-alike letters mapped (Cyrillic о → o, 0 → o, 1 → l).
It then goes through content screening like every other text a member writes.
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from community.accounts.models import STAFF_ROLES, User
from community.core.errors import ValidationFailed
from community.core.screening import screen
from community.core.text import normalize
from community.extensions import db

MAX_LENGTH = 64

# Categories never shown as text: controls, format (zero-width, bidi), private use, surrogates,
# unassigned, line and paragraph separators.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
# Letters that render blank.
_BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}

# A member's name may not contain these (Chinese has no word breaks) …
RESERVED_PARTS = ("官方", "客服", "管理员", "版主", "员工", "系统通知", "工作人员")
# … nor be one of these (English words inside longer names are usually innocent).
RESERVED_NAMES = ("official", "admin", "administrator", "moderator", "mod", "staff", "system", "support", "team")

_LOOKALIKES = str.maketrans({
    "0": "o", "1": "l", "i": "l", "|": "l", "3": "e", "5": "s", "$": "s", "@": "a", "7": "t",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "l", "ј": "j", "ѕ": "s",
    "ɑ": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "l", "κ": "k", "τ": "t", "υ": "u",
})


def skeleton(text: str) -> str:
    """What a name looks like, for comparing: width, case, separators and look-alikes folded."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    kept = "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZSCM" or ch in "|$@")
    return kept.translate(_LOOKALIKES)


def _has_invisible(text: str) -> bool:
    return any(unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch in _BLANK_LETTERS for ch in text)


def _staff_names(exclude_user_id: int | None) -> set[str]:
    names: set[str] = set()
    staff = db.session.execute(sa.select(User).where(User.role.in_(STAFF_ROLES))).scalars()
    for user in staff:
        if user.id == exclude_user_id:
            continue
        for text in (user.display_name, user.username, user.title, user.public_badge,
                     *(d.name for d in user.departments)):
            key = skeleton(text)
            if len(key) >= 2:
                names.add(key)
    return names


def clean_display_name(actor, value, *, field: str = "display_name", is_staff: bool = False) -> str:
    """The normalized display name, or ValidationFailed naming `field`. Empty means "use the username"."""
    name = re.sub(r"\s+", " ", normalize(value if isinstance(value, str) else ""))
    if not name:
        return ""
    if _has_invisible(name):
        raise ValidationFailed(fields={field: _l("Names cannot contain invisible or direction-changing characters.")})
    if len(name) > MAX_LENGTH:
        raise ValidationFailed(fields={field: _l("That name is too long.")})
    key = skeleton(name)
    if not key:
        raise ValidationFailed(fields={field: _l("Use letters or digits in your name.")})
    if not is_staff and (any(skeleton(word) in key for word in RESERVED_PARTS)
                         or key in {skeleton(word) for word in RESERVED_NAMES}):
        raise ValidationFailed(fields={field: _l("That name is reserved for the team.")})
    if key in _staff_names(getattr(actor, "id", None)):
        raise ValidationFailed(fields={field: _l("That name is too close to a staff member's.")})
    screening = screen(actor, "profile", {field: name})
    if screening.held:
        raise ValidationFailed(fields={field: _l("That name is not allowed.")})
    return screening.fields[field]
