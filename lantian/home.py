"""The start page's cards. Each app registers a provider in ``AppConfig.ready``.

A provider answers ``cards(user, today) -> list[Card]`` from data the user may see (it uses
``accounts.access``), so the same start page is the office's cockpit, an officer's to-do list
and an inspector's day plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Card:
    title: str
    value: int | str
    url: str = ""
    tone: str = ""  # "", "ok", "warn", "bad"
    note: str = ""


@dataclass(frozen=True)
class Section:
    label: str
    order: int
    cards: Callable[[object, dt.date], list[Card]]


_SECTIONS: dict[str, Section] = {}


def register(key: str, label, *, order: int, cards: Callable[[object, dt.date], list[Card]]):
    _SECTIONS[key] = Section(label, order, cards)


def sections_for(user, today: dt.date) -> list[dict]:
    out = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        cards = section.cards(user, today)
        if cards:
            out.append({"label": str(section.label), "cards": cards})
    return out
