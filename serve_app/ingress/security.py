"""API-key authentication, CORS and security headers for the ingress.

Keys come from a YAML/JSON file (a Kubernetes Secret mounted in the chart) and/or an env var,
each with an id that the audit log records. Only SHA-256 digests are kept in memory; a presented
key is hashed and compared against every known digest with `hmac.compare_digest`, so the time
taken does not depend on which key (or how much of one) matched. The file is re-read when it
changes, so rotating or revoking a key needs no restart.

Key file format:
    keys:
      - id: ehr-gateway
        sha256: 9f86d0...       # hex digest of the key (preferred), or
      - id: batch-jobs
        key: plaintext-key      # plaintext (hashed on load)
        revoked: true           # a revoked key gets 401 like an unknown one
Env var (`api_keys_env`, default CLINSERVE_API_KEYS): "id1:key1,id2:key2".
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

logger = logging.getLogger("ray.serve.clinserve.security")

# Query parameters that look like credentials: a key there ends up in proxy and access logs.
CREDENTIAL_QUERY_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token", "authorization"})
OPEN_PATH_PREFIXES = ("/health/",)


class SecuritySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    auth_enabled: bool = Field(default=True, description="Require 'Authorization: Bearer <key>'.")
    api_keys_file: str | None = Field(default=None, description="YAML/JSON key file (see module doc).")
    api_keys_env: str = Field(default="CLINSERVE_API_KEYS", description="Env var with 'id:key,...'.")
    cors_allow_origins: list[str] = Field(
        default_factory=list, description="Origins allowed by CORS; empty = no cross-origin access."
    )


class KeyEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    key: str | None = Field(default=None, min_length=16)
    revoked: bool = False

    @model_validator(mode="after")
    def _one_secret(self) -> KeyEntry:
        if (self.sha256 is None) == (self.key is None):
            raise ValueError("each key entry needs exactly one of 'sha256' or 'key'")
        return self

    @property
    def digest(self) -> bytes:
        if self.sha256 is not None:
            return bytes.fromhex(self.sha256)
        return hashlib.sha256(self.key.encode()).digest()  # type: ignore[union-attr]


class KeyFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[KeyEntry] = Field(default_factory=list)


class KeyRing:
    """Active API keys by digest. Thread-safe; reloads the key file when its mtime changes."""

    def __init__(self, settings: SecuritySettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._file_mtime: float | None = None
        self._active: list[tuple[bytes, str]] = []
        self._load()
        if settings.auth_enabled and not self._active:
            logger.warning("API-key auth is enabled but no active key is configured: every call gets 401.")

    def _load(self) -> None:
        entries: list[KeyEntry] = []
        path = self._settings.api_keys_file
        if path:
            self._file_mtime = os.stat(path).st_mtime
            data = yaml.safe_load(Path(path).read_text()) or {}
            entries.extend(KeyFile.model_validate(data).keys)
        for item in filter(None, os.environ.get(self._settings.api_keys_env, "").split(",")):
            key_id, _, key = item.strip().partition(":")
            entries.append(KeyEntry(id=key_id, key=key))
        self._active = [(entry.digest, entry.id) for entry in entries if not entry.revoked]

    def _reload_if_changed(self) -> None:
        path = self._settings.api_keys_file
        if not path:
            return
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return  # keep the last good key set while a Secret is being swapped
        if mtime != self._file_mtime:
            with self._lock:
                try:
                    self._load()
                    logger.info("API key file reloaded: %d active keys", len(self._active))
                except Exception as exc:
                    logger.error("API key file reload failed (%s); keeping previous keys", type(exc).__name__)
                    self._file_mtime = mtime

    def authenticate(self, presented: str) -> str | None:
        """The key id for a valid, unrevoked key, else None. Compares against every digest."""
        self._reload_if_changed()
        digest = hashlib.sha256(presented.encode()).digest()
        matched: str | None = None
        for known, key_id in self._active:
            if hmac.compare_digest(known, digest):
                matched = key_id
        return matched


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def is_open_path(path: str) -> bool:
    return path.startswith(OPEN_PATH_PREFIXES)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "frame-ancestors 'none'",
}
