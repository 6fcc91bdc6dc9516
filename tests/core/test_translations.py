"""The UI is Chinese first: every message in the code has a current Chinese translation."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _msgids():
    ids = set()
    for folder, method in (("community", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[(pattern, method)], keywords=KEYWORDS):
            ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def test_every_message_has_a_chinese_translation():
    with open(ROOT / "community/translations/zh/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    missing = []
    for msgid in sorted(_msgids()):
        entry = catalog.get(msgid)
        strings = entry.string if entry is not None else ""
        done = all(strings) if isinstance(strings, (tuple, list)) else bool(strings)
        if entry is None or entry.fuzzy or not done:
            missing.append(msgid)
    assert not missing, (f"{len(missing)} untranslated; run pybabel extract/update and translate: "
                         f"{missing[:10]}")
