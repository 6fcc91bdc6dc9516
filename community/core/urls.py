"""Redirect targets from user input must stay on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """Return `target` only if it is a local path; rejects //evil, /\\evil, https:evil, javascript:."""
    if not target or not isinstance(target, str):
        return default
    target = target.strip()
    if any(ch in target for ch in "\\\r\n\t\x00") or not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
