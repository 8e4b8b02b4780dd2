"""The status of one line of work (a responsible unit's part of a task), as one table.

Pure: no Django. ``ledger.choices.Status`` carries the same values with Chinese labels;
``ledger.services`` asks ``next_status`` before every change and refuses what the table refuses.

    未启动 ──start/report──▶ 推进中 ──apply──▶ 申请验收 ──pass──▶ 已验收销号
                              ▲  │                │  ▲                 │
                              │  └─sustain─▶ 长期坚持 ─apply─┘         │
                              │                    │                   │
                              └──── 退回整改 ◀──fail┘     reopen ◀──────┘

"Overdue" is never a status: ``is_overdue`` derives it from the deadline and today's local
date, so it cannot be forgotten or set by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
SUSTAINED = "sustained"
APPLIED = "applied"
RETURNED = "returned"
CLOSED = "closed"

STATUSES = (NOT_STARTED, IN_PROGRESS, SUSTAINED, APPLIED, RETURNED, CLOSED)
OPEN_STATUSES = frozenset(STATUSES) - {CLOSED}

# Who may take an action: the unit doing the work, the review (acceptance) unit, the office.
UNIT, REVIEW, OFFICE = "unit", "review", "office"


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    actors: frozenset[str]
    ongoing_only: bool = False


def _t(action: str, source: str, target: str, *actors: str, ongoing_only=False) -> Transition:
    return Transition(action, source, target, frozenset(actors), ongoing_only)


# The one table. An action not listed here for a status is refused.
TRANSITIONS: tuple[Transition, ...] = (
    _t("start", NOT_STARTED, IN_PROGRESS, UNIT, OFFICE),
    _t("report", NOT_STARTED, IN_PROGRESS, UNIT, OFFICE),
    _t("report", IN_PROGRESS, IN_PROGRESS, UNIT, OFFICE),
    _t("report", SUSTAINED, SUSTAINED, UNIT, OFFICE),
    _t("report", RETURNED, RETURNED, UNIT, OFFICE),
    _t("report", APPLIED, APPLIED, UNIT, OFFICE),
    _t("sustain", IN_PROGRESS, SUSTAINED, OFFICE, ongoing_only=True),
    _t("apply", IN_PROGRESS, APPLIED, UNIT, OFFICE),
    _t("apply", SUSTAINED, APPLIED, UNIT, OFFICE),
    _t("apply", RETURNED, APPLIED, UNIT, OFFICE),
    _t("withdraw", APPLIED, IN_PROGRESS, UNIT, OFFICE),
    _t("pass", APPLIED, CLOSED, REVIEW, OFFICE),
    _t("fail", APPLIED, RETURNED, REVIEW, OFFICE),
    _t("resume", RETURNED, IN_PROGRESS, UNIT, OFFICE),
    _t("reopen", CLOSED, IN_PROGRESS, OFFICE),
)

ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


class TransitionRefused(ValueError):
    """The table has no such move for this status, actor and kind of item."""


def find(action: str, source: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.action == action and transition.source == source:
            return transition
    return None


def next_status(source: str, action: str, *, actor: str, ongoing: bool = False) -> str:
    """The status after ``action``; raises ``TransitionRefused`` when the table says no."""
    transition = find(action, source)
    if transition is None:
        raise TransitionRefused(f"{action} is not allowed from {source}")
    if actor not in transition.actors:
        raise TransitionRefused(f"{actor} may not {action} from {source}")
    if transition.ongoing_only and not ongoing:
        raise TransitionRefused(f"{action} is only for 长期坚持 items")
    return transition.target


def allowed_actions(source: str, *, actors: set[str], ongoing: bool = False) -> list[str]:
    """The actions any of ``actors`` may take from ``source`` (for buttons on a page)."""
    out = []
    for t in TRANSITIONS:
        if t.source != source or not (t.actors & actors) or t.action in out:
            continue
        if t.ongoing_only and not ongoing:
            continue
        if t.action == "report":
            continue
        out.append(t.action)
    return out


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Open past its deadline (the deadline day itself is still in time)."""
    return deadline is not None and is_open(status) and today > deadline


def days_overdue(status: str, deadline: dt.date | None, today: dt.date) -> int:
    return (today - deadline).days if is_overdue(status, deadline, today) else 0  # type: ignore[operator]


def is_due_within(status: str, deadline: dt.date | None, today: dt.date, days: int) -> bool:
    """Open, not yet overdue, and due within ``days`` days from today (inclusive)."""
    if deadline is None or not is_open(status):
        return False
    return today <= deadline <= today + dt.timedelta(days=days)
