"""The main menu.

Each app registers its entries in ``AppConfig.ready``; access decides who sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    visible: Callable[[object], bool]


_ITEMS: dict[str, NavItem] = {}


def register(label, url_name: str, *, order: int, visible: Callable[[object], bool]) -> None:
    _ITEMS[url_name] = NavItem(label, url_name, order, visible)


def items_for(user) -> list[dict[str, str]]:
    out = []
    for item in sorted(_ITEMS.values(), key=lambda i: i.order):
        if not item.visible(user):
            continue
        try:
            out.append(
                {"label": str(item.label), "url": reverse(item.url_name), "name": item.url_name}
            )
        except NoReverseMatch:
            continue
    return out
