"""The HMAC key of the access trail and the export manifests, kept outside the database.

`mac()` signs with the current key and says which key it used; `verify()` accepts the current
key and the retired ones (settings.AUDIT_HMAC_OLD_KEYS), so a key can rotate without breaking
the chains and manifests signed before.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _keys() -> dict[str, bytes]:
    keys = {}
    for pair in filter(None, (p.strip() for p in settings.AUDIT_HMAC_OLD_KEYS.split(","))):
        key_id, sep, secret = pair.partition(":")
        if not sep or not key_id or not secret:
            raise ImproperlyConfigured('AUDIT_HMAC_OLD_KEYS takes "id:key" pairs, comma-separated.')
        keys[key_id] = secret.encode()
    keys[settings.AUDIT_HMAC_KEY_ID] = settings.AUDIT_HMAC_KEY.encode()
    return keys


def current_key_id() -> str:
    return settings.AUDIT_HMAC_KEY_ID


def mac(message: bytes, *, key_id: str | None = None) -> tuple[str, str]:
    """(key id, hex HMAC-SHA-256 of `message`) with the current key, or the named one."""
    key_id = key_id or current_key_id()
    key = _keys().get(key_id)
    if key is None:
        raise KeyError(f"No audit key with id {key_id!r} is configured.")
    return key_id, hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(message: bytes, key_id: str, digest: str) -> bool:
    """Whether `digest` is the HMAC of `message` under the key `key_id` (False for an unknown
    key id)."""
    key = _keys().get(key_id)
    if key is None:
        return False
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, digest)
