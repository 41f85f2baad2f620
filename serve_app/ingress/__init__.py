"""The Ingress process: HTTP API, authentication, validation and routing to the scrubber and LLM.

Runs in the `Ingress` Serve replica. It never loads a model: it talks to the other deployments
only through `downstream.Downstream`.
"""
