"""My to-do list (我的待办): what each person has to settle, computed from the data.

Each app registers a provider in ``AppConfig.ready``: ``todos(user, today, entries) -> list[Todo]``.
A provider answers only from what the user may act on (``accounts.access``), each to-do links to
the list or form that settles it, and ``menu`` names the main-menu entry whose badge counts it.
``entries`` says whether the first few rows are wanted (the start page) or only the counts (the
menu badges on every page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

ENTRIES = 5  # rows shown per to-do on the start page


@dataclass(frozen=True)
class Entry:
    label: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Todo:
    title: str
    count: int
    url: str
    menu: str  # url name of the main-menu entry that carries the badge
    tone: str = "warn"  # "warn" or "bad" (overdue)
    entries: list[Entry] = field(default_factory=list)
    order: int = 50


Provider = Callable[[object, dt.date, bool], list[Todo]]
_PROVIDERS: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    _PROVIDERS[key] = provider


def todos_for(user, today: dt.date, *, entries: bool = True) -> list[Todo]:
    """Every non-empty to-do of ``user``, most pressing first."""
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for provider in _PROVIDERS.values():
        out.extend(t for t in provider(user, today, entries) if t.count)
    return sorted(out, key=lambda t: (t.tone != "bad", t.order, t.title))


def badges_for(user, today: dt.date) -> dict[str, int]:
    """``{menu url name: number of things to do}`` for the main menu."""
    badges: dict[str, int] = {}
    for todo in todos_for(user, today, entries=False):
        badges[todo.menu] = badges.get(todo.menu, 0) + todo.count
    return badges
