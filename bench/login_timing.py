"""Login timing: an existing account with a wrong password versus an unknown login.

    .venv/bin/python bench/login_timing.py              # scrypt (production), 15 attempts each
    .venv/bin/python bench/login_timing.py --method pbkdf2:sha256:600000 --attempts 30

Both answers must cost the same hashing work, so their times overlap and do not tell which
logins exist (docs/security.md). Through the whole WSGI stack (Flask test client), on a fresh
SQLite database. The ceiling, measured the same way in the same run: GET /healthz.
"""
from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--method", default="scrypt")
    parser.add_argument("--attempts", type=int, default=15)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from community import create_app
    from community.accounts import services
    from community.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-login-"))
    app = create_app({"INSTANCE_PATH": str(tmp / "instance"), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'b.db'}",
                      "SEARCH_INDEX_DIR": str(tmp / "search"), "RATELIMIT_ENABLED": False, "REDIS_URL": None,
                      "RATELIMIT_STORAGE_URI": "memory://", "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": args.method})
    with app.app_context():
        upgrade()
        services.register_user("existing", "existing@example.test", "the-right-password")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def timed(path, data=None) -> float:
        started = time.perf_counter()
        response = client.post(path, data=data) if data is not None else client.get(path)
        assert response.status_code in (200, 401), response.status_code
        return (time.perf_counter() - started) * 1000

    rows = {"ceiling: GET /healthz": [], "existing account, wrong password": [], "unknown login": []}
    for _ in range(args.attempts):  # interleaved, so load changes hit both alike
        rows["ceiling: GET /healthz"].append(timed("/healthz"))
        rows["existing account, wrong password"].append(
            timed("/login", {"login": "existing", "password": "wrong-password", "csrf_token": token}))
        rows["unknown login"].append(timed("/login", {"login": "nobody-here", "password": "wrong-password",
                                                      "csrf_token": token}))
    print(f"hash method {args.method}, {args.attempts} attempts each (ms)")
    for name, values in rows.items():
        values.sort()
        print(f"  {name:36s} p50 {statistics.median(values):7.1f}  min {values[0]:7.1f}  max {values[-1]:7.1f}")


if __name__ == "__main__":
    main()
