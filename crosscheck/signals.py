"""Weak signals: not findings, shown on the item they concern with their chart.

A dust or fume item closed out (销号) while its district's PM10 rank or dust-fall rank among
the city's districts gets worse month after month around the close-out: the close-out may be
on paper only, or the problem moved elsewhere. Too many things move a district's rank for this
to accuse anyone; the office sees it beside the item.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from crosscheck import claims
from crosscheck.models import Signal, SignalStatus
from crosscheck.thresholds import Thresholds
from lantian.lib import tz

METRICS = {"pm10": "PM10 浓度排名", "dustfall": "降尘排名"}


def shift(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def worsening_run(ranks: dict[dt.date, int], closed: dt.date, n: int) -> list[dt.date] | None:
    """``n`` consecutive months, each ranked worse (a larger number) than the month before,
    that include the close-out month; None when there is no such run."""
    closed = closed.replace(day=1)
    for start in range(-(n - 1), 1):
        months = [shift(closed, start + k) for k in range(n)]
        before = shift(months[0], -1)
        chain = [before, *months]
        if all(m in ranks for m in chain) and all(
            ranks[b] < ranks[a] for b, a in zip(chain, chain[1:], strict=False)
        ):
            return months
    return None


def ranks_by_month(city, metric: str, first: dt.date, last: dt.date) -> dict:
    """{month: {district_id: rank}} among the city's districts (1 = cleanest)."""
    from airquality.models import DistrictMonthly, DustFall

    values = defaultdict(dict)
    if metric == "pm10":
        rows = DistrictMonthly.objects.filter(
            district__parent=city, month__gte=first, month__lte=last, pm10__isnull=False
        ).values_list("month", "district_id", "pm10")
    else:
        rows = DustFall.objects.filter(
            district__parent=city, month__gte=first, month__lte=last
        ).values_list("month", "district_id", "value")
    for month, district, value in rows:
        values[month.replace(day=1)][district] = value
    out = {}
    for month, by_district in values.items():
        order = sorted(by_district.items(), key=lambda kv: kv[1])
        out[month] = {d: k + 1 for k, (d, _) in enumerate(order)}
    return out


@dataclass
class Weak:
    key: str
    kind: str
    line_id: int
    title: str
    detail: str
    chart: dict


def air_worsening(now: dt.datetime, th: Thresholds | None = None) -> list[Weak]:
    from crosscheck.rules import TASK_SITES, _district_of
    from ledger.models import Assignment

    th = th or Thresholds.on(tz.to_local(now).date())
    n = th.air_worsening_months
    today = tz.to_local(now).date()
    since = shift(today.replace(day=1), -(12 + n))
    lines = (
        Assignment.objects.filter(works=True, withdrawn=False, closed_on__gte=since)
        .select_related("task__plan__city", "unit__district", "district")
        .order_by("id")
    )
    cache: dict = {}
    out = []
    for line in lines:
        task, city = line.task, line.task.plan.city
        wording = f"{task.title}{task.problem}{task.target}"
        if city is None or not any(p.search(wording) for p, _ in TASK_SITES):
            continue
        district = claims.Area(city, _district_of(line, city)).district
        if district is None:
            continue
        closed = line.closed_on.replace(day=1)
        for metric, label in METRICS.items():
            key = (city.pk, metric)
            if key not in cache:
                cache[key] = ranks_by_month(city, metric, shift(since, -(n + 1)), today)
            ranks = {m: r[district.pk] for m, r in cache[key].items() if district.pk in r}
            run = worsening_run(ranks, closed, n)
            if run is None:
                continue
            months = [shift(closed, k) for k in range(-(n + 1), n + 1)]
            chart = {
                "metric": label,
                "months": [f"{m:%Y-%m}" for m in months],
                "ranks": [ranks.get(m) for m in months],
                "closed": f"{closed:%Y-%m}",
                "run": [f"{m:%Y-%m}" for m in run],
                "districts": max((len(r) for r in cache[key].values()), default=0),
            }
            steps = "→".join(str(ranks[m]) for m in [shift(run[0], -1), *run])
            out.append(
                Weak(
                    f"air:{metric}:{line.pk}",
                    "air_worsening",
                    line.pk,
                    f"销号前后{district.name}{label}连续 {n} 个月变差",
                    f"该事项 {line.closed_on:%Y-%m-%d} 销号；{district.name}在全市区县中的{label}"
                    f"（第 1 名最好）{run[0]:%Y年%m月}起依次为 {steps}。这是提示，不是核验发现："
                    "排名受天气、区域传输等多种因素影响，请结合现场情况判断整改成效是否巩固。"
                    + th.source_note(),
                    chart,
                )
            )
    return out


@transaction.atomic
def keep(found: list[Weak], now: dt.datetime) -> int:
    existing = {s.key: s for s in Signal.objects.select_for_update()}
    for w in found:
        signal = existing.get(w.key)
        if signal is None:
            Signal.objects.create(
                key=w.key,
                kind=w.kind,
                line_id=w.line_id,
                title=w.title[:300],
                detail=w.detail,
                chart=w.chart,
                first_found_at=now,
                last_found_at=now,
            )
            continue
        signal.title, signal.detail, signal.chart = w.title[:300], w.detail, w.chart
        signal.status, signal.last_found_at = SignalStatus.OPEN, now
        signal.save()
    keys = {w.key for w in found}
    stale = [k for k, s in existing.items() if k not in keys and s.status == SignalStatus.OPEN]
    Signal.objects.filter(key__in=stale).update(status=SignalStatus.CLEARED)
    return len(found)
