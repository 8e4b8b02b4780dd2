"""How one audit row is hashed: the canonical payload, keyed with HMAC-SHA256.

Module-level functions (not model methods) so that the re-keying migration uses exactly the
code the application uses. ``plain_hash`` is the chain's first form (SHA-256 without a key),
read only to check a chain before it is re-keyed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder

from audit.keys import Keyring


def _payload(row) -> dict:
    return {
        "prev": row.prev_hash,
        "at": row.created_at.astimezone(UTC).isoformat(),
        "actor": row.actor_id,
        "actor_name": row.actor_name,
        "action": row.action,
        "type": row.object_type,
        "id": row.object_id,
        "repr": row.object_repr,
        "changes": row.changes,
        "reason": row.reason,
    }


def _blob(payload: dict) -> bytes:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return text.encode("utf-8")


def plain_hash(row) -> str:
    return hashlib.sha256(_blob(_payload(row))).hexdigest()


def keyed_hash(ring: Keyring, row) -> str:
    """HMAC-SHA256 of the row under its key id (the key id is part of what is signed)."""
    return ring.sign(row.key_id, _blob({**_payload(row), "kid": row.key_id}))
