"""Where feedback is stored and for how long (the application's `feedback` block)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DATABASE_URL_ENV = "CLINSERVE_FEEDBACK_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path.home() / ".local" / "share" / "clinserve" / "feedback.sqlite3"


class FeedbackSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True,
        description="Keep each /v1/extract answer (de-identified) so reviewers can correct it.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL. None: $CLINSERVE_FEEDBACK_DATABASE_URL (a Secret in the Helm chart), else "
            "a SQLite file under ~/.local/share/clinserve. Never logged (it may hold a password)."
        ),
    )
    retention_days: float = Field(
        default=30, gt=0, description="An extraction can be reviewed for this long; then 404."
    )
    max_comment_chars: int = Field(default=2000, ge=1, le=20_000)

    def resolved_url(self) -> str:
        url = self.database_url or os.environ.get(DATABASE_URL_ENV)
        if url:
            return url
        DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
