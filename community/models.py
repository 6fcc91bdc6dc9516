"""Imports every domain's models so SQLAlchemy metadata (and Alembic) sees all tables."""
import importlib

from community.domains import module_exists

for _domain in ("accounts", "routing", "feedback", "notifications", "search", "moderation", "triage", "pulse", "realtime"):
    if module_exists(f"community.{_domain}.models"):
        importlib.import_module(f"community.{_domain}.models")
