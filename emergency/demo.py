"""Demo data: a generated reduction list across 西安市's districts and one past episode
(yellow, upgraded to orange, lifted) with its daily draws, plans, inspections and cases.

Idempotent: once the demo episode exists nothing is added. Everything goes through the
services, so the audit log and notifications look as they would in use.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.choices import Role
from accounts.models import District, Membership, Unit
from emergency import draws, listfile, readings, sample, services
from emergency.choices import CaseStatus, InspectionStatus, Result
from emergency.models import Case, Enterprise, Episode, Inspection
from lantian.lib import tz

CITY = "西安市"
LIST_SIZE = 400
DEMO_NOTE = "演示：根据市气象台、环境监测站联合会商，预计将出现持续重污染过程"
DEMO_PASSWORD = "lantian-demo"
VIOLATION = "现场生产线仍在运行，未按预警要求停止相关工序；应急台账记录与现场不符。"
# username, display name, unit, role: field inspectors of two inspecting units
INSPECTORS = [
    ("jc_huyi", "鄠邑区 执法检查员 周", "鄠邑区政府"),
    ("jc_gxj", "市工信局 督导检查员 孙", "西安市工业和信息化局"),
]


def load_demo(stdout) -> None:
    city = District.objects.filter(parent=None, name=CITY).first()
    if city is None:
        return
    office = get_user_model().objects.filter(username="office").first()
    if Episode.objects.filter(city=city, basis_note=DEMO_NOTE).exists():
        stdout.write("重污染应对演示数据已存在。")
        return
    with transaction.atomic():
        inspectors = _inspectors()
        _import_list(city, office)
        episode = _past_episode(city, office)
        _inspect(episode, office, inspectors)
        _upgrade_some(city, office)
    stdout.write(
        f"重污染应对演示：清单 {LIST_SIZE} 家企业，预警过程 {episode.number}（黄色→橙色→解除）；"
        f"检查员 {', '.join(u for u, _, _ in INSPECTORS)}，inspector 兼鄠邑区检查员"
    )


def _inspectors() -> dict[str, object]:
    User = get_user_model()
    out = {}
    for username, name, unit_name in INSPECTORS:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        unit = Unit.objects.get(city__name=CITY, name=unit_name)
        Membership.objects.get_or_create(user=user, unit=unit, role=Role.INSPECTOR)
        out[unit_name] = user
    inspector = User.objects.filter(username="inspector").first()
    if inspector:
        unit = Unit.objects.get(city__name=CITY, name="鄠邑区政府")
        Membership.objects.get_or_create(user=inspector, unit=unit, role=Role.INSPECTOR)
    return out


def _import_list(city, office) -> None:
    bodies = {u.district.name: u.name for u in draws.district_bodies(city).values()}
    names = [d.name for d in District.objects.filter(parent=city).order_by("id")]
    rows = sample.generate(LIST_SIZE, names, seed=2023, devices=0.25)
    for row in rows:
        row["units"] = [bodies[row["district"]], "市生态环境局"]
    upload = SimpleUploadedFile(
        "西安市重污染天气应急减排清单（演示）.xlsx", listfile.write_workbook(rows)
    )
    services.import_list(upload, city=city, acting_user=office)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz.LOCAL_TZ)


def _past_episode(city, office) -> Episode:
    first = tz.local_today() - dt.timedelta(days=20)
    eve = first - dt.timedelta(days=1)
    days = [first + dt.timedelta(days=i) for i in range(3)]
    episode = services.issue_episode(
        city=city,
        level="yellow",
        starts_at=_at(first, 0),
        expected_end_at=_at(first + dt.timedelta(days=2), 0),
        basis_note=DEMO_NOTE,
        rule_code="环办大气函〔2018〕875号",
        basis={"level": "yellow", "basis": "逐日预报", "demo": True},
        acting_user=office,
    )
    rounds = [services.commit_round(episode, d, acting_user=office, now=_at(eve, 20)) for d in days]
    services.change_level(
        episode,
        "orange",
        effective_at=_at(first, 18),
        expected_end_at=_at(first + dt.timedelta(days=3), 0),
        reason="演示：会商预计 AQI>300 持续 24 小时，升级为橙色",
        acting_user=office,
    )
    for n, (day, round_) in enumerate(zip(days, rounds, strict=True)):
        services.run_draw(
            round_,
            beacon=f"{4500000 + 2880 * n}",
            beacon_source=f"drand 第 {4500000 + 2880 * n} 轮（演示）",
            acting_user=office,
            now=_at(day, 8, 5),
        )
    services.lift_episode(
        episode,
        effective_at=_at(first + dt.timedelta(days=3), 0),
        reason="演示：扩散条件转好，解除预警",
        acting_user=office,
    )
    return episode


def _inspect(episode: Episode, office, inspectors) -> None:
    rng = random.Random(7)
    items = (
        Inspection.objects.filter(plan__round__episode=episode, status=InspectionStatus.PENDING)
        .select_related("plan__unit")
        .order_by("plan__day", "plan_id", "position")
    )
    for item in items:
        if rng.random() > 0.7:
            continue
        ok = rng.random() > 0.08
        finding = services.Finding(
            result=Result.COMPLIANT if ok else Result.NON_COMPLIANT,
            measures_in_place=ok,
            facilities_running=True,
            ledger_ok=ok or rng.random() > 0.5,
            findings=""
            if ok
            else "现场生产线仍在运行，未按橙色预警要求停止相关工序；应急台账记录与现场不符。",
            inspected_at=_at(item.plan.day, 9 + rng.randint(0, 7), rng.randint(0, 59)),
        )
        who = inspectors.get(item.plan.unit.name, office)
        services.record_inspection(item, finding, acting_user=who)
    _move_cases(episode, office, rng)


def _move_cases(episode: Episode, office, rng: random.Random) -> None:
    for case in Case.objects.filter(inspection__plan__round__episode=episode).order_by("id"):
        roll = rng.random()
        if roll < 0.6:
            services.update_case(
                case,
                status=CaseStatus.HANDLING,
                handling="已责令整改，立案调查",
                acting_user=office,
            )
        if roll < 0.3:
            services.update_case(
                case,
                status=CaseStatus.CLOSED,
                handling="依法处罚并约谈企业负责人，复查已落实",
                acting_user=office,
            )


def _upgrade_some(city, office) -> None:
    upgrades = [("B", "A"), ("C", "B"), ("C", "B"), ("D", "C")]
    for old, new in upgrades:
        enterprise = Enterprise.objects.filter(city=city, grade=old).order_by("id").first()
        if enterprise:
            services.change_grade(
                enterprise,
                new,
                effective_on=tz.local_today(),
                reason="演示：省生态环境厅绩效评级结果公示",
                acting_user=office,
            )


def demo_readings(mns, start: dt.datetime, end: dt.datetime):
    """Synthetic hourly readings for trying the online-data view before ``monitoring`` is merged
    (``LANTIAN_EMERGENCY_READINGS=emergency.demo.demo_readings``). Clearly demo data."""
    out = []
    for mn in mns:
        rng = random.Random(mn)
        level = rng.uniform(20, 60)
        drop = rng.choice((0.1, 0.3, 0.5))
        hours = int((end - start).total_seconds() // 3600)
        for h in range(min(hours, 24 * 40)):
            at = start + dt.timedelta(hours=h)
            # the platform asks for 7 days of baseline before the episode: reduce after that
            factor = 1 - drop if at >= start + dt.timedelta(days=7) else 1
            value = level * factor * (1 + 0.2 * math.sin(h / 3)) + rng.uniform(-3, 3)
            out.append(readings.Reading(mn, "颗粒物", at, round(max(value, 0), 2), "mg/m³"))
    return out
