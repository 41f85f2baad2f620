"""Clinicians' feedback on extractions: what the model saw and answered, and the reviewer's verdict.

Stored through SQLAlchemy (SQLite for the embedded default, PostgreSQL in a cluster) with Alembic
migrations. Only de-identified text is stored: the note as the model saw it (scrubber placeholders),
the model's answer, and the reviewer's verdict, corrected fields and comment, both scrubbed first.
The original note and the placeholder-to-value mapping are never stored.
"""
