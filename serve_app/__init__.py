"""Clinserve: PHI-safe clinical information extraction on Ray Serve and vLLM."""

__version__ = "0.1.0"
