"""The UI is Chinese first: every message the catalog extraction finds has a current Chinese
translation. The test extracts with the project's own arguments (scripts/messages.py, babel.cfg),
so a folder or keyword the extraction would skip fails here too."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _messages_script():
    spec = importlib.util.spec_from_file_location("messages_script", ROOT / "scripts/messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    output = tmp_path_factory.mktemp("catalog") / "messages.pot"
    _messages_script().extract(output)
    with open(output, "rb") as fh:
        return [message for message in read_po(fh) if message.id]


def _catalog(locale):
    with open(ROOT / f"community/translations/{locale}/LC_MESSAGES/messages.po", "rb") as fh:
        return read_po(fh)


def test_every_message_has_a_chinese_translation(extracted):
    catalog = _catalog("zh")
    missing = []
    for message in extracted:
        entry = catalog.get(message.id, context=message.context)
        strings = entry.string if entry is not None else ""
        done = all(strings) if isinstance(strings, (tuple, list)) else bool(strings)
        if entry is None or entry.fuzzy or not done:
            missing.append((message.context, message.id))
    assert not missing, (f"{len(missing)} untranslated; run `make messages` and translate: {missing[:10]}")


def test_macro_templates_are_extracted(extracted):
    # Babel skips folders starting with "_" unless told otherwise: the pagination macro lives in one.
    locations = {path for message in extracted for path, _line in message.locations}
    assert "templates/_macros/posts.html" in locations
    assert "templates/_macros/forms.html" in locations


def test_counts_use_plural_forms(extracted):
    """A count in a message without ngettext reads "1 comments" in English."""
    counts = [m.id for m in extracted if not isinstance(m.id, tuple) and re.search(r"%\((n|num|count)\)d", m.id)]
    assert not counts, f"use ngettext for counts: {counts[:10]}"


HAN = r"[\u4e00-\u9fff]"
HALF_WIDTH_NEXT_TO_HAN = re.compile(rf"{HAN}[:;,!?()]|[:;,!?(]\s*{HAN}|{HAN}\s[:;,!?]")


def test_chinese_copy_uses_full_width_punctuation():
    half_width = []
    for entry in _catalog("zh"):
        strings = entry.string if isinstance(entry.string, (tuple, list)) else [entry.string]
        half_width += [s for s in strings if entry.id and s and HALF_WIDTH_NEXT_TO_HAN.search(s)]
    assert not half_width, half_width[:10]


def test_templates_keep_punctuation_inside_the_message():
    """`{{ _('Assigned to') }}:` shows a half-width colon after Chinese: the colon belongs in the msgid."""
    glued = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\b_\('[^']*'\) \}\}[:;?!]|\(\{\{ _\('[^']*'\) \}\}\)", line):
                glued.append(f"{path.relative_to(ROOT)}:{number}")
    assert not glued, glued
