"""Derived figures: station days → district (and city) days → district months and rankings.

Called by ``airquality.services`` after imports; everything here is recomputed from the rows
beneath it, so running it twice changes nothing. The pure rules live in ``validity``, ``stats``
and ``aqi``; this module only reads and writes the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from accounts.models import District
from airquality import aqi
from airquality.models import (
    DAILY_FIELDS,
    DailyFigures,
    DailyValue,
    DistrictDaily,
    DistrictMonthly,
    HourlyObservation,
    Station,
)
from airquality.stats import RankingRules, composite_index, mean, percentile, rank
from airquality.validity import HOURS, OBSERVED, Day, Rules, day_figures
from lantian.lib.tz import month_end, start_of_local_day, to_local

_FIGURE_FIELDS = [
    *DAILY_FIELDS,
    "hours",
    "o3_windows",
    "aqi",
    "level",
    "primary",
    "over_limit",
    "standard",
    "above_scale",
    "note",
]


class _Cache:
    """Rules and AQI tables by day, looked up once per run."""

    def __init__(self) -> None:
        self.resolver = aqi.Resolver()
        self._rules: dict[dt.date, Rules] = {}

    def rules(self, day: dt.date) -> Rules:
        if day not in self._rules:
            self._rules[day] = Rules.on(day)
        return self._rules[day]


def _apply_aqi(obj: DailyFigures, values: dict, day: dt.date, cache: _Cache) -> None:
    """Fill the AQI fields of ``obj`` from daily-report inputs (nothing when none is valid)."""
    obj.aqi, obj.level, obj.primary, obj.over_limit = None, None, "", ""
    obj.standard, obj.above_scale, obj.note = "", False, ""
    try:
        table = cache.resolver(day)
        result = aqi.compute(values, mode=aqi.DAILY, table=table)
    except aqi.MissingValue as exc:
        if any(v is not None for v in values.values()):
            obj.note = str(exc)[:200]
        return
    except (aqi.AQIError, LookupError) as exc:
        obj.note = str(exc)[:200]
        return
    obj.standard = result.standard
    if not result.published:  # HJ 633—2026 §5.3.1: incomplete and ≤ 100 is published as NA
        obj.note = result.unpublished_note[:200]
        return
    obj.aqi, obj.level = result.aqi, result.level.index
    obj.primary, obj.over_limit = ";".join(result.primary), ";".join(result.over_limit)
    obj.above_scale = result.above_scale


def _fill(obj: DailyFigures, day: Day) -> None:
    for name in DAILY_FIELDS:
        setattr(obj, name, day.values.get(name))
    obj.hours = dict(day.hours)
    obj.o3_windows = day.o3_windows


def refresh_station_days(pairs: Iterable[tuple[int, dt.date]], cache: _Cache | None = None):
    """Recompute the daily values of these (station id, local day) pairs from their hours."""
    cache = cache or _Cache()
    pairs = set(pairs)
    if not pairs:
        return set()
    stations = {s for s, _ in pairs}
    days = sorted({d for _, d in pairs})
    hours: dict[tuple[int, dt.date], dict[str, list]] = defaultdict(
        lambda: {p: [None] * HOURS for p in OBSERVED}
    )
    observations = HourlyObservation.objects.filter(
        station_id__in=stations,
        time__gte=start_of_local_day(days[0]),
        time__lt=start_of_local_day(days[-1] + dt.timedelta(days=1)),
    ).values_list("station_id", "time", *OBSERVED)
    for station_id, time, *values in observations.iterator(chunk_size=5000):
        local = to_local(time)
        key = (station_id, local.date())
        if key not in pairs:
            continue
        slots = hours[key]
        for pollutant, value in zip(OBSERVED, values, strict=True):
            slots[pollutant][local.hour] = value
    rows = []
    for station_id, day in sorted(pairs):
        figures = day_figures(hours.get((station_id, day), {}), cache.rules(day))
        obj = DailyValue(station_id=station_id, date=day)
        _fill(obj, figures)
        _apply_aqi(obj, figures.for_aqi(), day, cache)
        rows.append(obj)
    _upsert(DailyValue, rows, ["station", "date"])
    return pairs


def _upsert(model, rows, unique_fields) -> None:
    model.objects.bulk_create(
        rows,
        batch_size=500,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=[f for f in _FIGURE_FIELDS if hasattr(rows[0], f)]
        + (["stations"] if model is DistrictDaily else []),
    )


def areas_of(station_districts: Iterable[int]) -> set[int]:
    """The districts whose figures a station's data feeds: its own and its city."""
    areas = set()
    for district in District.objects.filter(pk__in=set(station_districts)):
        areas.add(district.pk)
        if district.parent_id:
            areas.add(district.parent_id)
    return areas


def refresh_area_days(areas: Iterable[int], days: Iterable[dt.date], cache: _Cache | None = None):
    """District (and city) days: the mean of each statistic over the area's stations."""
    cache = cache or _Cache()
    areas, days = set(areas), sorted(set(days))
    if not areas or not days:
        return
    members: dict[int, set[int]] = defaultdict(set)
    stations = Station.objects.filter(in_district_figures=True).filter(
        Q(district_id__in=areas) | Q(district__parent_id__in=areas)
    )
    for station_id, district_id, parent_id in stations.values_list(
        "pk", "district_id", "district__parent_id"
    ):
        for area in (district_id, parent_id):
            if area in areas:
                members[area].add(station_id)
    values = defaultdict(dict)
    for row in DailyValue.objects.filter(
        station_id__in=set().union(*members.values()) if members else [], date__in=days
    ).values("station_id", "date", *DAILY_FIELDS):
        values[row["date"]][row["station_id"]] = row
    rows = []
    for area in sorted(areas):
        for day in days:
            station_rows = [values[day][s] for s in members.get(area, ()) if s in values[day]]
            obj = DistrictDaily(district_id=area, date=day)
            for name in DAILY_FIELDS:
                setattr(obj, name, mean([r[name] for r in station_rows if r[name] is not None]))
            obj.stations = sum(any(r[n] is not None for n in DAILY_FIELDS) for r in station_rows)
            obj.hours = {}
            figures = Day(values={n: getattr(obj, n) for n in DAILY_FIELDS})
            _apply_aqi(obj, figures.for_aqi(), day, cache)
            rows.append(obj)
    _upsert(DistrictDaily, rows, ["district", "date"])


def refresh_months(city_ids: Iterable[int], months: Iterable[dt.date]) -> None:
    """Monthly figures of every district of these cities (and the cities), with ranks."""
    for city_id in set(city_ids):
        for month in sorted({m.replace(day=1) for m in months}):
            _refresh_month(city_id, month)


def _refresh_month(city_id: int, month: dt.date) -> None:
    last = month_end(month.year, month.month)
    rules, ranking = Rules.on(last), RankingRules.on(last)
    good_max = aqi.load_table(on=last).levels[1].max  # 优 and 良
    areas = list(
        District.objects.filter(Q(pk=city_id) | Q(parent_id=city_id)).values_list("pk", flat=True)
    )
    days = defaultdict(list)
    for row in DistrictDaily.objects.filter(
        district_id__in=areas, date__gte=month, date__lte=last
    ).values("district_id", "aqi", *DAILY_FIELDS):
        days[row["district_id"]].append(row)
    rows = []
    for area in areas:
        if not days.get(area):
            continue
        rows.append(_month_row(area, month, days[area], rules, ranking, good_max))
    if not rows:
        return
    ranked = [r for r in rows if r.district_id != city_id]
    composite_rank = rank({r.district_id: r.composite for r in ranked})
    pm25_rank = rank({r.district_id: r.pm25 for r in ranked})
    for r in ranked:
        r.rank, r.pm25_rank = composite_rank[r.district_id], pm25_rank[r.district_id]
    DistrictMonthly.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["district", "month"],
        update_fields=[
            "so2", "no2", "pm10", "pm25", "co_p95", "o3_8h_p90", "days", "good_days",
            "complete", "composite", "single_indices", "rank", "pm25_rank", "ranking_code",
        ],
    )  # fmt: skip


def _month_row(area, month, rows, rules: Rules, ranking: RankingRules, good_max: int):
    def present(name):
        return [r[name] for r in rows if r[name] is not None]

    obj = DistrictMonthly(district_id=area, month=month, ranking_code=ranking.code)
    for name in ("so2", "no2", "pm10", "pm25"):
        setattr(obj, name, mean(present(name)))
    obj.co_p95 = percentile(present("co"), ranking.percentiles["co"])
    obj.o3_8h_p90 = percentile(present("o3_8h"), ranking.percentiles["o3"])
    with_aqi = [r["aqi"] for r in rows if r["aqi"] is not None]
    obj.days, obj.good_days = len(with_aqi), sum(1 for v in with_aqi if v <= good_max)
    obj.complete = obj.days >= rules.min_days(month)
    composite = composite_index(
        {
            "so2": obj.so2,
            "no2": obj.no2,
            "pm10": obj.pm10,
            "pm25": obj.pm25,
            "co": obj.co_p95,
            "o3": obj.o3_8h_p90,
        },
        ranking,
    )
    obj.composite = round(composite.index, 3) if composite.index is not None else None
    obj.single_indices = {p: round(v, 3) for p, v in composite.single.items()}
    return obj


def refresh_after_hours(pairs: set[tuple[int, dt.date]]) -> None:
    """Everything derived from these station days: the days, their areas, their months."""
    if not pairs:
        return
    cache = _Cache()
    refresh_station_days(pairs, cache)
    station_districts = dict(
        Station.objects.filter(pk__in={s for s, _ in pairs}).values_list("pk", "district_id")
    )
    days = {d for _, d in pairs}
    areas = areas_of(station_districts.values())
    refresh_area_days(areas, days, cache)
    cities = set(
        District.objects.filter(pk__in=areas, parent=None).values_list("pk", flat=True)
    ) | set(
        District.objects.filter(pk__in=areas)
        .exclude(parent=None)
        .values_list("parent_id", flat=True)
    )
    refresh_months(cities, days)
