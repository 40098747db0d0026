"""The permanently-deleted list holds keyed hashes, never addresses (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache


@lru_cache(maxsize=8)
def _keyed(secret_key: str) -> hmac.HMAC:
    return hmac.new(secret_key.encode(), digestmod=hashlib.sha256)


def email_hash(secret_key: str, email: str) -> str:
    """HMAC-SHA256 of the normalized email; the keyed state is built once and copied per call."""
    h = _keyed(secret_key).copy()
    h.update(email.encode())
    return h.hexdigest()
