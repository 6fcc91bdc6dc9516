"""Pages while 50 clients run long searches at once, with and without the search bound.

    .venv/bin/python bench/search_pressure.py            # seeds 3,000 posts into bench/.cache/search_pressure
    .venv/bin/python bench/search_pressure.py 4 100      # SEARCH_CONCURRENCY values to compare

For each SEARCH_CONCURRENCY value it starts the server as `make run` does (gunicorn gthread,
100 threads, scripts/gunicorn_run.py), keeps 50 clients searching a 24-word query, and times
20 item pages meanwhile. Run by hand; close other heavy work first.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CACHE = ROOT / "bench" / ".cache" / "search_pressure"
QUERY = "车机 蓝牙 断连 空调 座椅 导航 语音 续航 充电 OTA 升级 异响 刹车 轮胎 灯光 雨刮 天窗 音响 屏幕 卡顿 闪退 定位 钥匙 软件"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(**extra) -> dict:
    return dict(os.environ, FLASK_APP="app.py", INSTANCE_PATH=str(CACHE / "instance"),
                DATABASE_URL=f"sqlite:///{CACHE / 'community.db'}", SEARCH_INDEX_DIR=str(CACHE / "search_index"),
                SECRET_KEY="bench", RATELIMIT_ENABLED="0", ANON_PAGE_CACHE_SECONDS="0", **extra)


def seed() -> None:
    if (CACHE / "community.db").exists():
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    for command in (["db", "upgrade"], ["demo", "seed", "--posts", "3000"]):
        subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env(), check=True, capture_output=True)


def measure(concurrency: int) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(CACHE / f"server-{concurrency}.log", "w") as log:
        server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "scripts/gunicorn_run.py", "--worker-class", "gthread",
                                   "-w", "1", "--threads", "100", "-b", f"127.0.0.1:{port}", "app:app"],
                                  cwd=ROOT, env=env(SEARCH_CONCURRENCY=str(concurrency)), stdout=log,
                                  stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if requests.get(url + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        stop, answers = threading.Event(), []

        def search():
            http = requests.Session()
            while not stop.is_set():
                try:
                    answers.append(http.get(url + "/api/v1/search", params={"q": QUERY}, timeout=30).status_code)
                except requests.RequestException as exc:
                    answers.append(type(exc).__name__)

        clients = [threading.Thread(target=search) for _ in range(50)]
        for client in clients:
            client.start()
        time.sleep(3)
        started, pages = time.monotonic(), []
        for n in range(20):
            t0 = time.monotonic()
            requests.get(f"{url}/posts/{n + 1}", timeout=60)
            pages.append(time.monotonic() - t0)
        window = time.monotonic() - started
        stop.set()
        for client in clients:
            client.join()
    finally:
        server.terminate()
        server.wait(10)
    return (f"SEARCH_CONCURRENCY={concurrency}: item page p50 {statistics.median(pages) * 1000:.0f} ms, "
            f"max {max(pages) * 1000:.0f} ms over {window:.1f} s; searches {dict(Counter(answers))}")


def main() -> None:
    seed()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for value in [int(a) for a in sys.argv[1:]] or [4, 100]:
        print(measure(value), flush=True)


if __name__ == "__main__":
    if "--rebuild" in sys.argv:
        shutil.rmtree(CACHE, ignore_errors=True)
        sys.argv.remove("--rebuild")
    main()
