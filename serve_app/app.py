"""The Clinserve Ray Serve application: Ingress -> PHIScrubber -> LLM, composed with handles.

Serve config files point at `serve_app.app:build_app`; its `args` are validated by `AppArgs`.
"""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from serve_app.config import AppArgs
from serve_app.ingress.deployment import Ingress
from serve_app.llm.deployment import LLMDeployment
from serve_app.scrubber.deployment import PHIScrubberDeployment


def build_app(args: dict[str, Any] | AppArgs) -> Application:
    settings = args if isinstance(args, AppArgs) else AppArgs.model_validate(args)
    scrubber = PHIScrubberDeployment.bind()
    llm = LLMDeployment.bind(settings.llm)
    return Ingress.bind(scrubber, llm, settings)
