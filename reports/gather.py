"""The data snapshot a 调度通报 is made from: plain functions over the other apps' queries.

``snapshot(period, scope, ...)`` reads the ledger, monitoring, air quality, emergency and
cross-check data for one period and returns plain JSON values (str, int, float, None, lists
and dicts; dates as ISO text, ordered things as lists). The document, the workbook and the
charts are drawn from the snapshot alone, so an archived issue regenerates the same document
whatever happened to the data since. Every figure reuses the query code of its app (ledger
``scoring``, monitoring ``rates``, air quality ``summary``, emergency ``queries``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import District, Unit
from lantian.lib import tz
from reports.periods import Period, month

SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Scope:
    """What an issue covers: a city (every plan of it) or one plan (and its city's data)."""

    city: District
    plan: object | None = None  # ledger.models.Plan

    @property
    def key(self) -> str:
        return f"plan:{self.plan.pk}" if self.plan else f"city:{self.city.pk}"

    @property
    def label(self) -> str:
        return self.plan.title if self.plan else self.city.name

    def lines(self):
        from ledger.models import Assignment

        lines = Assignment.objects.lines()
        if self.plan:
            return lines.filter(task__plan=self.plan)
        return lines.filter(task__plan__city=self.city)


class ScopeError(ValueError):
    pass


def resolve_scope(*, plan_id: int | None = None, city_name: str = "") -> Scope:
    """``--plan ID`` or ``--city NAME``; neither: the default city (``LANTIAN_CITY``)."""
    from django.conf import settings

    from ledger.models import Plan

    if plan_id is not None:
        plan = Plan.objects.select_related("city").filter(pk=plan_id).first()
        if plan is None:
            raise ScopeError(_("没有编号为 %(id)s 的方案") % {"id": plan_id})
        return Scope(plan.city, plan)
    name = city_name.strip() or settings.LANTIAN_DEFAULT_CITY
    city = District.objects.filter(parent=None, name=name).first()
    if city is None:
        known = "、".join(District.objects.filter(parent=None).values_list("name", flat=True))
        raise ScopeError(
            _("没有名为“%(name)s”的城市（已有：%(known)s）") % {"name": name, "known": known}
        )
    return Scope(city)


# --- helpers ---------------------------------------------------------------------------------


def pct(part: float, whole: float) -> float | None:
    """A percentage with one decimal, None without a denominator."""
    return round(100 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _window(period: Period) -> tuple[dt.datetime, dt.datetime]:
    return tz.start_of_local_day(period.first), tz.start_of_local_day(
        period.last + dt.timedelta(days=1)
    )


def _areas(city: District):
    return District.objects.filter(Q(pk=city.pk) | Q(parent=city))


# --- ledger ----------------------------------------------------------------------------------


def _totals(counts) -> dict:
    lines = sum(c.lines for c in counts.values())
    closed = sum(c.closed_lines for c in counts.values())
    overdue = sum(c.overdue_lines for c in counts.values())
    due = sum(c.reports_due for c in counts.values())
    on_time = sum(c.reports_on_time for c in counts.values())
    return {
        "lines": lines,
        "closed": closed,
        "overdue": overdue,
        "open": lines - closed,
        "reports_due": due,
        "reports_on_time": on_time,
        "on_time_rate": pct(on_time, due),
        "completion_rate": pct(closed, lines),
    }


def ledger_section(period: Period, scope: Scope, settings, today: dt.date) -> dict:
    """Overall progress against the previous period, the per-unit table, red/black lists,
    the items overdue longer than ``settings.overdue_days`` and the six-month trend."""
    from ledger import lampwords, lighting, scoring
    from ledger.choices import Status
    from ledger.models import LedgerConfig

    config = LedgerConfig.get()
    weights = config.score_weights
    lines = list(scope.lines().select_related("task__plan"))  # fetched once for every period
    counts = scoring.period_counts(period.first, period.last, config, lines)
    previous = period.previous()
    before = scoring.period_counts(previous.first, previous.last, config, lines)
    now_totals, before_totals = _totals(counts), _totals(before)
    # Closed during the period: closed by its end minus closed by the end of the one before.
    closed_in_period = (
        scope.lines().filter(closed_on__gte=period.first, closed_on__lte=period.last).count()
    )
    closed_before = (
        scope.lines().filter(closed_on__gte=previous.first, closed_on__lte=previous.last).count()
    )
    by_status = dict(scope.lines().order_by().values_list("status").annotate(n=Count("pk")))

    scores = {u: scoring.weighted_score(c.rates(), weights) for u, c in counts.items()}
    ranks = scoring.rank(scores)
    # Each unit's lamp as the ranking page shows it: the worst of its lines' lamps (daily's
    # rule in ledger.lamps), here as of the period's last day.
    tallies = lighting.counts_by(scope.lines(), "unit_id", period.last)
    names = dict(Unit.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    units = []
    for unit_id, c in counts.items():
        rates = c.rates()
        units.append(
            {
                "unit_id": unit_id,
                "unit": names[unit_id],
                "lines": c.lines,
                "closed": c.closed_lines,
                "overdue": c.overdue_lines,
                "reports_due": c.reports_due,
                "reports_on_time": c.reports_on_time,
                "on_time_rate": rounded(rates["on_time"]),
                "completion_rate": rounded(rates["completion"]),
                "score": scores[unit_id],
                "rank": ranks[unit_id],
                "lamp": (colour := lighting.worst(tallies.get(unit_id, {}))),
                "lamp_label": lampwords.name(colour) if colour else "",
                "lamps": tallies.get(unit_id, {}),
            }
        )
    units.sort(key=lambda u: (u["rank"], u["unit"]))
    top = units[: settings.top_count] if settings.top_count else []
    bottom = units[-settings.bottom_count :][::-1] if settings.bottom_count else []
    bottom = [u for u in bottom if u not in top]

    return {
        "now": {**now_totals, "closed_in_period": closed_in_period},
        "before": {**before_totals, "closed_in_period": closed_before},
        "previous_label": previous.label,
        "by_status": [
            {"status": s.value, "label": str(s.label), "n": by_status.get(s.value, 0)}
            for s in Status
        ],
        "status_on": today.isoformat(),
        "lamp_legend": [
            {"name": row["name"], "meaning": str(row["meaning"])}
            for row in lampwords.legend(lighting.rules_on(period.last))
        ],
        "units": units,
        "weights": weights,
        "top": top,
        "bottom": bottom,
        "overdue_items": overdue_items(period, scope, settings.overdue_days, settings.overdue_rows),
        "trend": trend(period, lines, config, {period: counts, previous: before}),
    }


def overdue_items(period: Period, scope: Scope, days: int, limit: int) -> dict:
    """Lines still open at the period's end whose deadline passed more than ``days`` before."""
    end = period.last
    cutoff = end - dt.timedelta(days=days)
    lines = (
        scope.lines()
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .filter(Q(extended_to__lt=cutoff) | Q(extended_to__isnull=True, task__deadline__lt=cutoff))
        .select_related("task__plan", "unit")
    )
    rows = []
    for line in lines:
        rows.append(
            {
                "line_id": line.pk,
                "task_no": line.task.display_no,
                "task": line.task.title,
                "plan": line.task.plan.title,
                "unit": line.unit.name,
                "deadline": line.deadline.isoformat(),
                "days": (end - line.deadline).days,
                "status": line.get_status_display(),
            }
        )
    rows.sort(key=lambda r: (-r["days"], r["unit"], r["line_id"]))
    return {"days": days, "count": len(rows), "rows": rows[:limit], "shown": min(limit, len(rows))}


def trend(period: Period, lines: list, config, known: dict, months: int = 6) -> list[dict]:
    """Lines, closed and overdue at the end of each of the last ``months`` months (``known``
    holds counts already computed, by period)."""
    from ledger import scoring

    out = []
    starts = [period.last.replace(day=1)]
    for _i in range(months - 1):
        starts.insert(0, (starts[0] - dt.timedelta(days=1)).replace(day=1))
    for start in starts:
        m = month(start)
        m = Period(m.first, min(m.last, period.last))
        counts = known.get(m)
        if counts is None:
            counts = scoring.period_counts(m.first, m.last, config, lines)
        totals = _totals(counts)
        out.append(
            {
                "month": f"{start:%Y-%m}",
                "label": f"{start.month}月",
                "lines": totals["lines"],
                "closed": totals["closed"],
                "overdue": totals["overdue"],
            }
        )
    return out


def supervision_section(period: Period, scope: Scope) -> dict:
    """催办、督办、通报、约谈、问责 issued during the period, counted by kind and listed."""
    from ledger.choices import SupervisionKind
    from ledger.models import Supervision

    start, end = _window(period)
    rows = Supervision.objects.filter(issued_at__gte=start, issued_at__lt=end)
    if scope.plan:
        rows = rows.filter(Q(tasks__plan=scope.plan) | Q(units__city=scope.city, tasks=None))
    else:
        rows = rows.filter(units__city=scope.city)
    rows = rows.distinct().prefetch_related("units").order_by("issued_at", "pk")
    listed, kinds = [], defaultdict(int)
    for row in rows:
        kinds[row.kind] += 1
        listed.append(
            {
                "kind": row.get_kind_display(),
                "title": row.title,
                "units": "、".join(sorted(u.name for u in row.units.all())),
                "issued": tz.to_local(row.issued_at).date().isoformat(),
                "due": row.due.isoformat() if row.due else "",
                "state": row.get_state_display(),
            }
        )
    return {
        "by_kind": [{"kind": str(k.label), "n": kinds.get(k.value, 0)} for k in SupervisionKind],
        "total": len(listed),
        "rows": listed,
    }


# --- monitoring ------------------------------------------------------------------------------


def monitoring_section(period: Period, scope: Scope) -> dict:
    """Dust and fume alarms by district (handled on time, 立案率) with 联网率, 有效传输率 and
    开机率."""
    from monitoring import rates
    from monitoring.choices import DeviceKind
    from monitoring.models import Alarm, Device

    start, end = _window(period)
    areas = _areas(scope.city)
    devices = Device.objects.filter(
        is_active=True, kind__in=[DeviceKind.DUST, DeviceKind.FUME], site__district__in=areas
    )
    alarms = Alarm.objects.filter(site__district__in=areas)
    districts: dict[str, dict] = {}

    def row(name: str) -> dict:
        return districts.setdefault(
            name,
            {
                "district": name,
                "dust_alarms": 0,
                "fume_alarms": 0,
                "alarms": 0,
                "handled_on_time": 0,
                "closed": 0,
                "serious": 0,
                "cased": 0,
                "devices": 0,
                "online": 0,
                "due": 0.0,
                "received": 0,
                "valid": 0,
                "dust_on": 0,
                "dust_on_due": 0,
                "fume_on": 0,
                "fume_on_due": 0,
            },
        )

    for line in rates.handling(start, end, alarms):
        if line.kind not in (DeviceKind.DUST, DeviceKind.FUME):
            continue
        r = row(line.district)
        r[f"{line.kind}_alarms"] += line.alarms
        r["alarms"] += line.alarms
        r["handled_on_time"] += line.handled_on_time
        r["closed"] += line.closed
    for line in rates.case_rates(start, end, alarms.filter(device__kind__in=["dust", "fume"])):
        r = row(line.district)
        r["serious"] += line.alarms
        r["cased"] += line.with_case
    for line in rates.transmission(start, end, devices):
        r = row(line.district)
        r["devices"] += line.devices
        r["online"] += line.online
        r["due"] += line.due
        r["received"] += line.received
        r["valid"] += line.valid
    # 开机率 (monemerg's monitoring.onrate): dust in instrument hours, fume in samples with the
    # fan running; the two count different things, so they stay apart.
    from regulations.lookup import RegulationNotFound

    try:
        on_lines = rates.on_rates(start, end, devices)
    except RegulationNotFound:  # rules not loaded yet (lantian setup): the rate shows as —
        on_lines = []
    for line in on_lines:
        r = row(line.district)
        kind = "fume" if line.unit == "条" else "dust"
        r[f"{kind}_on"] += line.rate.on
        r[f"{kind}_on_due"] += line.rate.due
    rows = [_monitoring_rates(r) for _name, r in sorted(districts.items())]
    total = row(_("合计"))
    districts.pop(_("合计"))
    for r in rows:
        for key in total:
            if key != "district":
                total[key] += r[key]
    return {"rows": rows, "total": _monitoring_rates(total)}


def _monitoring_rates(r: dict) -> dict:
    transmission = min(1.0, r["received"] / r["due"]) if r["due"] else None
    validity = r["valid"] / r["received"] if r["received"] else None
    effective = (
        transmission * validity if transmission is not None and validity is not None else None
    )
    return {
        **r,
        "due": round(r["due"], 3),
        "on_time_rate": pct(r["handled_on_time"], r["alarms"]),
        "case_rate": pct(r["cased"], r["serious"]),
        "online_rate": pct(r["online"], r["devices"]),
        "effective_rate": None if effective is None else round(100 * effective, 1),
        "dust_on_rate": pct(r["dust_on"], r["dust_on_due"]),
        "fume_on_rate": pct(r["fume_on"], r["fume_on_due"]),
    }


# --- air quality -----------------------------------------------------------------------------


def _target(scope: Scope, key: str, on: dt.date) -> float | None:
    """A local target (``local_targets`` regulation data) in force for the city, if any."""
    from regulations.lookup import RegulationNotFound, local_version

    try:
        return float(local_version("local_targets", on=on, scope=scope.city.name).number(key).value)
    except RegulationNotFound:
        return None


def _month_rows(city: District, first: dt.date) -> dict[str, dict]:
    from airquality.summary import district_ranking

    out = {}
    for r in district_ranking(city, first):
        out[r.district.name] = {
            "district": r.district.name,
            "rank": r.rank,
            "composite": rounded(r.composite, 2),
            "pm25": rounded(r.pm25),
            "pm10": rounded(r.pm10),
            "days": r.days,
            "good_days": r.good_days,
            "good_ratio": pct(r.good_days, r.days),
        }
    return out


def _day_rows(city: District, period: Period) -> dict[str, dict]:
    """Figures of a period that is not a calendar month: the means of the district days."""
    from airquality import aqi
    from airquality.models import DistrictDaily
    from airquality.stats import mean, rank

    good_max = aqi.load_table(on=period.last).levels[1].max
    days = defaultdict(list)
    for name, pm25, pm10, index in DistrictDaily.objects.filter(
        district__parent=city, date__gte=period.first, date__lte=period.last
    ).values_list("district__name", "pm25", "pm10", "aqi"):
        days[name].append((pm25, pm10, index))
    out = {}
    for name, values in days.items():
        with_aqi = [v[2] for v in values if v[2] is not None]
        good = sum(1 for v in with_aqi if v <= good_max)
        out[name] = {
            "district": name,
            "rank": None,
            "composite": None,
            "pm25": rounded(mean([v[0] for v in values if v[0] is not None])),
            "pm10": rounded(mean([v[1] for v in values if v[1] is not None])),
            "days": len(with_aqi),
            "good_days": good,
            "good_ratio": pct(good, len(with_aqi)),
        }
    ranks = rank({name: r["pm25"] for name, r in out.items()})
    for name, r in out.items():
        r["rank"] = ranks.get(name)
    return out


def _change(now: float | None, before: float | None) -> float | None:
    """Change against last year, in per cent of last year's value."""
    if now is None or before in (None, 0):
        return None
    return round(100 * (now - before) / before, 1)


def air_section(period: Period, scope: Scope) -> dict:
    """District ranking with PM2.5, PM10 and 优良天数比例 against target and last year."""
    city = scope.city
    last_year = period.year_before()
    if period.is_month:
        now, before = _month_rows(city, period.first), _month_rows(city, last_year.first)
    else:
        now, before = _day_rows(city, period), _day_rows(city, last_year)
    targets = {
        "pm25": _target(scope, "pm25", period.last),
        "pm10": _target(scope, "pm10", period.last),
        "good_ratio": _target(scope, "good_ratio", period.last),
    }
    rows = []
    for name, r in now.items():
        prior = before.get(name, {})
        row = dict(r)
        for key in ("pm25", "pm10", "good_ratio"):
            row[f"{key}_last_year"] = prior.get(key)
            row[f"{key}_target"] = targets[key]
        row["pm25_change"] = _change(r["pm25"], prior.get("pm25"))
        row["pm10_change"] = _change(r["pm10"], prior.get("pm10"))
        row["good_ratio_change"] = (
            None
            if r["good_ratio"] is None or prior.get("good_ratio") is None
            else round(r["good_ratio"] - prior["good_ratio"], 1)
        )
        row["pm25_over_target"] = targets["pm25"] is not None and (r["pm25"] or 0) > targets["pm25"]
        rows.append(row)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["district"]))
    city_row = _city_row(city, period)
    return {
        "ranked_by": "composite" if period.is_month else "pm25",
        "rows": rows,
        "targets": targets,
        "city": city_row,
        "dust": dust_section(period, scope),
    }


def _city_row(city: District, period: Period) -> dict | None:
    from airquality.models import DistrictMonthly

    if not period.is_month:
        return None
    row = DistrictMonthly.objects.filter(district=city, month=period.first).first()
    if row is None:
        return None
    return {
        "pm25": rounded(row.pm25),
        "pm10": rounded(row.pm10),
        "days": row.days,
        "good_days": row.good_days,
        "good_ratio": pct(row.good_days, row.days),
        "composite": rounded(row.composite, 2),
    }


def dust_section(period: Period, scope: Scope) -> dict | None:
    """降尘 ranking of the month (lowest first) against the target and last year."""
    from airquality.models import DustFall
    from airquality.summary import dustfall_ranking

    if not period.is_month:
        return None
    ranking = dustfall_ranking(scope.city, period.first)
    before = dict(
        DustFall.objects.filter(
            district__parent=scope.city, month=period.year_before().first
        ).values_list("district__name", "value")
    )
    rows = [
        {
            "district": r["district"],
            "value": r["value"],
            "rank": r["rank"],
            "over_target": r["over_target"],
            "change_month": r["change"],
            "last_year": before.get(r["district"]),
            "change_year": _change(r["value"], before.get(r["district"])),
        }
        for r in ranking["rows"]
    ]
    return {"target": ranking["target"], "rows": rows}


# --- heavy-pollution response ----------------------------------------------------------------


def emergency_section(period: Period, scope: Scope) -> dict:
    """Warnings in force during the period, spot checks done against quota, problems found."""
    from emergency import queries
    from emergency.choices import Level
    from emergency.models import Case, Episode, Inspection, InspectionPlan

    start, end = _window(period)
    episodes = []
    for e in (
        Episode.objects.filter(city=scope.city, starts_at__lt=end)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gte=start))
        .prefetch_related("steps")
        .order_by("starts_at")
    ):
        levels = [s.level_after for s in e.steps.all() if s.level_after] or [e.level]
        order = [lv.value for lv in Level]
        highest = max(levels, key=lambda v: order.index(v) if v in order else -1)
        episodes.append(
            {
                "number": e.number,
                "highest": str(Level(highest).label) if highest in order else highest,
                "starts": tz.to_local(e.starts_at).strftime("%Y-%m-%d %H:%M"),
                "lifted": tz.to_local(e.lifted_at).strftime("%Y-%m-%d %H:%M")
                if e.lifted_at
                else "",
                "hours": round(
                    (min(e.lifted_at or end, end) - max(e.starts_at, start)).total_seconds() / 3600
                ),
            }
        )
    plans = InspectionPlan.objects.filter(
        day__gte=period.first, day__lte=period.last, round__episode__city=scope.city
    )
    inspections = Inspection.objects.filter(plan__in=plans)
    units = [
        {
            "unit": r.label,
            "days": r.extra["days"],
            "days_short": r.extra["days_short"],
            "planned": r.planned,
            "done": r.done,
            "completion": r.completion,
            "compliant": r.compliant,
            "non_compliant": r.non_compliant,
        }
        for r in queries.stats_by_unit(inspections, plans)
    ]
    total = queries.totals(queries.stats_by_unit(inspections, plans), _("合计"))
    cases = Case.objects.filter(city=scope.city, opened_at__gte=start, opened_at__lt=end).count()
    return {
        "episodes": episodes,
        "units": units,
        "total": {
            "planned": total.planned,
            "done": total.done,
            "completion": total.completion,
            "compliant": total.compliant,
            "non_compliant": total.non_compliant,
            "days_short": sum(u["days_short"] for u in units),
        },
        "cases": cases,
    }


# --- cross-checks ----------------------------------------------------------------------------


def crosscheck_section(period: Period, scope: Scope) -> dict:
    """Findings the office confirmed during the period (claims the data contradict)."""
    from crosscheck.models import Finding, Status

    start, end = _window(period)
    findings = Finding.objects.filter(
        status=Status.CONFIRMED, decided_at__gte=start, decided_at__lt=end
    ).filter(
        Q(unit__city=scope.city)
        | Q(district__in=_areas(scope.city))
        | Q(unit__isnull=True, district__isnull=True)
    )
    if scope.plan:
        findings = findings.filter(Q(line__task__plan=scope.plan) | Q(line__isnull=True))
    rows = [
        {
            "rule": f.get_rule_display(),
            "severity": f.get_severity_display(),
            "unit": f.unit.name if f.unit else (f.district.name if f.district else ""),
            "title": f.title,
            "decided": tz.to_local(f.decided_at).date().isoformat(),
            "note": f.decision_note,
        }
        for f in findings.select_related("unit", "district").order_by("decided_at", "pk")
    ]
    return {"rows": rows}


# --- the whole snapshot ----------------------------------------------------------------------


def snapshot(period: Period, scope: Scope, settings, *, today: dt.date | None = None) -> dict:
    """Everything an issue shows, as plain JSON values."""
    today = today or tz.local_today()
    return {
        "version": SNAPSHOT_VERSION,
        "period": {
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "label": period.label,
            "monthly": period.is_month,
        },
        "scope": {
            "key": scope.key,
            "city": scope.city.name,
            "plan_id": scope.plan.pk if scope.plan else None,
            "label": scope.label,
        },
        "taken_on": today.isoformat(),
        "ledger": ledger_section(period, scope, settings, today),
        "supervision": supervision_section(period, scope),
        "monitoring": monitoring_section(period, scope),
        "air": air_section(period, scope),
        "emergency": emergency_section(period, scope),
        "crosscheck": crosscheck_section(period, scope),
    }
