"""The one place the training code touches the serving code: serve config, prompt template,
base-model resolution, PHI scrubber and the vLLM extraction engine. When the serving package moves
things around, this file is the only one to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_CONFIG = REPO_ROOT / "serve_config.local.yaml"
ADAPTER_NAME = "medical-ie"
ADAPTER_DIR = REPO_ROOT / "serve_app" / "local" / "assets" / "smollm2-medical-ie-lora"
BASE_MODEL_REF = "embedded:smollm2-135m-instruct"


def load_app_args(path: Path | str = LOCAL_CONFIG) -> Any:
    """`AppArgs` of the first application of a serve config file."""
    try:
        from serve_app.config import load_app_args as _load
    except ImportError:  # before the config module grows its loader
        import yaml

        from serve_app.config import AppArgs

        def _load(p: Path | str) -> Any:
            data = yaml.safe_load(Path(p).read_text())
            return AppArgs.model_validate(data["applications"][0]["args"])

    return _load(path)


def prompt_spec(config: Path | str = LOCAL_CONFIG, adapter: str = ADAPTER_NAME) -> tuple[str, str]:
    """(template, instruction) the LLM deployment uses for `adapter`: one source for the prompt."""
    llm = load_app_args(config).llm
    if hasattr(llm, "prompt_for"):
        spec = llm.prompt_for(adapter)
        return spec.template, spec.instruction
    return llm.prompt_template, llm.instruction


def render(template: str, instruction: str, text: str) -> str:
    from serve_app.extraction import render_prompt

    return render_prompt(template, instruction, text)


def field_names() -> tuple[str, ...]:
    from serve_app.extraction import FIELD_NAMES

    return FIELD_NAMES


def resolve_model(ref: str) -> str:
    """A model/adapter reference (embedded:..., folder, hub id) to a loadable path."""
    from serve_app.local import embedded

    return embedded.resolve(ref)


class Scrubber:
    """The project's own PHI scrubber with its default settings (what production runs)."""

    def __init__(self) -> None:
        from serve_app.phi import PhiScrubber, ScrubberSettings

        self._scrubber = PhiScrubber(ScrubberSettings())

    def __call__(self, text: str) -> str:
        return self._scrubber.scrub(text).text


class EvalEngine:
    """The production extraction path (vLLM engine + schema-constrained `Extractor`) without Ray,
    built from the serve config's LLM settings. `adapter_path` replaces the `medical-ie` adapter's
    path (e.g. a freshly trained one); `extract(..., max_tokens=N)` caps one request's budget."""

    def __init__(
        self, config: Path | str = LOCAL_CONFIG, adapter_path: str | None = None, **overrides: Any
    ) -> None:
        from serve_app.llm.extraction import Extractor
        from serve_app.llm.vllm_host import VllmHost

        llm = load_app_args(config).llm
        if adapter_path is not None:
            adapters = dict(llm.adapters)
            adapters[ADAPTER_NAME] = adapters[ADAPTER_NAME].model_copy(update={"path": adapter_path})
            overrides["adapters"] = adapters
        self.settings = llm.model_copy(update=overrides)
        self.host = VllmHost(self.settings, ray_metrics=False)
        self._extractor_cls = Extractor
        self._extractors: dict[tuple[int | None, str | None], Any] = {(None, None): Extractor(self.host)}

    def _extractor(self, max_tokens: int | None, value_vocabulary: str | None) -> Any:
        key = (max_tokens, value_vocabulary)
        if key not in self._extractors:
            update: dict[str, Any] = {}
            if max_tokens is not None:
                update["max_tokens"] = max_tokens
            if value_vocabulary is not None:
                update["value_vocabulary"] = value_vocabulary
            self._extractors[key] = self._extractor_cls(
                _CappedHost(self.host, self.settings.model_copy(update=update))
            )
        return self._extractors[key]

    async def extract(
        self,
        scrubbed_text: str,
        adapter_name: str | None,
        request_id: str,
        max_tokens: int | None = None,
        value_vocabulary: str | None = None,
    ) -> Any:
        """`max_tokens` / `value_vocabulary` override the config's for this request."""
        extractor = self._extractor(max_tokens, value_vocabulary)
        return await extractor.extract(scrubbed_text, adapter_name, request_id)

    def shutdown(self) -> None:
        self.host.shutdown()


class _CappedHost:
    """The same engine host, seen with other settings (a smaller completion budget)."""

    def __init__(self, host: Any, settings: Any) -> None:
        self._host = host
        self.settings = settings

    def __getattr__(self, name: str) -> Any:
        return getattr(self._host, name)


def base_selector() -> str:
    """Adapter name that selects the bare base model."""
    from serve_app.llm.adapters import BASE_MODEL_SELECTOR

    return BASE_MODEL_SELECTOR
