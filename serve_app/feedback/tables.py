"""The feedback tables (SQLAlchemy 2.0 declarative). Alembic's migrations create and evolve them;
`migrations/versions/` must follow every change here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ExtractionRecord(Base):
    """One /v1/extract answer, kept so that it can be reviewed: what the model saw and said."""

    __tablename__ = "extractions"

    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    key_id: Mapped[str | None] = mapped_column(String(64))
    base_model: Mapped[str] = mapped_column(String(256))
    adapter: Mapped[str | None] = mapped_column(String(128), index=True)
    adapter_version: Mapped[str | None] = mapped_column(String(64))
    prompt_version: Mapped[str] = mapped_column(String(16))
    phi_profile: Mapped[str | None] = mapped_column(String(32))
    scrubbed_text: Mapped[str] = mapped_column(Text)  # placeholders, never the original note
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)


class Review(Base):
    """A reviewer's verdict on one extraction; one per (request, reviewer), a resubmission replaces it."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("request_id", "reviewer", name="uq_reviews_request_reviewer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("extractions.request_id", ondelete="CASCADE"), index=True
    )
    reviewer: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(8), index=True)
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # corrected fields (edit), scrubbed
    comment: Mapped[str | None] = mapped_column(Text)  # scrubbed
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
