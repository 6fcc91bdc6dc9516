"""Sensitive-word matching (敏感词): one Aho–Corasick automaton over normalized text.

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
from itertools import accumulate
from dataclasses import dataclass

import ahocorasick

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
    from community.moderation import services

    # Keyed by database too (tests and tools run several apps in one process), and by the
    # list's size and newest id so a rolled-back change cannot leave a stale automaton behind.
    version = services.word_list_version()
    if _cached["version"] == version:
        return _cached["matcher"]
    with _lock:
        if _cached["version"] != version:
            _cached["matcher"] = WordMatcher(services.all_word_keys())
            _cached["version"] = version
    return _cached["matcher"]


def forget_cache() -> None:
    _cached["version"] = None
