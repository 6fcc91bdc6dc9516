"""Configuration: safe defaults, overridden by the environment, then by create_app(config)."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'community.db'}"
    redis_url = os.environ.get("REDIS_URL") or None
    secure_cookies = _bool("COOKIE_SECURE", False)
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # How long a write waits for another writer (another process holding SQLite's lock)
        # before the request answers 503 "server busy" with Retry-After.
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", 5000)),
        # PostgreSQL: the same bound for a row lock held elsewhere, and a cap on any statement.
        "PG_LOCK_TIMEOUT_MS": int(os.environ.get("PG_LOCK_TIMEOUT_MS", 5000)),
        "PG_STATEMENT_TIMEOUT_MS": int(os.environ.get("PG_STATEMENT_TIMEOUT_MS", 30000)),
        "REDIS_URL": redis_url,
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR") or str(instance_path / "search_index"),
        # Searches running at once per process; more wait up to SEARCH_QUEUE_SECONDS, then 503 search_busy.
        "SEARCH_CONCURRENCY": int(os.environ.get("SEARCH_CONCURRENCY", 4)),
        "SEARCH_QUEUE_SECONDS": float(os.environ.get("SEARCH_QUEUE_SECONDS", 2)),
        # Sessions and cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        # Server-side end of a login without "remember me" (see accounts.sessions).
        "SESSION_MAX_AGE": timedelta(days=30),
        # Requests.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        # The longest address (path and query) the app reads; longer ones get a 414. A
        # 2,000-character Chinese search is about 18,000 bytes once percent-encoded.
        "MAX_URL_BYTES": int(os.environ.get("MAX_URL_BYTES", 32 * 1024)),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "TRUST_PROXY_HEADERS": _bool("TRUST_PROXY_HEADERS", False),
        # Rate limits; storage follows REDIS_URL so several workers share counters.
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis is a helper: if it is down or hung, limits fall back to this process's memory
        # (same limits, logged once) after at most a short socket timeout, and storage errors
        # never fail the request; Flask-Limiter pings Redis back with a growing interval.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS", 0.5)),
                                      "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT_SECONDS", 0.5))},
        # Failed logins, counted separately per address (shared behind a NAT, so higher) and per account.
        "RATE_LIMIT_LOGIN": os.environ.get("RATE_LIMIT_LOGIN", "30 per minute; 200 per hour"),
        "RATE_LIMIT_LOGIN_ACCOUNT": os.environ.get("RATE_LIMIT_LOGIN_ACCOUNT", "5 per minute; 20 per hour"),
        "RATE_LIMIT_WRITE": os.environ.get("RATE_LIMIT_WRITE", "30 per minute; 300 per hour"),
        "RATE_LIMIT_SEARCH_ADDRESS": os.environ.get("RATE_LIMIT_SEARCH_ADDRESS", "60 per minute; 1000 per hour"),
        "RATE_LIMIT_SEARCH_ACCOUNT": os.environ.get("RATE_LIMIT_SEARCH_ACCOUNT", "30 per minute; 500 per hour"),
        # Locale.
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ["zh_CN", "en"],
        # Product rules.
        "REOPEN_WINDOW_DAYS": 14,
        "POSTS_PER_PAGE": 20,
        # Roadmap: show demand weighted by each supporter's contribution (formula printed beside it).
        "ROADMAP_WEIGHTED_DEMAND": os.environ.get("ROADMAP_WEIGHTED_DEMAND", "") == "1",
        "ANON_PAGE_CACHE_SECONDS": int(os.environ.get("ANON_PAGE_CACHE_SECONDS", 5)),
        "SOCKETIO_ASYNC_MODE": "threading",
        # New-account limits (defaults in community.moderation), overridable from the environment.
        **{key: os.environ[key] for key in ("NEW_USER_POST_COUNT", "NEW_USER_MAX_LINKS", "NEW_USER_RATE")
           if os.environ.get(key)},
    }
