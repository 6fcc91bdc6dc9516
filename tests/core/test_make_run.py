"""`make run` prints "is running at http://…" only once that address answers."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.realtime.servers import ROOT, free_port, server_env

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_the_running_at_line_appears_when_the_server_answers(tmp_path, migrated_db):
    db_path = tmp_path / "community.db"
    shutil.copy(migrated_db, db_path)
    port = free_port()
    # The recipe of `run` itself; install, migrate and seed are other tests' business.
    command = ["make", "--no-print-directory", "-o", "install", "-o", "migrate", "-o", "seed", "run",
               f"BIN={Path(sys.executable).parent}", "HOST=127.0.0.1", f"PORT={port}"]
    make = subprocess.Popen(command, cwd=ROOT, env=server_env(tmp_path, db_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = make.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "is running at" in line:
                assert f"http://127.0.0.1:{port}/" in line
                answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)  # at once, no retry
                assert answer.status_code == 200
                return
        pytest.fail("no 'is running at' line:\n" + "".join(seen))
    except requests.ConnectionError as exc:
        pytest.fail(f"'is running at' was printed before the server listened: {exc}\n" + "".join(seen))
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(10)
