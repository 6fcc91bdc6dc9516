"""Property-based: services take any text, number or shape a channel can deliver and either work or
raise a DomainError (a 4xx with a message), never anything else (a 500).

Few examples per property and a fixed seed keep the suite fast and failures reproducible.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.accounts import services as accounts
from community.core.errors import DomainError
from community.extensions import db
from community.feedback import services as feedback
from community.search import engine
from community.search import services as search
from community.triage import services as triage

FAST = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))

# What arrives from forms, query strings, JSON and sockets: any text (controls, bidi, astral,
# lone surrogates excluded as no channel decodes them), numbers of any size, and nested shapes.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(texts, inner, max_size=4)), max_leaves=12)


def _only_domain_errors(call):
    savepoint = db.session.begin_nested()
    try:
        call()
    except DomainError:
        pass
    finally:
        savepoint.rollback()


@pytest.fixture
def scene(make):
    world = make.world()
    world["product"] = make.product()
    db.session.commit()
    return world


def test_posting_accepts_any_text_and_shape(scene):
    @FAST
    @given(kind=st.sampled_from(["feedback", "discussion", "trial_report"]) | texts, title=texts, body=texts,
           feedback_type=st.sampled_from(["bug", "suggestion"]) | texts, trial=json_values)
    def run(kind, title, body, feedback_type, trial):
        _only_domain_errors(lambda: feedback.submit_post(
            scene["member"], kind=kind, title=title, body=body, category=scene["category"],
            feedback_type=feedback_type, product=scene["product"], trial=trial if isinstance(trial, dict) else {}))

    run()


def test_comments_edits_and_lookups_accept_any_input(scene):
    @FAST
    @given(body=texts, reason=texts, some_id=json_values)
    def run(body, reason, some_id):
        post = scene["post"]
        _only_domain_errors(lambda: feedback.add_comment(scene["member"], post, body))
        _only_domain_errors(lambda: feedback.edit_post(scene["member"], post, title=body, body=body, reason=reason))
        _only_domain_errors(lambda: feedback.get_post(scene["member"], some_id))
        _only_domain_errors(lambda: feedback.get_comment(scene["member"], some_id))

    run()


def test_search_filters_and_queries_accept_any_input(scene):
    @FAST
    @given(q=texts, date_from=texts | st.dates().map(str), date_to=texts | st.dates().map(str), kind=texts,
           category=texts)
    def run(q, date_from, date_to, kind, category):
        _only_domain_errors(lambda: search.build_filters(kind=kind or None, category=category,
                                                         date_from=date_from, date_to=date_to))
        engine.parse_user_query(q, max_chars=200)

    run()


def test_account_and_triage_inputs_accept_anything(scene):
    @FAST
    @given(username=texts, email=texts, password=texts, display_name=texts, ids=json_values, tags=json_values)
    def run(username, email, password, display_name, ids, tags):
        _only_domain_errors(lambda: accounts.register_user(username, email, password, display_name=display_name))
        _only_domain_errors(lambda: accounts.update_profile(scene["member"], display_name=display_name))
        triage.parse_ids(ids if isinstance(ids, list) else [ids])
        _only_domain_errors(lambda: triage.parse_tags(tags if isinstance(tags, (list, str)) else str(tags)))

    run()
