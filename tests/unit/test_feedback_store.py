"""FeedbackStore on a real SQLite file, schema by the Alembic migrations (no server needed), and on
a real PostgreSQL server too when `CLINSERVE_TEST_POSTGRES_URL` names one (a database the tests may
wipe, e.g. postgresql+psycopg://clinserve:pw@127.0.0.1/clinserve_test): every test runs on each."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from serve_app.feedback.models import ExtractionSnapshot
from serve_app.feedback.store import FeedbackStore, UnknownRequestError, alembic_config

ANSWER = {
    "cancer_type": "NSCLC",
    "stage": "IV",
    "gene_mutation": None,
    "biomarker": "PD-L1 50%",
    "treatment": "osimertinib",
    "response": None,
    "metastasis_site": "brain",
}


def snapshot(request_id: str, adapter: str = "medical-ie", version: str = "sha256:aaaaaaaaaaaa"):
    return ExtractionSnapshot(
        request_id=request_id,
        key_id="clinic-app",
        base_model="base",
        adapter=adapter,
        adapter_version=version,
        prompt_version="p1",
        phi_profile="safe_harbor",
        scrubbed_text="[PERSON_1], NSCLC stage IV, PD-L1 50%, brain mets, on osimertinib.",
        answer=ANSWER,
    )


POSTGRES_URL = os.environ.get("CLINSERVE_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database: a new SQLite file, or the PostgreSQL test database with its schema wiped."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fb.sqlite3'}"
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server: set CLINSERVE_TEST_POSTGRES_URL to run these on one")
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture
def store(db_url):
    s = FeedbackStore(db_url, retention_days=30)
    s.migrate()
    yield s
    s.dispose()


def test_migrations_create_the_tables_and_are_idempotent(db_url):
    url = db_url
    first = FeedbackStore(url, retention_days=1)
    first.migrate()
    first.migrate()  # a second replica starting: nothing to do
    tables = set(inspect(first._engine).get_table_names())
    assert {"extractions", "reviews", "alembic_version"} <= tables
    first.dispose()
    command.downgrade(alembic_config(url), "base")  # the migration reverses too
    command.upgrade(alembic_config(url), "head")


def test_review_round_trip_and_stats(store):
    store.record_extraction(snapshot("r1"))
    store.record_extraction(snapshot("r2"))
    store.record_extraction(snapshot("r3", version="sha256:bbbbbbbbbbbb"))
    edited = {**ANSWER, "gene_mutation": "EGFR exon 19 deletion", "response": "partial response"}
    out = store.review("r1", "alice", "edit", edited, None)
    assert out.corrected_fields == ["gene_mutation", "response"] and not out.replaced
    store.review("r2", "alice", "accept", None, "fine")
    store.review("r3", "bob", "reject", None, None)
    stats = store.stats()
    assert stats.reviews == 3 and stats.by_verdict == {"edit": 1, "accept": 1, "reject": 1}
    first = next(a for a in stats.adapters if a.adapter_version == "sha256:aaaaaaaaaaaa")
    assert first.compared == 2
    assert first.field_disagreement["gene_mutation"] == 0.5
    assert first.field_disagreement["cancer_type"] == 0.0
    pairs = {p.id: p for p in store.training_pairs()}
    assert set(pairs) == {"r1:alice", "r2:alice"}  # a reject teaches no fields
    assert pairs["r1:alice"].fields["gene_mutation"] == "EGFR exon 19 deletion"
    assert pairs["r2:alice"].fields == ANSWER


def test_resubmission_replaces_the_same_reviewers_verdict(store):
    store.record_extraction(snapshot("r1"))
    store.review("r1", "alice", "reject", None, None)
    again = store.review("r1", "alice", "accept", None, None)
    assert again.replaced
    store.review("r1", "bob", "accept", None, None)  # another reviewer: a second review
    assert store.stats().by_verdict == {"accept": 2}


def test_unknown_and_expired_request_ids(store):
    with pytest.raises(UnknownRequestError):
        store.review("nope", "alice", "accept", None, None)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    store.record_extraction(snapshot("old"), now=old)
    store.record_extraction(snapshot("old-reviewed"), now=old)
    store.review("old-reviewed", "alice", "accept", None, None, now=old + dt.timedelta(days=1))
    with pytest.raises(UnknownRequestError):
        store.review("old", "alice", "accept", None, None)
    assert store.purge_expired() == 1  # the reviewed one is kept: it is training data
    assert [p.id for p in store.training_pairs()] == ["old-reviewed:alice"]


def test_reused_request_id_replaces_the_extraction_and_its_reviews(store):
    store.record_extraction(snapshot("r1"))
    store.review("r1", "alice", "accept", None, None)
    store.record_extraction(snapshot("r1", version="sha256:cccccccccccc"))
    assert store.stats().reviews == 0


def test_migrations_match_the_table_models(store):
    """`tables.py` and the Alembic revisions describe the same schema (a new column needs a revision)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from serve_app.feedback.tables import Base

    with store._engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
