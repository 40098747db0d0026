"""The permanently-deleted list holds keyed hashes, never addresses (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac


def email_hash(secret_key: str, email: str) -> str:
    return hmac.new(secret_key.encode(), email.encode(), hashlib.sha256).hexdigest()
