"""Browser journeys: Debian's Chromium, driven by Playwright, against the app started the way
`make run` starts it (migrations, demo seed, gunicorn gthread -w 1) on a free port, with a
SQLite file and search index in tmp and the Socket.IO client served from /static/vendor.

Skips (with the reason) only where no browser can be had: Playwright not installed, or no
Chromium at CHROMIUM_PATH (default /usr/bin/chromium; `make install` installs Debian's).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.realtime.servers import ROOT, Server, server_env

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium calls home, and the closed network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FLASK = Path(sys.executable).with_name("flask")
DEMO_SIZE = ["--posts", "160", "--members", "40", "--staff", "12"]


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (make install installs requirements.lock)")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (make install runs apt-get install chromium; "
                    "set CHROMIUM_PATH for another one)")
    if not (ROOT / "community/static/vendor/socket.io.min.js").exists():
        pytest.skip("the Socket.IO client is not installed (make assets)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(browser, tmp_path_factory):
    """The demo brand on a real server: `flask db upgrade`, `flask demo seed`, gunicorn."""
    workdir = tmp_path_factory.mktemp("browser-site")
    db_path = workdir / "community.db"
    env = server_env(workdir, db_path)
    for command in (["db", "upgrade"], ["demo", "seed", *DEMO_SIZE]):
        done = subprocess.run([str(FLASK), *command], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    server = Server(workdir, db_path, threads=100)
    try:
        server.wait_ready(timeout=120)  # a loaded machine boots slowly
    except Exception:
        server.stop()  # never leave the process behind
        raise
    server.db_path = db_path
    yield server
    server.stop()


@pytest.fixture
def journey_factory(browser, site, request):
    from tests.browser.browsing import Journey

    made = []

    def start(*, mobile: bool = False):
        journey = Journey(browser, site.url, request.node.name, mobile=mobile)
        made.append(journey)
        return journey

    yield start
    for journey in made:
        journey.finish()


@pytest.fixture
def journey(journey_factory):
    return journey_factory()


@pytest.fixture(params=["desktop", "mobile"])
def member_journey(journey_factory, request):
    """Member journeys run at 1280×900 and at 390×844 with touch."""
    return journey_factory(mobile=request.param == "mobile")
