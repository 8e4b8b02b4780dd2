"""Demo data for the roster app: this year's key emission units roster (imported from a
generated workbook, with devices that report well, some offline, some with invalid data and
some never installed), and the fume rollout of seed 000 八 (758 units, 2,278 outlets, its two
dated milestones) with a ledger of made-up catering units whose monitors send fan, purifier
and fume values. Idempotent: what exists is left alone."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.db import transaction
from openpyxl import Workbook

from accounts.models import District, Unit
from lantian.lib import tz
from monitoring.ingest import insert_rows
from monitoring.models import Device, Site
from roster import services
from roster.models import Rollout, Roster

CITY = "西安市"
DISTRICTS = ["鄠邑区", "临潼区", "雁塔区", "未央区", "长安区", "高陵区"]
INDUSTRIES = ["火电", "水泥", "砖瓦", "铸造", "化工", "印刷", "汽车制造", "供热"]
ROLLOUT_TITLE = "全市经营面积1000平方米以上餐饮单位油烟在线监测设施安装"
HOURS = 7 * 24


def load_demo(stdout) -> None:
    city = District.objects.filter(parent=None, name=CITY).first()
    if city is None:
        return
    rng = random.Random(16)
    now = tz.now().replace(minute=0, second=0, microsecond=0)
    made = []
    with transaction.atomic():
        if not Roster.objects.filter(city=city, year=tz.local_today().year).exists():
            made.append(_roster(city, now, rng))
        if not Rollout.objects.filter(city=city, title=ROLLOUT_TITLE).exists():
            made.append(_rollout(city, now, rng))
    for line in made:
        stdout.write(line)


def _units_of(district: District) -> list[Unit]:
    return list(Unit.objects.filter(district=district, kind="government")[:1])


def _hourly(device, now, rng, *, hours=HOURS, code, level, bad_share=0.0, cn=2061):
    rows = []
    for k in range(hours, 0, -1):
        at = now - dt.timedelta(hours=k)
        flag = "D" if rng.random() < bad_share else "N"
        value = round(level * rng.uniform(0.7, 1.2), 3)
        rows.append((device.pk, code, at, cn, value, flag, None, None, None, None))
    return rows


def _roster(city: District, now: dt.datetime, rng: random.Random) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append([f"{now.year}年西安市重点排污单位名录（演示）"])
    sheet.append(
        [
            "序号",
            "单位名称",
            "统一社会信用代码",
            "区县",
            "行业类别",
            "名录类别",
            "监测点位",
            "监测因子",
            "设备编号",
        ]
    )
    plan = []  # (mn, district, unit name, point, state)
    for n in range(1, 25):
        district = DISTRICTS[n % len(DISTRICTS)]
        name = f"演示{INDUSTRIES[n % len(INDUSTRIES)]}企业{n:02d}"
        state = "ok" if n % 6 else ("missing", "offline", "invalid", "ok")[n // 6 % 4]
        for p in range(1, 1 + (n % 3 or 1)):
            mn = f"61DEMOKEY{n:03d}{p}"
            sheet.append(
                [
                    n if p == 1 else None,
                    name if p == 1 else None,
                    None,
                    district if p == 1 else None,
                    INDUSTRIES[n % len(INDUSTRIES)] if p == 1 else None,
                    "大气环境重点排污单位" if p == 1 else None,
                    f"{p}#排气筒",
                    "颗粒物、二氧化硫、氮氧化物",
                    mn,
                ]
            )
            plan.append((mn, district, name, f"{p}#排气筒", state if p == 1 else "ok"))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    roster = services.import_roster(
        buffer,
        city=city,
        year=now.year,
        acting_user=None,
        source_name="重点排污单位名录（演示）.xlsx",
    )
    rows = []
    for mn, district_name, name, point, state in plan:
        if state == "missing":
            continue
        district = District.objects.get(parent=city, name=district_name)
        site, created = Site.objects.get_or_create(
            district=district,
            name=f"{name} {point}",
            defaults={"kind": "emission", "operator": name},
        )
        if created:
            site.units.set(_units_of(district))
        device, _ = Device.objects.get_or_create(
            mn=mn,
            defaults={
                "password": "123456",
                "kind": "emission",
                "site": site,
                "install_date": dt.date(now.year - 1, 6, 1),
                "interval_seconds": 3600,
            },
        )
        if state == "offline":
            rows += _hourly(
                device, now - dt.timedelta(days=3), rng, hours=48, code="a34013", level=6
            )
            device.last_seen_at = now - dt.timedelta(days=3)
        else:
            rows += _hourly(
                device,
                now,
                rng,
                code="a34013",
                level=6,
                bad_share=0.6 if state == "invalid" else 0.02,
            )
            device.last_seen_at = now
        device.save(update_fields=["last_seen_at"])
    _store(rows)
    return f"重点排污单位名录：{roster.units.count()} 家单位（演示），{len(rows)} 条小时数据"


def _rollout(city: District, now: dt.datetime, rng: random.Random) -> str:
    from ledger.models import Task

    task = Task.objects.filter(plan__city=city, title__contains="餐饮").order_by("id").first()
    rollout = Rollout(
        city=city,
        title=ROLLOUT_TITLE,
        min_area=1000,
        units_target=758,
        outlets_target=2278,
        basis=(
            "西安市贯彻落实省大气污染防治专项督察报告整改方案 八："
            "对全市经营面积1000平方米以上的758家餐饮企业及2278处排烟口建立台账"
        ),
        task=task,
    )
    services.save_rollout(
        rollout,
        milestones=[
            {
                "due": dt.date(2024, 3, 31),
                "label": "完成重点区域内试点餐饮单位在线监测设施安装",
                "units": 287,
                "outlets": 744,
                "first_batch_only": True,
            },
            {
                "due": dt.date(2024, 12, 31),
                "label": "完成全部餐饮单位在线监测设施安装",
                "units": 758,
                "outlets": 2278,
                "first_batch_only": False,
            },
        ],
        acting_user=None,
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称", "区县", "地址", "经营面积（平方米）", "排烟口数", "试点"])
    ledger = []
    for n in range(1, 37):
        district = DISTRICTS[n % len(DISTRICTS)]
        name = f"演示餐饮{n:02d}号酒楼"
        outlets = 2 + n % 3
        sheet.append(
            [
                name,
                district,
                f"{district}演示路{n}号",
                1000 + 37 * n,
                outlets,
                "是" if n <= 18 else "",
            ]
        )
        ledger.append((name, district, outlets, n))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    services.import_rollout_units(
        buffer, rollout=rollout, acting_user=None, source_name="餐饮单位台账（演示）.xlsx"
    )
    rows, devices = [], 0
    for name, district_name, outlets, n in ledger:
        if n % 7 == 0:
            continue  # not yet installed
        district = District.objects.get(parent=city, name=district_name)
        site, created = Site.objects.get_or_create(
            district=district,
            name=name,
            defaults={
                "kind": "restaurant",
                "operator": name,
                "size_class": "large",
                "outlets": outlets,
            },
        )
        if created:
            site.units.set(_units_of(district))
        installed = outlets if n % 5 else outlets - 1
        for k in range(1, installed + 1):
            device, _ = Device.objects.get_or_create(
                mn=f"61DEMOFUME{n:03d}{k}",
                defaults={
                    "password": "123456",
                    "kind": "fume",
                    "site": site,
                    "profile": "fume",
                    "install_date": dt.date(2024, 2 if n <= 18 else 9, 1),
                    "interval_seconds": 600,
                },
            )
            devices += 1
            off_purifier = n % 4 == 0  # 安而不用: the purifier is often off while cooking
            silent = n % 11 == 0
            for h in range(HOURS, 0, -1):
                at = now - dt.timedelta(hours=h)
                if silent and h < HOURS - 24:
                    break
                local_hour = tz.to_local(at).hour
                cooking = 10 <= local_hour <= 13 or 17 <= local_hour <= 21
                fan = 1 if cooking else 0
                purifier = fan if not off_purifier or rng.random() < 0.4 else 0
                conc = round(rng.uniform(0.3, 1.4) if cooking else rng.uniform(0.05, 0.2), 3)
                rows += [
                    (device.pk, "fume", at, 2061, conc, "N", None, None, None, None),
                    (device.pk, "fan", at, 2061, fan, "N", None, None, None, None),
                    (device.pk, "purifier", at, 2061, purifier, "N", None, None, None, None),
                ]
            device.last_seen_at = now - dt.timedelta(hours=1 if not silent else HOURS - 24)
            device.save(update_fields=["last_seen_at"])
    _store(rows)
    return f"油烟在线监测安装推进：台账 {len(ledger)} 家（演示），已登记设备 {devices} 台"


def _store(rows) -> None:
    """Insert demo readings and roll them up, as the streaming judge does for live data."""
    from monitoring import rollups

    insert_rows(rows)
    if rows:
        times = [r[2] for r in rows]
        rollups.rebuild(min(times), max(times) + dt.timedelta(hours=1), {r[0] for r in rows})
