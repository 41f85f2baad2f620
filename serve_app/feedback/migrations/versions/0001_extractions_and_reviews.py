"""extractions and reviews

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "extractions",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=True),
        sa.Column("base_model", sa.String(256), nullable=False),
        sa.Column("adapter", sa.String(128), nullable=True),
        sa.Column("adapter_version", sa.String(64), nullable=True),
        sa.Column("prompt_version", sa.String(16), nullable=False),
        sa.Column("phi_profile", sa.String(32), nullable=True),
        sa.Column("scrubbed_text", sa.Text(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
    )
    op.create_index("ix_extractions_created_at", "extractions", ["created_at"])
    op.create_index("ix_extractions_adapter", "extractions", ["adapter"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "request_id",
            sa.String(64),
            sa.ForeignKey("extractions.request_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("request_id", "reviewer", name="uq_reviews_request_reviewer"),
    )
    op.create_index("ix_reviews_request_id", "reviews", ["request_id"])
    op.create_index("ix_reviews_verdict", "reviews", ["verdict"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("extractions")
