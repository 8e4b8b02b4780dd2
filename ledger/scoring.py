"""Monthly assessment of units: the counts, the rates and the weighted score.

Every rate is ``part / whole`` of counts kept on the ``UnitScore`` row, and each count is a
filter over ledger rows the ranking page links to, so anyone can recompute it:

- 按时报送率 = reports that arrived by their due day / reports due in the month;
- 未逾期率 = (lines − lines overdue at month end) / lines;
- 完成率 = lines closed out by month end / lines;
- 验收通过率 = acceptance rounds passed / rounds decided in the month.

The score is the weighted mean of the rates a unit has (a rate with no denominator is left
out and the remaining weights are rescaled), on a 0–100 scale.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from lantian.lib import tz
from ledger import reporting, schedule
from ledger.models import Acceptance, Assignment, LedgerConfig

RATE_KEYS = ("on_time", "overdue", "completion", "acceptance")


def parse_month(value: str | None) -> dt.date | None:
    try:
        year, month = (int(p) for p in (value or "").split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError:
        return None


def last_month(today: dt.date) -> dt.date:
    return schedule.period_of(schedule.period_of(today) - dt.timedelta(days=1))


@dataclass
class Counts:
    lines: int = 0
    reports_due: int = 0
    reports_on_time: int = 0
    overdue_lines: int = 0
    closed_lines: int = 0
    acceptances_decided: int = 0
    acceptances_passed: int = 0
    line_ids: list[int] = field(default_factory=list)

    def rates(self) -> dict[str, float | None]:
        def rate(part, whole):
            return 100 * part / whole if whole else None

        return {
            "on_time": rate(self.reports_on_time, self.reports_due),
            "overdue": rate(self.lines - self.overdue_lines, self.lines),
            "completion": rate(self.closed_lines, self.lines),
            "acceptance": rate(self.acceptances_passed, self.acceptances_decided),
        }


def weighted_score(rates: dict[str, float | None], weights: dict[str, float]) -> float:
    used = {k: w for k, w in weights.items() if rates.get(k) is not None and w > 0}
    total = sum(used.values())
    if not total:
        return 0.0
    return round(sum(rates[k] * w for k, w in used.items()) / total, 2)


def rank(scores: dict[int, float]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4): equal scores share a rank. Rank units of one city
    at a time (``rank_within``): the seeds' two cities are assessed separately."""
    ordered = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    out, previous, position = {}, None, 0
    for index, (unit_id, score) in enumerate(ordered, start=1):
        if score != previous:
            position, previous = index, score
        out[unit_id] = position
    return out


def rank_within(scores: dict[int, float], group_of: dict[int, object]) -> dict[int, int]:
    """Ranks restarting in each group (a unit's city): 1 is the best unit of its own city."""
    groups: dict[object, dict[int, float]] = defaultdict(dict)
    for unit_id, score in scores.items():
        groups[group_of.get(unit_id)][unit_id] = score
    out: dict[int, int] = {}
    for members in groups.values():
        out.update(rank(members))
    return out


def quarter_months(month: dt.date) -> list[dt.date]:
    """The three months of the quarter ``month`` ends (``month`` last)."""
    first = (month.month - 1) // 3 * 3 + 1
    return [dt.date(month.year, first + k, 1) for k in range(3)]


def is_quarter_end(month: dt.date) -> bool:
    return month.month % 3 == 0


def quarter_scores(monthly: dict[dt.date, dict[int, float]]) -> dict[int, float]:
    """A unit's quarter score: the mean of its scores in the quarter's months (季度约谈 looks
    at the whole quarter, not only its last month). A month the unit was not assessed in
    (no lines yet) is left out of its mean."""
    sums: dict[int, list[float]] = defaultdict(list)
    for scores in monthly.values():
        for unit_id, score in scores.items():
            sums[unit_id].append(score)
    return {u: round(sum(v) / len(v), 2) for u, v in sums.items()}


def month_counts(month: dt.date, config: LedgerConfig, lines=None) -> dict[int, Counts]:
    """Counts per unit (the unit holding each line) for ``month``, as of its last day."""
    return period_counts(month, schedule.month_end(month), config, lines)


def period_counts(
    first: dt.date, last: dt.date, config: LedgerConfig, lines=None
) -> dict[int, Counts]:
    """Counts per unit for the days ``first``..``last``, as of ``last``.

    ``lines`` narrows the lines of work (a plan's, a city's; a queryset, or a list fetched
    with ``task__plan`` to reuse across periods); by default every line. A line
    counts from its start (the plan's issue date, else its import), as in reporting; a report
    counts when its due day falls in the period (for a month: that month's report).
    """
    end = last
    lines = lines if lines is not None else Assignment.objects.lines()
    if hasattr(lines, "select_related"):  # a queryset; a list (already fetched) is used as is
        lines = lines.select_related("task__plan")
    lines = [line for line in lines if reporting.line_start(line) <= end]
    counts: dict[int, Counts] = defaultdict(Counts)
    for line in lines:
        c = counts[line.unit_id]
        c.lines += 1
        c.line_ids.append(line.pk)
        closed = line.closed_on is not None and line.closed_on <= end
        c.closed_lines += closed
        if not closed and line.deadline is not None and line.deadline < end:
            c.overdue_lines += 1
    unit_of = {line.pk: line.unit_id for line in lines}
    for slot in reporting.slots(lines, end, config):
        if not first <= slot.due <= last:
            continue
        unit_id = unit_of[slot.assignment_id]
        counts[unit_id].reports_due += 1
        counts[unit_id].reports_on_time += slot.on_time
    start_at = tz.start_of_local_day(first)
    end_at = tz.end_of_local_day(end)
    decided = Acceptance.objects.filter(
        passed__isnull=False,
        decided_at__gte=start_at,
        decided_at__lte=end_at,
        assignment_id__in=list(unit_of),
    ).select_related("assignment")
    for acceptance in decided:
        c = counts[acceptance.assignment.unit_id]
        c.acceptances_decided += 1
        c.acceptances_passed += bool(acceptance.passed)
    return dict(counts)
