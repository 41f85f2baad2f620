"""OpenAI-compatible routes of the ingress: /v1/models, /v1/chat/completions, /v1/completions.

Scrub every message, forward the scrubbed request to the LLM replica (where vLLM's own OpenAI
serving layer answers it), restore original values on request, and keep the error envelope.
"""
