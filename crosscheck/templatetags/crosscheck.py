"""Cross-check pieces other apps' pages show: an item's weak signals (with their chart) and
each unit's share of confirmed findings beside the ranking."""

from __future__ import annotations

import datetime as dt

from django import template
from django.db.models import Count

from crosscheck.models import Finding, Signal, SignalStatus, Status

register = template.Library()


@register.inclusion_tag("crosscheck/_signals.html", takes_context=True)
def weak_signals(context, line):
    """The item's open weak signals, for those who see the cross-checks (office, leaders)."""
    from accounts.access import sees_everything

    request = context.get("request")
    if request is None or not sees_everything(request.user):
        return {"signals": []}
    return {"signals": list(Signal.objects.filter(line=line, status=SignalStatus.OPEN))}


@register.simple_tag
def confirmed_shares(month: dt.date) -> dict:
    """{unit id: (count, percent)}: confirmed findings first found in the months up to the
    ranking month (``share_months`` of the regulation data), each unit's share of them."""
    from crosscheck.signals import shift
    from crosscheck.thresholds import Thresholds
    from lantian.lib import tz

    th = Thresholds.on(month)
    start = tz.start_of_local_day(shift(month.replace(day=1), -(th.share_months - 1)))
    end = tz.start_of_local_day(shift(month.replace(day=1), 1))
    rows = (
        Finding.objects.filter(
            status=Status.CONFIRMED, first_found_at__gte=start, first_found_at__lt=end
        )
        .exclude(unit=None)
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    counts = {r["unit_id"]: r["n"] for r in rows}
    total = sum(counts.values())
    shares = {u: (n, round(100 * n / total, 1)) for u, n in counts.items()}
    return {"by_unit": shares, "total": total, "months": th.share_months}


@register.inclusion_tag("crosscheck/_share.html")
def finding_share(shares: dict, unit_id: int):
    count, percent = shares["by_unit"].get(unit_id, (0, 0.0))
    return {"count": count, "percent": percent, "unit_id": unit_id}


@register.filter
def fact_rows(facts):
    """A finding's figures in words (``crosscheck.factwords``)."""
    from crosscheck.factwords import fact_rows as rows

    return rows(facts)
