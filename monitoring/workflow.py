"""The alarm handling ledger as one table: which step may follow which, and who takes it.

Pure: no Django. ``raised → dispatched → investigating → handled → replied → closed``; the office
may send a handled or replied alarm back; escalation (overdue) changes the level, not the status.
"""

from __future__ import annotations

from dataclasses import dataclass

RAISED, DISPATCHED, INVESTIGATING, HANDLED, REPLIED, CLOSED = (
    "raised",
    "dispatched",
    "investigating",
    "handled",
    "replied",
    "closed",
)
OFFICE, UNIT = "office", "unit"


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str
    by: str  # OFFICE or UNIT (the unit the alarm is dispatched to; the office may act for it)


STEPS: dict[str, Step] = {
    "dispatch": Step(frozenset({RAISED, DISPATCHED}), DISPATCHED, OFFICE),
    "investigate": Step(frozenset({DISPATCHED}), INVESTIGATING, UNIT),
    "handle": Step(frozenset({DISPATCHED, INVESTIGATING}), HANDLED, UNIT),
    "reply": Step(frozenset({HANDLED}), REPLIED, UNIT),
    "close": Step(frozenset({REPLIED}), CLOSED, OFFICE),
    "reopen": Step(frozenset({HANDLED, REPLIED}), INVESTIGATING, OFFICE),
}
ESCALATABLE = frozenset({RAISED, DISPATCHED, INVESTIGATING})


class StepRefused(Exception):
    """The step does not apply to an alarm in this status, or not for this actor."""


def next_status(step: str, status: str) -> str:
    try:
        rule = STEPS[step]
    except KeyError:
        raise StepRefused(f"unknown step {step}") from None
    if status not in rule.sources:
        raise StepRefused(f"{step} is not allowed from {status}")
    return rule.target


def allowed_steps(status: str, *, office: bool, unit: bool) -> list[str]:
    """Steps the actor may take now (for buttons on the alarm page)."""
    return [
        name
        for name, rule in STEPS.items()
        if status in rule.sources and (office or (unit and rule.by == UNIT))
    ]


def level_for(consecutive: int, ratio: float, ladder: list[dict]) -> int:
    """The highest ladder level whose conditions hold (0: none).

    Each level says how many consecutive windows must exceed (``consecutive``), by what multiple
    of the limit (``multiple``), and optionally for how many minutes (``duration_minutes``,
    checked by the caller through ``consecutive`` × window length).
    """
    level = 0
    for rung in ladder:
        if consecutive >= rung.get("consecutive", 1) and ratio >= rung.get("multiple", 1.0):
            level = max(level, int(rung["level"]))
    return level


def response_hours(level: int, ladder: list[dict]) -> float | None:
    for rung in ladder:
        if int(rung["level"]) == level:
            return float(rung["response_hours"])
    return None


CLOCK_LABELS = {"natural": "自然时间", "working": "工作时间（节假日、周末不计）"}


def response_clock(level: int, ladder: list[dict]) -> str:
    """Whether the level's response time runs in natural or working hours (ladder data)."""
    for rung in ladder:
        if int(rung["level"]) == level:
            return rung.get("clock", "natural")
    return "natural"
