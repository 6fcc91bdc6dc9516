"""Extract the message catalog from the sources and merge it into every locale (`make messages`).

tests/core/test_translations.py extracts with these same arguments, so a message the catalog
would miss fails the suite.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

ROOT = Path(__file__).resolve().parents[1]
# Babel's default skips every folder whose name starts with "_" (templates/_macros); name the
# folders to skip instead.
EXTRACT_ARGS = [
    "-F", "babel.cfg",
    "--ignore-dirs", ".* __pycache__ node_modules vendor",
    "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "-k", "lazy_ngettext:1,2", "-k", "_ln:1,2",
]


def extract(output: Path) -> None:
    # Run from the root so that the catalog's locations stay relative ("community/…").
    previous = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", "extract", *EXTRACT_ARGS, "-o", str(output), "."])
    finally:
        os.chdir(previous)


def main() -> None:
    pot = ROOT / "community/translations/messages.pot"
    extract(pot)
    CommandLineInterface().run(["pybabel", "-q", "update", "-i", str(pot),
                                "-d", str(ROOT / "community/translations")])


if __name__ == "__main__":
    sys.exit(main())
