"""Schema-driven fuzz: Schemathesis generates requests from /api/v1/openapi.json, in process (WSGI).

Every operation gets valid (positive) and invalid (negative) requests, as an administrator
with an all-scope token, and none may answer 5xx. Examples are few per operation and the
seed is fixed (derandomize) so the suite stays fast and a failure reproduces.
"""
from __future__ import annotations

import contextvars
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from community.accounts import services as accounts
from community.extensions import db
from tests.api.conftest import writing

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 6))


def _isolated(app):
    """Each request in its own context and database session, as in production."""
    def wsgi(environ, start_response):
        db.session.commit()
        return contextvars.Context().run(app, environ, start_response)
    return wsgi


@pytest.fixture
def admin_token(world, make):
    with writing():
        admin = make.user("admin")
        _row, raw = accounts.create_api_token(admin, "fuzz", scopes=["read", "write", "staff", "admin"])
    return raw


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_api_operation_answers_a_server_error(app, admin_token, mode, caplog):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _isolated(app))
    headers = {"Authorization": f"Bearer {admin_token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                errors = [r.exc_text or r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
                failures.append(f"{response.status_code} {case.method} {case.formatted_path} "
                                f"query={case.query} body={str(case.body)[:200]}\n"
                                f"{(errors[-1] if errors else '')[-600:]}")

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
            assert mode is GenerationMode.NEGATIVE
    assert operations > 30  # the document lists the whole API
    assert not failures, "\n".join(failures[:30])
