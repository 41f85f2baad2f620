"""Chat templates shipped with the service (serve_app/llm/templates/) or given as an absolute path.

Kept free of heavy imports: `LLMSettings` validates `chat_template_file` with `template_path`.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def template_path(name: str) -> Path:
    """The template file for `name`: an absolute path, or a file name under serve_app/llm/templates/."""
    path = Path(name) if Path(name).is_absolute() else TEMPLATES_DIR / name
    if not path.is_file():
        shipped = sorted(p.name for p in TEMPLATES_DIR.glob("*.jinja"))
        raise ValueError(f"chat template {name!r} not found (shipped templates: {shipped})")
    return path


def load_chat_template(name: str | None) -> str | None:
    return template_path(name).read_text(encoding="utf-8") if name else None
