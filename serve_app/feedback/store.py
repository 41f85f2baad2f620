"""FeedbackStore: the one place that reads and writes the feedback database (sync SQLAlchemy; the
ingress calls it off its event loop). Nothing here logs a value or the database URL."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from serve_app.extraction import FIELD_NAMES
from serve_app.feedback.models import (
    AdapterStats,
    ExtractionSnapshot,
    FeedbackStats,
    ReviewOutcome,
    TrainingPair,
    Verdict,
)
from serve_app.feedback.tables import ExtractionRecord, Review

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"


class UnknownRequestError(LookupError):
    """No reviewable extraction with that request id (never stored, or past retention)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def normalise(value: Any) -> str | None:
    """A field value as compared for agreement: case, accents kept, spacing folded."""
    if value is None:
        return None
    text = " ".join(str(value).split()).casefold()
    return text or None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def build_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class FeedbackStore:
    def __init__(self, url: str, retention_days: float) -> None:
        self._engine = build_engine(url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._retention = dt.timedelta(days=retention_days)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (idempotent; safe with several replicas on
        PostgreSQL, where Alembic's DDL runs in one transaction)."""
        config = alembic_config()
        with self._engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self._engine.dispose()

    # -- capture ------------------------------------------------------------------------------------
    def record_extraction(self, snapshot: ExtractionSnapshot, now: dt.datetime | None = None) -> None:
        """Keep an answer for review. A reused request id replaces the earlier extraction and the
        reviews of it (they reviewed another answer)."""
        with self._sessions.begin() as session:
            if session.get(ExtractionRecord, snapshot.request_id) is not None:
                session.execute(delete(Review).where(Review.request_id == snapshot.request_id))
                session.execute(
                    delete(ExtractionRecord).where(ExtractionRecord.request_id == snapshot.request_id)
                )
                session.flush()
            session.add(ExtractionRecord(created_at=now or _now(), **snapshot.model_dump()))

    def review(
        self,
        request_id: str,
        reviewer: str,
        verdict: Verdict,
        fields: dict[str, Any] | None,
        comment: str | None,
        now: dt.datetime | None = None,
    ) -> ReviewOutcome:
        """Store (or replace) `reviewer`'s verdict on the extraction `request_id`."""
        now = now or _now()
        with self._sessions.begin() as session:
            record = session.get(ExtractionRecord, request_id)
            if record is None or _aware(record.created_at) < now - self._retention:
                raise UnknownRequestError(request_id)
            existing = session.scalars(
                select(Review).where(Review.request_id == request_id, Review.reviewer == reviewer)
            ).one_or_none()
            if existing is None:
                existing = Review(request_id=request_id, reviewer=reviewer, created_at=now)
                session.add(existing)
            replaced = existing.id is not None
            existing.verdict = verdict
            existing.fields = fields
            existing.comment = comment
            existing.updated_at = now
            return ReviewOutcome(
                request_id=request_id,
                reviewer=reviewer,
                verdict=verdict,
                replaced=replaced,
                adapter=record.adapter,
                adapter_version=record.adapter_version,
                corrected_fields=sorted(_disagreements(record.answer, verdict, fields)),
            )

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete extractions past retention that nobody reviewed (reviewed ones are training data)."""
        cutoff = (now or _now()) - self._retention
        reviewed = select(Review.request_id)
        with self._sessions.begin() as session:
            result = session.execute(
                delete(ExtractionRecord).where(
                    ExtractionRecord.created_at < cutoff, ExtractionRecord.request_id.not_in(reviewed)
                )
            )
            return int(result.rowcount or 0)

    # -- reading ------------------------------------------------------------------------------------
    def stats(self) -> FeedbackStats:
        by_verdict: Counter[str] = Counter()
        groups: dict[tuple[str | None, str | None], dict[str, Any]] = defaultdict(
            lambda: {"verdicts": Counter(), "compared": 0, "disagree": Counter()}
        )
        with Session(self._engine) as session:
            rows = session.execute(
                select(
                    Review.verdict,
                    Review.fields,
                    ExtractionRecord.answer,
                    ExtractionRecord.adapter,
                    ExtractionRecord.adapter_version,
                ).join(ExtractionRecord, ExtractionRecord.request_id == Review.request_id)
            )
            for verdict, fields, answer, adapter, version in rows:
                by_verdict[verdict] += 1
                group = groups[(adapter, version)]
                group["verdicts"][verdict] += 1
                if verdict in ("accept", "edit"):
                    group["compared"] += 1
                    group["disagree"].update(_disagreements(answer, verdict, fields))
        adapters = [
            AdapterStats(
                adapter=adapter,
                adapter_version=version,
                reviews=sum(group["verdicts"].values()),
                by_verdict=dict(group["verdicts"]),
                compared=group["compared"],
                field_disagreement={
                    field: round(group["disagree"][field] / max(1, group["compared"]), 4)
                    for field in FIELD_NAMES
                },
            )
            for (adapter, version), group in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0])))
        ]
        return FeedbackStats(reviews=sum(by_verdict.values()), by_verdict=dict(by_verdict), adapters=adapters)

    def training_pairs(self, adapter: str | None = None) -> list[TrainingPair]:
        """Accepted answers and edited corrections as (de-identified note, fields) pairs."""
        query = (
            select(Review, ExtractionRecord)
            .join(ExtractionRecord, ExtractionRecord.request_id == Review.request_id)
            .where(Review.verdict.in_(("accept", "edit")))
            .order_by(Review.request_id, Review.reviewer)
        )
        if adapter is not None:
            query = query.where(ExtractionRecord.adapter == adapter)
        with Session(self._engine) as session:
            return [
                TrainingPair(
                    id=f"{record.request_id}:{review.reviewer}",
                    text=record.scrubbed_text,
                    fields=review.fields if review.verdict == "edit" and review.fields else record.answer,
                    verdict=review.verdict,
                    adapter=record.adapter,
                    adapter_version=record.adapter_version,
                )
                for review, record in session.execute(query).tuples()
            ]


def _disagreements(answer: dict[str, Any], verdict: str, fields: dict[str, Any] | None) -> set[str]:
    """Fields the reviewer changed (an accept changes none; a reject is not field-level)."""
    if verdict != "edit" or fields is None:
        return set()
    return {name for name in FIELD_NAMES if normalise(answer.get(name)) != normalise(fields.get(name))}
