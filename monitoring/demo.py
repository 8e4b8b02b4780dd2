"""Demo monitoring data: three sites in Xi'an districts, their devices, six hours of readings
and the alarm they raise. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from accounts.models import District, Unit
from lantian.lib import tz
from monitoring import rollups, simulator
from monitoring.hj212 import parse_frame
from monitoring.ingest import insert_rows, write_batch
from monitoring.judge import judge_devices
from monitoring.models import Alarm, Device, Reading, Site

CITY = "西安市"
SITES = [
    # name, kind, district, extra fields, responsible units, device MN, device kind, profile
    (
        "鄠邑区 草堂安置房项目",
        "construction",
        "鄠邑区",
        {"phase": "earthworks"},
        ["鄠邑区政府", "西安市住房和城乡建设局"],
        "XADUST000001",
        "dust",
        "dust-ug",
    ),
    (
        "临潼区 华清大酒楼",
        "restaurant",
        "临潼区",
        {"size_class": "large", "outlets": 2},
        ["临潼区政府", "西安市城市管理和综合执法局"],
        "XAFUME000001",
        "fume",
        "fume",
    ),
    (
        "雁塔区 某热电厂 1# 排口",
        "emission",
        "雁塔区",
        {},
        ["雁塔区政府", "西安市生态环境局"],
        "XACEMS000001",
        "emission",
        "tolerant",
    ),
]
PERMIT = {"a34013": 10.0, "a21026": 35.0, "a21002": 50.0}


@transaction.atomic
def load_demo(stdout) -> None:
    city = District.objects.get(parent=None, name=CITY)
    devices = []
    for name, kind, district, extra, units, mn, dev_kind, profile in SITES:
        place = District.objects.get(parent=city, name=district)
        site, created = Site.objects.get_or_create(
            district=place, name=name, defaults={"kind": kind, **extra}
        )
        if created:
            site.units.set(Unit.objects.filter(city=city, name__in=units))
        device, _ = Device.objects.get_or_create(
            mn=mn,
            defaults={
                "password": "123456",
                "kind": dev_kind,
                "site": site,
                "profile": profile,
                "install_date": dt.date(2024, 3, 1),
                "placement": "场界下风向，围挡内，采样口距地面 3.5 m" if dev_kind == "dust" else "",
                "permit_limits": PERMIT if dev_kind == "emission" else {},
            },
        )
        devices.append(device)
    if Reading.objects.filter(device__in=devices).exists():
        stdout.write("在线监测演示数据已存在")
        return
    now = tz.now().replace(second=0, microsecond=0)
    start = now - dt.timedelta(hours=6)
    rng = random.Random(212)
    uploads = []
    for device in devices:
        # the construction site exceeds the TSP limit (≈3×) for its last three hours
        for k in range(0, 6 * 60, 5):
            when = start + dt.timedelta(minutes=k)
            sim = simulator.SimDevice(device.mn, device.password, device.kind)
            # the restaurant's purifier fails for its first two hours, then is repaired
            sim.exceed = (
                3.0
                if (device.kind == "dust" and k >= 180) or (device.kind == "fume" and k < 120)
                else 1.0
            )
            frame = parse_frame(simulator.frame_for(sim, k, when, rng), _profile(device))
            uploads.append((device.pk, frame))
    write_batch(uploads, received_at=now)
    rollups.rebuild(start, now + dt.timedelta(hours=1), [d.pk for d in devices])
    alarms = judge_devices([d.pk for d in devices], now=now)
    walked = walk_alarms(Alarm.objects.filter(device__in=devices).order_by("first_at", "pk"))
    stdout.write(
        f"在线监测：{len(devices)} 个点位、{len(uploads)} 条上传、{len(set(alarms))} 条报警"
        f"（{walked}）"
    )
    linked = _episode_data(rng)
    if linked:
        stdout.write(f"在线监测：{linked} 家应急减排清单企业的排口数据（演示预警过程前后）")


# how far each alarm of the demo has come, oldest first: one of each step of the ledger
STEPS = ("close", "reply", "handle", "investigate")


def walk_alarms(alarms) -> str:
    """The oldest alarms taken through the handling ledger, each one step less far than the
    one before (办结, 已答复, 已处置, 核查中; the newest stay with the unit), each step by
    the office or the unit's officer an hour after the one before."""
    from django.contrib.auth import get_user_model

    from accounts.choices import Role
    from accounts.models import Membership
    from monitoring import services

    office = get_user_model().objects.filter(username="office").first()
    if office is None:
        return "无演示账号，报警未处置"
    done = []
    for alarm, last in zip(list(alarms), STEPS, strict=False):
        if alarm.status != "dispatched":
            continue
        member = Membership.objects.filter(
            unit_id=alarm.dispatched_to_id, role=Role.UNIT_OFFICER
        ).first()
        officer = member.user if member else office
        at = max(alarm.last_at, tz.now() - dt.timedelta(hours=5))
        path = ["investigate", "handle", "reply", "close"]
        for n, step in enumerate(path[: path.index(last) + 1], 1):
            with tz.replaying(min(at + dt.timedelta(hours=n), tz.now())):
                alarm = _step(services, step, alarm, officer, office)
        done.append(alarm.get_status_display())
    return "、".join(done) or "均待处置"


def _step(services, step, alarm, officer, office):
    if step == "investigate":
        return services.investigate_alarm(alarm, acting_user=officer, note="已安排人员现场核查")
    if step == "handle":
        measures = (
            "责令停工整改，增加雾炮和洒水频次，裸土覆盖"
            if alarm.site.kind == "construction"
            else ("责令清洗油烟净化设施，更换滤芯，恢复正常运行")
        )
        return services.handle_alarm(alarm, acting_user=officer, measures=measures)
    if step == "reply":
        return services.reply_alarm(alarm, acting_user=officer, reply="已整改到位，数据恢复正常。")
    return services.close_alarm(alarm, acting_user=office, note="复核数据已恢复正常，办结")


def _episode_data(rng: random.Random) -> int:
    """Hourly stack data for a few enterprises of the emergency demo's list, around its demo
    episode: one cuts emissions as it owes, one only by half of that (线上监控+线下核实)."""
    try:
        from emergency.demo import DEMO_NOTE
        from emergency.models import Enterprise, Episode
    except ImportError:
        return 0
    episode = Episode.objects.filter(basis_note=DEMO_NOTE).order_by("-starts_at").first()
    if episode is None or episode.lifted_at is None:
        return 0
    # enterprises an inspector found compliant during the episode: the data will back one
    # of them and contradict the other (the cross-check ``inspection_vs_data`` finds it)
    chosen = list(
        Enterprise.objects.filter(
            city=episode.city,
            measures__level="orange",
            inspections__plan__round__episode=episode,
            inspections__result="compliant",
        )
        .select_related("district")
        .distinct()
        .order_by("id")[:2]
    )
    for enterprise in chosen:
        if not enterprise.device_mns:
            enterprise.device_mns = [f"6101DEMO{enterprise.pk:06d}"]
            enterprise.save(update_fields=["device_mns"])
    rows = []
    for share, enterprise in zip((1.0, 0.5), chosen, strict=False):
        measure = enterprise.measures.get(level="orange")
        owed = 1.0 if measure.stop_production else float(measure.reduction_pct or 30) / 100
        site, _ = Site.objects.get_or_create(
            district=enterprise.district,
            name=f"{enterprise.name} 总排口",
            defaults={"kind": "emission", "operator": enterprise.name},
        )
        device, _ = Device.objects.get_or_create(
            mn=enterprise.device_mns[0],
            defaults={
                "password": "123456",
                "kind": "emission",
                "site": site,
                "install_date": dt.date(2023, 1, 1),
                "permit_limits": PERMIT,
            },
        )
        at = episode.starts_at - dt.timedelta(days=7)
        while at < episode.lifted_at + dt.timedelta(days=1):
            during = episode.starts_at <= at < episode.lifted_at
            factor = 1 - owed * share if during else 1.0
            for code, level in (("a34013", 6.0), ("a21026", 20.0), ("a21002", 40.0)):
                value = round(level * factor * rng.uniform(0.9, 1.1), 3)
                rows.append((device.pk, code, at, 2061, value, "N", None, None, None, None))
            at += dt.timedelta(hours=1)
    insert_rows(rows)
    if rows:
        times = [r[2] for r in rows]
        rollups.rebuild(min(times), max(times) + dt.timedelta(hours=1), {r[0] for r in rows})
    return len(chosen)


def _profile(device):
    from monitoring.hj212 import get_profile

    return get_profile(device.profile)
