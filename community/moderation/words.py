"""The sensitive-word list (敏感词): matching with one Aho–Corasick automaton over normalized text,
and the list itself (stored, versioned, edited by admins).

Text and words are normalized the same way, character by character: NFKC (full-width →
half-width, compatibility forms), case folding, and separators (spaces, punctuation,
symbols, zero-width and other format characters) dropped. Each normalized character
remembers the offset of the original character it came from, so a match on
"敏 感-词" or "ＦＵＣＫ" maps back to the exact span of the original text to replace.

The automaton is built once per process and rebuilt when the word list version in the
database changes (one primary-key read per screening).
"""
from __future__ import annotations

import threading
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

import ahocorasick
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from community.audit.services import record_audit
from community.core import clock, permissions
from community.core.errors import Conflict, NotFound, ValidationFailed
from community.core.pagination import Page, paginate
from community.core.text import normalize
from community.extensions import db
from community.moderation.models import WORD_ACTIONS, SensitiveWord, WordListVersion

_SEPARATOR_CATEGORIES = ("P", "Z", "S", "C")  # punctuation, spaces, symbols, controls/format


def _is_separator(ch: str) -> bool:
    return unicodedata.category(ch)[0] in _SEPARATOR_CATEGORIES


def normalize_word(word: str) -> str:
    """The key a word is stored and matched under; empty if nothing matchable is left."""
    return "".join(normalize_text(word)[0])


def normalize_text(text: str) -> tuple[list[str], list[int]]:
    """Normalized characters and, for each, the offset of the original character."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, original in enumerate(text):
        if original.isascii():
            if original.isalnum():
                chars.append(original.lower())
                offsets.append(index)
            continue  # ASCII punctuation, spaces and controls are separators
        for ch in unicodedata.normalize("NFKC", original).casefold():
            if not _is_separator(ch):
                chars.append(ch)
                offsets.append(index)
    return chars, offsets


def _is_ascii_word(key: str) -> bool:
    return key.isascii()


@dataclass(frozen=True)
class Match:
    start: int      # offsets into the ORIGINAL text, end exclusive
    end: int
    key: str
    action: str     # "replace" or "hold"


def _bytes_as_text(text: str) -> str:
    """UTF-8 bytes spelled as latin-1 characters (see WordMatcher)."""
    return text.encode("utf-8").decode("latin-1")


def _utf8_length(ch: str) -> int:
    return 1 if ch < "\x80" else 2 if ch < "\u0800" else 3 if ch < "\U00010000" else 4


class WordMatcher:
    """Immutable matcher over (key, action) pairs.

    pyahocorasick looks a node's children up by linear search, so a trie whose root has
    thousands of children (one per distinct first character of a Chinese word list) scans
    them all for every character of the text: about 5 ms for a 2,000-character post against
    10k words. The automaton therefore runs over UTF-8 bytes (spelled as latin-1 characters,
    so the str API still works): no node has more than 256 children and the same scan takes
    tens of microseconds. UTF-8 is self-synchronizing, so a match of a whole encoded key
    always starts and ends on character boundaries. See bench/words.py.
    """

    def __init__(self, words: list[tuple[str, str]]):
        self.size = 0
        self._automaton = ahocorasick.Automaton()
        for key, action in words:
            if key:
                encoded = _bytes_as_text(key)
                self._automaton.add_word(encoded, (key, action, len(encoded)))
                self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        if not self.size or not text:
            return []
        chars, offsets = normalize_text(text)
        hits = list(self._automaton.iter(_bytes_as_text("".join(chars))))
        if not hits:
            return []
        byte_starts = list(accumulate((_utf8_length(ch) for ch in chars), initial=0))
        matches = []
        for end_byte, (key, action, size) in hits:
            start = bisect_left(byte_starts, end_byte - size + 1)
            end = start + len(key) - 1
            orig_start, orig_end = offsets[start], offsets[end] + 1
            # Latin words only count as whole words ("ass" must not hit "class"); CJK has no word breaks.
            if _is_ascii_word(key) and (_word_char(text, orig_start - 1) or _word_char(text, orig_end)):
                continue
            matches.append(Match(orig_start, orig_end, key, action))
        return matches

    def replace(self, text: str, matches: list[Match] | None = None, mask: str = "*") -> str:
        """Mask the replace-action matches; overlapping spans are merged."""
        spans = sorted((m.start, m.end) for m in (matches if matches is not None else self.find(text))
                       if m.action == "replace")
        if not spans:
            return text
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out, last = [], 0
        for start, end in merged:
            out.append(text[last:start])
            out.append("".join(mask if not ch.isspace() else ch for ch in text[start:end]))
            last = end
        out.append(text[last:])
        return "".join(out)


def _word_char(text: str, index: int) -> bool:
    if index < 0 or index >= len(text):
        return False
    ch = unicodedata.normalize("NFKC", text[index])
    return bool(ch) and ch.isascii() and ch.isalnum()


# Per-process cache --------------------------------------------------------------------

_lock = threading.Lock()
_cached: dict = {"version": None, "matcher": WordMatcher([])}


def current_matcher() -> WordMatcher:
    """The matcher for the current word list version, rebuilt only when the version changed."""
    # Keyed by database too (tests and tools run several apps in one process), and by the
    # list's size and newest id so a rolled-back change cannot leave a stale automaton behind.
    version = word_list_version()
    if _cached["version"] == version:
        return _cached["matcher"]
    with _lock:
        if _cached["version"] != version:
            _cached["matcher"] = WordMatcher(all_word_keys())
            _cached["version"] = version
    return _cached["matcher"]


def forget_cache() -> None:
    _cached["version"] = None


# Sensitive words -----------------------------------------------------------------------

def word_list_version() -> tuple:
    """Cheap fingerprint of the word list (see words.current_matcher)."""
    version = db.session.execute(sa.select(WordListVersion.version).where(WordListVersion.id == 1)).scalar_one_or_none()
    size, newest = db.session.execute(sa.select(sa.func.count(SensitiveWord.id), sa.func.max(SensitiveWord.id))).one()
    return (str(db.engine.url), version or 0, size, newest)


def all_word_keys() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(sa.select(SensitiveWord.key, SensitiveWord.action))]


def _bump_word_version() -> None:
    updated = db.session.execute(sa.update(WordListVersion).where(WordListVersion.id == 1)
                                 .values(version=WordListVersion.version + 1)).rowcount
    if not updated:
        db.session.add(WordListVersion(id=1, version=1))
    db.session.flush()


def _require_word_editor(actor) -> None:
    if not permissions.is_system(actor) and not permissions.can_edit_words(actor):
        raise NotFound()


def list_words(actor, *, q: str = "", page: int = 1, per_page: int = 50) -> Page:
    _require_word_editor(actor)
    stmt = sa.select(SensitiveWord)
    if q:
        key = normalize_word(q)
        stmt = stmt.where(sa.or_(SensitiveWord.word.contains(q, autoescape=True),
                                 SensitiveWord.key.contains(key or q, autoescape=True)))
    return paginate(stmt.order_by(SensitiveWord.id.desc()), page, per_page)


def _clean_word(word) -> tuple[str, str]:
    word = normalize(word or "")
    key = normalize_word(word)
    if not key:
        raise ValidationFailed(fields={"word": _l("Enter a word with at least one letter or character.")})
    if len(word) > 64 or len(key) > 64:
        raise ValidationFailed(fields={"word": _ln("At most %(num)d character.", "At most %(num)d characters.", 64)})
    return word, key


def add_word(actor, word, *, action: str = "replace") -> SensitiveWord:
    _require_word_editor(actor)
    if action not in WORD_ACTIONS:
        raise ValidationFailed(fields={"action": _l("Choose replace or hold.")})
    word, key = _clean_word(word)
    existing = db.session.execute(sa.select(SensitiveWord).where(SensitiveWord.key == key)).scalar_one_or_none()
    if existing is not None:
        if existing.action == action:
            raise Conflict(_l("That word is already on the list."), code="duplicate_word")
        before = existing.action
        existing.action = action
        record_audit(actor, "word.update", "sensitive_word", existing.id, before={"action": before},
                     after={"action": action, "word": existing.word})
        _bump_word_version()
        return existing
    entry = SensitiveWord(word=word, key=key, action=action, created_by_id=actor.id if actor else None,
                          created_at=clock.now())
    db.session.add(entry)
    db.session.flush()
    record_audit(actor, "word.add", "sensitive_word", entry.id, after={"word": word, "action": action})
    _bump_word_version()
    return entry


def remove_word(actor, word_id) -> None:
    _require_word_editor(actor)
    entry = db.session.get(SensitiveWord, word_id)
    if entry is None:
        raise NotFound()
    record_audit(actor, "word.remove", "sensitive_word", entry.id, before={"word": entry.word, "action": entry.action})
    db.session.delete(entry)
    _bump_word_version()


def import_words(actor, lines, *, action: str = "replace") -> dict:
    """Bulk import, one word per line (optionally `word<TAB or comma>action`); one audit row for the batch."""
    _require_word_editor(actor)
    if action not in WORD_ACTIONS:
        raise ValidationFailed(fields={"action": _l("Choose replace or hold.")})
    existing = dict(db.session.execute(sa.select(SensitiveWord.key, SensitiveWord.action)).all())
    rows, skipped = [], 0
    for raw in lines:
        line = normalize(raw)
        if not line or line.startswith("#"):
            continue
        word, line_action = line, action
        for sep in ("\t", ","):
            if sep in line:
                head, _, tail = line.rpartition(sep)
                if tail.strip() in WORD_ACTIONS:
                    word, line_action = head.strip(), tail.strip()
                break
        try:
            word, key = _clean_word(word)
        except ValidationFailed:
            skipped += 1
            continue
        if key in existing:
            skipped += 1
            continue
        existing[key] = line_action
        rows.append({"word": word, "key": key, "action": line_action,
                     "created_by_id": actor.id if actor else None, "created_at": clock.now()})
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.insert(SensitiveWord), rows[start:start + 1000])
    if rows:
        record_audit(actor, "word.import", "sensitive_word", None, after={"added": len(rows), "skipped": skipped})
        _bump_word_version()
    return {"added": len(rows), "skipped": skipped}
