"""What several rules of one sweep share (the evidence photos, the report texts): computed
once per sweep. The sweep clears it before and after; a rule called alone computes afresh."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_store: dict[Any, Any] = {}
_active = False


def begin() -> None:
    global _active
    _store.clear()
    _active = True


def end() -> None:
    global _active
    _store.clear()
    _active = False


def once(key: Any, compute: Callable[[], Any]) -> Any:
    if not _active:
        return compute()
    if key not in _store:
        _store[key] = compute()
    return _store[key]
