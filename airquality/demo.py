"""Demo air-quality data for 西安市: stations, 60 days of hours with a pollution episode, dust fall,
and the response items the detector opens on them. Idempotent: a second run adds nothing.

The hours are generated (a fixed random seed), imported through ``services.import_hours`` like a
monitoring centre's file, and aggregated by the same code as real data. Two stories are built in:
鄠邑区's 草堂 station rises sharply in the last hours (an abnormal rise), and 临潼区's second
station runs well above the rest of the city all week (a persistently high area).
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from django.db import transaction

from accounts.models import District
from airquality import detection, services
from airquality.choices import ImportStatus, StationKind
from airquality.models import DustFall, HourlyObservation, Station
from lantian.lib import tz

CITY = "西安市"
DAYS = 60
SEED = 20260301
# district: (latitude, longitude, pollution factor, station names)
AREAS = {
    "新城区": (34.27, 108.96, 1.05, ("市人民体育场", "韩森寨")),
    "碑林区": (34.25, 108.95, 1.05, ("兴庆小区", "南门")),
    "莲湖区": (34.27, 108.92, 1.08, ("土门", "大兴西路")),
    "雁塔区": (34.21, 108.94, 1.00, ("小寨", "曲江池")),
    "灞桥区": (34.28, 109.07, 1.15, ("纺织城", "灞桥街道")),
    "未央区": (34.31, 108.94, 1.10, ("市监测站", "草滩")),
    "阎良区": (34.66, 109.23, 1.12, ("阎良区", "凤凰路")),
    "临潼区": (34.37, 109.21, 1.05, ("临潼区", "骊山北")),
    "长安区": (34.16, 108.91, 0.95, ("长安区", "郭杜")),
    "高陵区": (34.53, 109.09, 1.18, ("高陵区", "泾渭")),
    "鄠邑区": (34.11, 108.60, 0.98, ("草堂基地", "鄠邑城区")),
    "蓝田县": (34.15, 109.32, 0.85, ("蓝田县城", "华胥")),
    "周至县": (34.16, 108.22, 0.80, ("周至县城", "哑柏")),
    "高新区": (34.22, 108.88, 1.00, ("高新西区",)),
    "经开区": (34.34, 108.94, 1.08, ("经开区",)),
}
RISING = "鄠邑区"  # station 1 of this district rises in the last three hours
PERSISTENT = "临潼区"  # station 2 of this district runs high all week


def load_demo(stdout) -> None:
    city = District.objects.filter(name=CITY, parent=None).first()
    if city is None:
        stdout.write("空气质量演示数据：未找到西安市，跳过")
        return
    stations = _stations(city)
    end = tz.start_of_local_day(tz.local_today())
    hours_created = _hours(stations, end, stdout)
    dust_created = _dustfall(city, end.date())
    at = end - dt.timedelta(hours=1)
    report = detection.run_detection(at)
    _answer_one(report)
    stdout.write(
        f"空气质量演示数据：{len(stations)} 个站点，新增小时数据 {hours_created} 条，"
        f"降尘 {dust_created} 条，新开异常响应单 {len(report.opened)} 件"
    )


@transaction.atomic
def _stations(city: District) -> list[Station]:
    stations = []
    for number, (name, (lat, lon, _, names)) in enumerate(AREAS.items(), start=1):
        district = District.objects.filter(parent=city, name=name).first()
        if district is None:
            continue
        for index, station_name in enumerate(names):
            station, _ = Station.objects.get_or_create(
                code=f"XA{number:02d}{'AB'[index]}",
                defaults={
                    "name": station_name,
                    "district": district,
                    "kind": StationKind.NATIONAL if index == 0 else StationKind.PROVINCIAL,
                    "latitude": round(lat + 0.03 * index, 4),
                    "longitude": round(lon + 0.03 * index, 4),
                },
            )
            stations.append(station)
    return stations


def _series(n_hours: int, factor: float, rng: np.random.Generator, shared: np.ndarray):
    """PM2.5, PM10, SO2, NO2, CO, O3 for one station: shared weather, local noise, daily cycle."""
    hour = np.arange(n_hours) % 24
    diurnal = 1 + 0.25 * np.cos((hour - 8) / 24 * 2 * np.pi)  # morning high, afternoon low
    local = np.exp(rng.normal(0, 0.12, n_hours))
    pm25 = 28 * factor * shared * diurnal * local
    pm10 = pm25 * rng.uniform(1.3, 1.55, n_hours) + rng.normal(12, 4, n_hours).clip(0)
    so2 = rng.normal(8, 2, n_hours).clip(2) * factor
    no2 = (32 * factor * diurnal * np.exp(rng.normal(0, 0.2, n_hours))) + 4 * (shared - 1)
    co = (0.7 + 0.004 * pm25) * np.exp(rng.normal(0, 0.1, n_hours))
    sun = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    o3 = (25 + 85 * sun) * np.exp(rng.normal(0, 0.15, n_hours)) / np.sqrt(shared)
    return pm25, pm10, so2, no2, co, o3


def _weather(n_hours: int, rng: np.random.Generator) -> np.ndarray:
    """The city-wide multiplier: slow random drift plus a six-day heavy-pollution episode."""
    drift = np.cumsum(rng.normal(0, 0.025, n_hours))
    drift = np.exp(drift - np.linspace(drift[0], drift[-1], n_hours))
    days = np.arange(n_hours) / 24
    episode = np.exp(-(((days - (DAYS - 20)) / 2.0) ** 2)) * 4.5
    return drift * (1 + episode)


def _hours(stations: list[Station], end: dt.datetime, stdout) -> int:
    if HourlyObservation.objects.filter(station__in=stations).exists():
        return 0
    n = DAYS * 24
    start = end - dt.timedelta(hours=n)
    rng = np.random.default_rng(SEED)
    shared = _weather(n, rng)
    out = io.StringIO()
    out.write("站点编码,时间,SO2,NO2,CO,O3,PM10,PM2.5\n")
    for station in stations:
        factor = AREAS[station.district.name][2]
        pm25, pm10, so2, no2, co, o3 = _series(n, factor, rng, shared)
        missing = rng.random(n) < 0.01
        _stories(station, pm25, pm10, missing, n)
        for k in range(n):
            time = tz.to_local(start + dt.timedelta(hours=k))
            cells = (so2[k], no2[k], co[k], o3[k], pm10[k], pm25[k])
            text = [
                "—" if missing[k] else f"{v:.1f}" if i == 2 else f"{v:.0f}"
                for i, v in enumerate(cells)
            ]
            out.write(f"{station.code},{time:%Y-%m-%d %H:%M},{','.join(text)}\n")
    result = services.import_hours(
        out.getvalue().encode(), "演示-西安市站点小时数据.csv", acting_user=None
    )
    if result.status != ImportStatus.DONE:
        stdout.write(f"空气质量演示数据导入失败：{result.errors[:3]}")
        return 0
    return result.created


def _stories(station: Station, pm25, pm10, missing, n: int) -> None:
    """The built-in cases: a local rise, a persistently high station, a day of 19 valid hours."""
    name = station.district.name
    if station.code == "XA13B":  # 周至县: ten days ago only 19 hours came through
        day = n - 10 * 24
        missing[day : day + 24] = False
        missing[day + 3 : day + 8] = True
    if name == RISING and station.code.endswith("A"):
        pm25[n - 3 :] = pm25[n - 3 :] * 1.0 + np.array([95.0, 120.0, 140.0])
        pm10[n - 3 :] = pm10[n - 3 :] + np.array([150.0, 190.0, 210.0])
    if name == PERSISTENT and station.code.endswith("B"):
        pm25[n - 7 * 24 :] *= 1.45
        pm10[n - 7 * 24 :] *= 1.4


def _answer_one(report) -> None:
    """临潼区 has already fed back on one item, so the office has something to evaluate."""
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.filter(username="lintong").first()
    for item in report.opened:
        if (
            officer
            and item.district.name == PERSISTENT
            and item.station_id
            and item.pollutant == "pm25"
        ):
            services.submit_feedback(
                item,
                cause="骊山北站点周边两处建筑工地土方作业，渣土车未苫盖",
                measures="责令工地停止土方作业并全覆盖；渣土车辆冲洗后出场；加密道路洒水频次",
                acting_user=officer,
            )


def _dustfall(city: District, today: dt.date) -> int:
    month = today.replace(day=1)
    months = []
    for _ in range(3):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)
    if DustFall.objects.filter(district__parent=city, month__in=months).exists():
        return 0
    rng = np.random.default_rng(SEED + 1)
    lines = ["区县,月份,降尘量,点位数"]
    for month in sorted(months):
        for name, (_, _, factor, names) in AREAS.items():
            value = max(2.0, rng.normal(6.2, 1.1) * factor)
            lines.append(f"{name},{month:%Y-%m},{value:.2f},{len(names) + 1}")
    result = services.import_dustfall(
        ("\n".join(lines) + "\n").encode(), "演示-降尘.csv", acting_user=None, city=city
    )
    return result.created if result.status == ImportStatus.DONE else 0
