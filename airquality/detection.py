"""Running the detectors over the stored data and opening response items.

``run_detection(at)`` looks at the hours up to ``at`` (default: the latest stored hour of the
last six) and the days up to the day before. Each finding goes to ``services.open_response``,
which is idempotent; an item still open for the same place, kind and pollutant is extended
instead of duplicated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q

from accounts.models import District
from airquality import anomaly, services
from airquality.choices import AnomalyKind, AnomalyScope, ResponseStatus
from airquality.models import DailyValue, DistrictDaily, HourlyObservation, ResponseItem, Station
from lantian.lib import tz

HOUR = dt.timedelta(hours=1)
LOOKBACK = dt.timedelta(hours=6)


@dataclass
class Report:
    at: dt.datetime | None = None
    opened: list[ResponseItem] = field(default_factory=list)
    extended: list[ResponseItem] = field(default_factory=list)
    findings: int = 0


def latest_hour(now: dt.datetime | None = None) -> dt.datetime | None:
    """The latest stored observation hour within the last six hours before ``now``."""
    now = now or tz.now()
    return HourlyObservation.objects.filter(time__gt=now - LOOKBACK, time__lte=now).aggregate(
        t=Max("time")
    )["t"]


def run_detection(at: dt.datetime | None = None, *, acting_user=None) -> Report:
    """Detect rises at hour ``at`` and persistently high areas up to the day before it."""
    report = Report(at=at or latest_hour())
    for city in District.objects.filter(
        parent=None, children__air_stations__isnull=False
    ).distinct():
        if report.at is not None:
            _rises(city, report, acting_user)
        last_day = tz.to_local(report.at or tz.now()).date() - dt.timedelta(days=1)
        _persistent(city, last_day, report, acting_user)
    return report


def _stations(city: District) -> list[Station]:
    return list(
        Station.objects.filter(district__parent=city, is_active=True).select_related("district")
    )


def _rises(city: District, report: Report, acting_user) -> None:
    at = report.at
    rules = anomaly.Rules.on(tz.to_local(at).date())
    stations = _stations(city)
    start = at - (rules.baseline_hours + rules.confirm_hours) * HOUR
    series: dict[str, dict[int, dict]] = {p: defaultdict(dict) for p in rules.pollutants}
    rows = HourlyObservation.objects.filter(
        station__in=stations, time__gte=start, time__lte=at
    ).values_list("station_id", "time", *rules.pollutants)
    for station_id, time, *values in rows.iterator(chunk_size=5000):
        for pollutant, value in zip(rules.pollutants, values, strict=True):
            series[pollutant][station_id][time] = value
    by_id = {s.pk: s for s in stations}
    points = {s.pk: (s.latitude, s.longitude) if s.latitude is not None else None for s in stations}
    near = anomaly.neighbours_within(points, rules.neighbour_radius_km)
    for pollutant in rules.pollutants:
        station_series = {s.pk: series[pollutant].get(s.pk, {}) for s in stations}
        for rise in anomaly.detect_rises(
            station_series, at=at, pollutant=pollutant, rules=rules, neighbours=near
        ):
            station = by_id[rise.key]
            _open_rise(rise, station.district, station, rules, report, acting_user)
        district_series = _district_means(stations, station_series)
        districts = {d.pk: d for d in District.objects.filter(pk__in=district_series)}
        for rise in anomaly.detect_rises(district_series, at=at, pollutant=pollutant, rules=rules):
            _open_rise(rise, districts[rise.key], None, rules, report, acting_user)


def _district_means(stations: list[Station], station_series: dict) -> dict[int, dict]:
    sums: dict[int, dict[dt.datetime, list[float]]] = defaultdict(lambda: defaultdict(list))
    for station in stations:
        if not station.in_district_figures:
            continue
        for time, value in station_series.get(station.pk, {}).items():
            if value is not None:
                sums[station.district_id][time].append(value)
    return {d: {t: sum(v) / len(v) for t, v in hours.items()} for d, hours in sums.items()}


def _open_rise(rise, district, station, rules, report: Report, acting_user) -> None:
    report.findings += 1
    scope = AnomalyScope.STATION if station else AnomalyScope.DISTRICT
    earlier = services.open_items_for(
        station=station, district=district, kind=AnomalyKind.RISE, pollutant=rise.pollutant
    )
    ongoing = earlier.filter(
        Q(status__in=[ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK])
        | Q(period_end__gte=rise.start)
    ).first()
    if ongoing is not None:
        if ongoing.is_open and services.extend_response(
            ongoing, until=rise.end, peak=rise.peak, acting_user=acting_user
        ):
            report.extended.append(ongoing)
        return
    target = station.code if station else f"d{district.pk}"
    opening = services.Opening(
        kind=AnomalyKind.RISE,
        scope=scope,
        district=district,
        station=station,
        pollutant=rise.pollutant,
        period_start=rise.start,
        period_end=rise.end,
        value=rise.peak,
        baseline=rise.baseline,
        neighbours=rise.reference,
        detail={"hours": list(rise.hours), "rules": _rules_detail(rules)},
        rule_code=rules.code,
        dedupe_key=f"rise:{target}:{rise.pollutant}:{rise.start:%Y%m%d%H}",
    )
    item = services.open_response(opening, acting_user=acting_user)
    if item is not None:
        report.opened.append(item)


def _rules_detail(rules: anomaly.Rules) -> dict:
    return {
        "baseline_hours": rules.baseline_hours,
        "rise_ratio": rules.rise_ratio,
        "neighbour_ratio": rules.neighbour_ratio,
        "confirm_hours": rules.confirm_hours,
    }


def _persistent(city: District, last_day: dt.date, report: Report, acting_user) -> None:
    rules = anomaly.Rules.on(last_day)
    first_day = last_day - dt.timedelta(days=rules.persistent_days - 1)
    stations = {s.pk: s for s in _stations(city)}
    districts = {d.pk: d for d in District.objects.filter(parent=city)}
    for pollutant in rules.pollutants:
        station_daily: dict[int, dict] = defaultdict(dict)
        for station_id, day, value in DailyValue.objects.filter(
            station_id__in=stations, date__gte=first_day, date__lte=last_day
        ).values_list("station_id", "date", pollutant):
            station_daily[station_id][day] = value
        for found in anomaly.detect_persistent(
            station_daily, last_day=last_day, pollutant=pollutant, rules=rules
        ):
            station = stations[found.key]
            _open_persistent(found, station.district, station, rules, report, acting_user)
        district_daily: dict[int, dict] = defaultdict(dict)
        for district_id, day, value in DistrictDaily.objects.filter(
            district_id__in=districts, date__gte=first_day, date__lte=last_day
        ).values_list("district_id", "date", pollutant):
            district_daily[district_id][day] = value
        for found in anomaly.detect_persistent(
            district_daily, last_day=last_day, pollutant=pollutant, rules=rules
        ):
            _open_persistent(found, districts[found.key], None, rules, report, acting_user)


def _open_persistent(found, district, station, rules, report: Report, acting_user) -> None:
    report.findings += 1
    window_start = tz.start_of_local_day(found.first_day)
    earlier = services.open_items_for(
        station=station, district=district, kind=AnomalyKind.PERSISTENT, pollutant=found.pollutant
    )
    if earlier.filter(
        Q(status__in=[ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK])
        | Q(period_end__gt=window_start)
    ).exists():
        return
    target = station.code if station else f"d{district.pk}"
    opening = services.Opening(
        kind=AnomalyKind.PERSISTENT,
        scope=AnomalyScope.STATION if station else AnomalyScope.DISTRICT,
        district=district,
        station=station,
        pollutant=found.pollutant,
        period_start=window_start,
        period_end=tz.start_of_local_day(found.last_day + dt.timedelta(days=1)),
        value=found.mean_value,
        baseline=None,
        neighbours=found.mean_reference,
        detail={
            "high_days": list(found.high_days),
            "window_days": rules.persistent_days,
            "ratio": rules.persistent_ratio,
        },
        rule_code=rules.code,
        dedupe_key=f"persistent:{target}:{found.pollutant}:{found.last_day:%Y%m%d}",
    )
    item = services.open_response(opening, acting_user=acting_user)
    if item is not None:
        report.opened.append(item)
