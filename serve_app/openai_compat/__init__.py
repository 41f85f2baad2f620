"""OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions) with PHI scrubbing.

`routes.OpenAIRoutes` is mixed into the Ingress deployment; `generation.Generator` runs inside the
LLM deployment. Import them from their modules: this package's root imports nothing heavy.
"""
