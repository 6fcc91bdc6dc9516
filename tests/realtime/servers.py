"""Real server processes for the live tests: gunicorn (threading mode) on a free port."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECRET = "live-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_reachable(url: str = "redis://127.0.0.1:6379/0") -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


def server_env(workdir: Path, db_path: Path, *, redis_url: str | None = None) -> dict:
    """The environment of a test server and of the `flask` commands run against its data."""
    env = dict(os.environ, FLASK_APP="app.py", INSTANCE_PATH=str(workdir / "instance"),
               DATABASE_URL=f"sqlite:///{db_path}", SECRET_KEY=SECRET, RATELIMIT_ENABLED="0",
               SEARCH_INDEX_DIR=str(workdir / "search_index"), LOG_LEVEL="INFO",
               NEW_USER_RATE="1000 per minute")  # as in TEST_CONFIG: tests write fast
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


class Server:
    """One `gunicorn -k gthread -w 1` process, like `make run`, logging to a file.

    `as_make_run=True` uses `make run`'s settings file (scripts/gunicorn_run.py: request-line
    limit, shutdown timeouts) instead of the short graceful timeout the other tests want.
    """

    def __init__(self, workdir: Path, db_path: Path, *, redis_url: str | None = None, threads: int = 32,
                 overrides: dict | None = None, as_make_run: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"server-{self.port}.log"
        env = server_env(workdir, db_path, redis_url=redis_url)
        env.update(overrides or {})
        self._log = open(self.log_path, "wb")
        settings = ["-c", "scripts/gunicorn_run.py"] if as_make_run else ["--graceful-timeout", "1"]
        self.proc = subprocess.Popen(
            [str(GUNICORN), *settings, "--worker-class", "gthread", "-w", "1", "--threads", str(threads),
             "-b", f"127.0.0.1:{self.port}", "app:app"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> "Server":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """kill -9 of the master and its worker at once: nothing shuts down, nothing is flushed."""
        pids = [self.proc.pid]
        try:
            pids += [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except OSError:
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(10)
        self._log.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def login(server: Server, username: str, password: str) -> requests.Session:
    """A browser-like HTTP session: CSRF token from the page, then the login form."""
    http = requests.Session()
    http.headers["Connection"] = "close"  # no keep-alive races with gunicorn closing idle connections
    page = http.get(server.url + "/login").text
    http.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # the login form's own field
    response = http.post(server.url + "/login", data={"login": username, "password": password,
                                                      "csrf_token": http.csrf}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    http.csrf = re.search(r'name="csrf-token" content="([^"]+)"', http.get(server.url + "/products").text).group(1)
    return http


def cookie_header(http: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class PrivateRedis:
    """A throwaway redis-server we may stop and start (the outage test)."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.proc = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not redis_reachable(self.url):
            if time.monotonic() > deadline:
                raise RuntimeError("private redis did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
            self.proc.terminate()
            self.proc.wait(5)
            self.proc = None

    def kill(self) -> None:
        """kill -9: no shutdown, open connections reset."""
        self.proc.kill()
        self.proc.wait(5)
        self.proc = None

    def pause(self) -> None:
        """SIGSTOP: connections open, nothing answers (a hung Redis)."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.proc.send_signal(signal.SIGCONT)
