"""Build labelled scenarios in the database, run every check, score the checks.

Each scenario owns its objects (ledger lines and reports, inspections, a closed item) and is
labelled honest or fake; a fake names the check that should catch it. A finding counts for
a scenario when it points at the scenario's reports, inspections or line. The scenarios are
made the way units and inspectors make them, with the variation of real life; none of the
checks' thresholds is read here.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from crosscheck.scenarios import images, narratives
from lantian.lib.tz import LOCAL_TZ

NOW = dt.datetime(2025, 7, 15, 12, 0, tzinfo=LOCAL_TZ)
ISSUED = dt.date(2024, 10, 9)  # the plan that raised the problems
CENTRE = (34.27, 108.93)  # 西安

LEDGER_HONEST = [
    "honest_progress",
    "honest_same_site",
    "honest_quick",
    "honest_before_photo",
    "honest_standard_wording",
    "honest_no_exif",
    "honest_viewer_software",
    "honest_corrected",
]
LEDGER_FAKE = {
    "fake_photo_before_problem": "photo_time",
    "fake_photo_old": "photo_time",
    "fake_photo_elsewhere": "photo_place",
    "fake_photo_edited": "photo_edited",
    "fake_photo_reused_month": "evidence_reuse",
    "fake_photo_reused_unit": "evidence_reuse",
    "fake_text_previous_month": "text_copy",
    "fake_text_other_unit": "text_copy",
    "fake_late_jump": "late_jump",
}
INSPECTION_HONEST = [
    "honest_inspection_day",
    "honest_industrial_park",
    "honest_same_enterprise_twice",
    "honest_idle_recorded",
    "honest_reduced_production",
]
INSPECTION_FAKE = {
    "fake_travel": "inspection_travel",
    "fake_same_minute": "inspection_clone",
    "fake_same_spot": "inspection_clone",
    "fake_inspection_photo_reused": "inspection_reuse",
    "fake_signature_pasted": "inspection_reuse",
    "fake_idle_day": "inspection_idle",
}
AIR_HONEST = ["honest_air_brief_worsening", "honest_air_worsening_long_before", "honest_air_noise"]
INDUSTRIES = ["建材", "化工", "铸造", "砖瓦", "家具", "印刷"]
AIR_FAKE = {"fake_air_worsening": "air_worsening"}


@dataclass
class Scenario:
    kind: str
    rule: str | None  # None: honest
    reports: set[int] = field(default_factory=set)
    inspections: set[int] = field(default_factory=set)
    lines: set[int] = field(default_factory=set)

    @property
    def honest(self) -> bool:
        return self.rule is None


def plan_kinds(n: int) -> list[str]:
    """``n`` scenario kinds: about half honest, every kind of fake present."""
    ledger = LEDGER_HONEST + list(LEDGER_FAKE)
    inspection = INSPECTION_HONEST + list(INSPECTION_FAKE)
    air = AIR_HONEST + list(AIR_FAKE)
    weights = {}
    for kinds, share in ((ledger, 0.62), (inspection, 0.28), (air, 0.10)):
        honest = [k for k in kinds if k.startswith("honest")]
        fake = [k for k in kinds if k.startswith("fake")]
        for k in honest:
            weights[k] = share * 0.55 / len(honest)
        for k in fake:
            weights[k] = share * 0.45 / len(fake)
    counts = {k: max(1, math.floor(w * n)) for k, w in weights.items()}
    order = sorted(weights, key=lambda k: -(weights[k] * n - math.floor(weights[k] * n)))
    i = 0
    while sum(counts.values()) < n:
        counts[order[i % len(order)]] += 1
        i += 1
    return [k for k, c in counts.items() for _ in range(c)]


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def offset(where: tuple[float, float], metres: float, rng: random.Random) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(angle) / 111_000
    dlon = metres * math.sin(angle) / (111_000 * math.cos(math.radians(where[0])))
    return (round(where[0] + dlat, 6), round(where[1] + dlon, 6))


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stripped(image: Image.Image, rng: random.Random) -> bytes:
    """Through a chat app: recompressed, no EXIF at all."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=rng.randint(60, 85))
    return buffer.getvalue()


class Builder:
    def __init__(self, seed: int = 17):
        from django.contrib.auth import get_user_model

        from accounts.choices import Role, UnitKind
        from accounts.models import District, Membership, Unit
        from ledger.choices import PlanKind
        from ledger.models import Plan

        self.rng = random.Random(seed)
        self.city = District.objects.get(name="西安市", parent=None)
        self.districts = list(District.objects.filter(parent=self.city).order_by("id"))
        self.units = list(
            Unit.objects.filter(
                city=self.city,
                kind__in=[UnitKind.GOVERNMENT, UnitKind.ZONE_ADMIN, UnitKind.BUREAU],
            ).order_by("id")
        )
        User = get_user_model()
        self.office, _ = User.objects.get_or_create(username="bench_office")
        office_unit = Unit.objects.get(
            city=self.city, name="市生态环境保护督察整改工作领导小组办公室"
        )
        Membership.objects.get_or_create(user=self.office, unit=office_unit, role=Role.OFFICE_ADMIN)
        self.plan = Plan.objects.create(
            city=self.city,
            title="数据核验基准场景：督察反馈问题整改方案",
            kind=PlanKind.TASK_LIST,
            issued=ISSUED,
            year=2024,
        )
        self.task_no = 0
        self.enterprise_no = 0
        self.inspector_no = 0
        self.readings: dict[str, tuple[float, dict[dt.date, float]]] = {}
        self.episode = None
        self.rounds: dict[dt.date, object] = {}
        self.plans: dict[tuple[dt.date, int], object] = {}
        self.air_slots: list[tuple[int, dt.date, str, dict[int, float]]] = []

    # --- ledger -------------------------------------------------------------------------------

    def line(self, unit=None, *, deadline: dt.date, place: bool | None = None, dust=True, what=""):
        from crosscheck.models import TaskPlace
        from ledger.models import Assignment, Task

        rng = self.rng
        unit = unit or rng.choice(self.units)
        self.task_no += 1
        if not dust:
            what = rng.choice(["散乱污企业整治不彻底", "燃煤锅炉改造滞后"])
        what = what or rng.choice(
            ["建筑工地扬尘管控不到位", "道路扬尘污染突出", "餐饮油烟直排扰民", "物料堆场未覆盖"]
        )
        task = Task.objects.create(
            plan=self.plan,
            no=self.task_no,
            title=f"{narratives.PLACES[self.task_no % len(narratives.PLACES)]}{what}",
            problem=f"督察发现{what}",
            deadline=deadline,
        )
        line = Assignment.objects.create(
            task=task,
            unit=unit,
            responsible=True,
            works=True,
            district=unit.district if unit.district_id and unit.district.parent_id else None,
        )
        where = offset(CENTRE, rng.uniform(0, 25_000), rng)
        if place if place is not None else rng.random() < 0.6:
            TaskPlace.objects.create(
                task=task, name=task.title[:30], latitude=where[0], longitude=where[1]
            )
        line.site = where  # where the problem is, known or not to the platform
        return line

    def report(
        self,
        line,
        period: dt.date,
        *,
        narrative: str,
        percent: int,
        files=(),
        submitted: dt.datetime | None = None,
        correction: bool = False,
    ):
        from ledger.services import submit_report

        rng = self.rng
        if submitted is None:
            following = (period + dt.timedelta(days=32)).replace(day=1)
            submitted = local(following + dt.timedelta(days=rng.randint(0, 6)), rng.randint(8, 20))
        return submit_report(
            line,
            period=period,
            narrative=narrative,
            percent=percent,
            acting_user=self.office,
            files=[upload(data, name) for data, name in files],
            submitted_at=submitted,
            correction_reason="补充材料" if correction else "",
            # Plans ask for a file or a written reason (Plan.evidence_rule's default).
            no_evidence_reason="" if files else "现场推进中，佐证材料随验收提交",
        )

    def site_photo(
        self,
        scene,
        line,
        period: dt.date,
        *,
        submitted: dt.datetime | None = None,
        where_known: bool = True,
        exif: bool = True,
        software=None,
    ):
        """An honest photo of the line's site taken during the reporting month."""
        rng = self.rng
        image = images.shoot(scene, rng)
        if not exif:
            return stripped(image, rng), image
        last = min(
            (period + dt.timedelta(days=32)).replace(day=1) + dt.timedelta(days=2),
            (submitted or local(period + dt.timedelta(days=33))).date(),
        )
        span = (last - period).days
        day = period + dt.timedelta(days=rng.randint(0, max(0, span - 1)))
        if rng.random() < 0.15:  # the last days of the month before
            day = period - dt.timedelta(days=rng.randint(1, 8))
        taken = local(day, rng.randint(8, 17), rng.randint(0, 59))
        where = None
        if where_known and rng.random() < 0.8:
            where = offset(line.site, abs(rng.gauss(0, 60)) + rng.choice([0, 0, 0, 250]), rng)
        return images.jpeg(image, rng, taken=taken, where=where, software=software), image

    def periods(self, count: int, *, last: dt.date | None = None) -> list[dt.date]:
        last = last or dt.date(2025, self.rng.randint(3, 6), 1)
        months = months_between(dt.date(2024, 11, 1), last)
        return months[-count:]

    def area(self, line) -> str:
        return line.unit.name.replace("政府", "").replace("西安市", "")

    def ledger_scenario(self, kind: str) -> Scenario:
        rng = self.rng
        s = Scenario(kind, LEDGER_FAKE.get(kind))
        scene = images.Scene.random(rng)
        months = self.periods(rng.randint(2, 4))
        deadline = months[-1] + dt.timedelta(days=rng.randint(45, 120))
        line = self.line(deadline=deadline, place=True if kind == "fake_photo_elsewhere" else None)
        s.lines.add(line.pk)
        area = self.area(line)
        percent = rng.randint(5, 30)
        previous_text, old_files = "", []
        for k, period in enumerate(months):
            last_month = k == len(months) - 1
            scene = scene.later(rng) if k else scene
            files = []
            submitted = None
            if kind in ("honest_quick", "fake_late_jump") and last_month:
                submitted = local(
                    deadline - dt.timedelta(days=self.days_before()), rng.randint(9, 18)
                )
                period = dt.date(submitted.year, submitted.month, 1)
            if submitted is None:
                following = (period + dt.timedelta(days=32)).replace(day=1)
                submitted = local(
                    following + dt.timedelta(days=rng.randint(0, 6)), rng.randint(8, 20)
                )
            narrative = narratives.narrative(rng, period.month, area, standard_share=rng.random())
            photo_kw = {"submitted": submitted}
            if kind == "honest_viewer_software":
                photo_kw["software"] = rng.choice(
                    [
                        "Microsoft Windows Photo Viewer 6.1.7600.16385",
                        "今日水印相机 3.2.1",
                        "HDR+ 1.0.5",
                    ]
                )
            if kind == "honest_no_exif":
                photo_kw["exif"] = False
            for n in range(rng.randint(1, 2)):
                data, _ = self.site_photo(scene, line, period, **photo_kw)
                files.append((data, f"现场照片{period.month}-{n + 1}.jpg"))
            if kind == "honest_before_photo" and k == 0:
                before = images.shoot(scene, rng)
                taken = local(ISSUED - dt.timedelta(days=rng.randint(20, 300)))
                files.append((images.jpeg(before, rng, taken=taken), "整改前现场.jpg"))
            if kind == "honest_standard_wording":
                narrative = narratives.mostly_standard(rng, period.month, area)
            if last_month and kind.startswith("fake_photo"):
                files = self.fake_photo(kind, s, scene, line, period, files)
            if kind == "fake_text_previous_month" and k > 0:
                narrative = narratives.renumber(rng, previous_text, period.month)
            previous_text = narrative
            if kind in ("honest_quick", "fake_late_jump") and last_month:
                percent = 100
                if kind == "fake_late_jump":
                    files = [] if rng.random() < 0.6 else old_files
            elif kind == "honest_quick" and k == len(months) - 2:
                percent = min(percent, rng.randint(0, 40))
            elif kind == "fake_late_jump" and k == len(months) - 2:
                percent = rng.randint(5, 60)
            else:
                percent = min(95, percent + rng.randint(5, 30))
            old_files = files
            report = self.report(
                line, period, narrative=narrative, percent=percent, files=files, submitted=submitted
            )
            s.reports.add(report.pk)
            if kind == "honest_corrected" and k == 0:
                again = self.report(
                    line,
                    period,
                    narrative=narrative + "补充说明。",
                    percent=percent,
                    files=files,
                    correction=True,
                )
                s.reports.add(again.pk)
        if kind == "fake_text_other_unit":
            other = self.line(self.other_unit(line.unit), deadline=deadline)
            s.lines.add(other.pk)
            for period in months[-1:]:
                text = narratives.renumber(rng, previous_text, period.month)
                text = text.replace(area, self.area(other))
                report = self.report(other, period, narrative=text, percent=rng.randint(20, 90))
                s.reports.add(report.pk)
        return s

    def days_before(self) -> int:
        """How close to the deadline a last-minute report comes: mostly the last few days."""
        return min(20, int(self.rng.expovariate(1 / 3.5)))

    def other_unit(self, unit):
        return self.rng.choice([u for u in self.units if u.pk != unit.pk])

    def fake_photo(self, kind, s, scene, line, period, files):
        rng = self.rng
        image = images.shoot(scene, rng)
        taken = local(period + dt.timedelta(days=rng.randint(0, 25)), rng.randint(8, 17))
        where = offset(line.site, abs(rng.gauss(0, 40)), rng)
        software = None
        if kind == "fake_photo_before_problem":
            taken = local(ISSUED - dt.timedelta(days=rng.randint(15, 500)), rng.randint(8, 17))
        elif kind == "fake_photo_old":
            taken = local(period - dt.timedelta(days=rng.randint(35, 220)), rng.randint(8, 17))
            if taken.date() < ISSUED:
                taken = local(ISSUED + dt.timedelta(days=rng.randint(1, 20)))
        elif kind == "fake_photo_elsewhere":
            where = offset(line.site, rng.uniform(3_000, 40_000), rng)
        elif kind == "fake_photo_edited":
            software = rng.choice(
                [
                    "Adobe Photoshop 24.1 (Windows)",
                    "Adobe Photoshop Lightroom Classic 12.0",
                    "美图秀秀",
                    "Snapseed 2.21",
                    "PicsArt",
                    "醒图 9.1.0",
                    "GIMP 2.10.34",
                ]
            )
        elif kind in ("fake_photo_reused_month", "fake_photo_reused_unit"):
            return self.reused_photo(kind, s, line, period, files)
        data = images.jpeg(image, rng, taken=taken, where=where, software=software)
        name = rng.choice(["整改后.jpg", "现场照片.jpg", f"IMG_{rng.randint(1000, 9999)}.jpg"])
        return [*files[:1], (data, name)]

    def reused_photo(self, kind, s, line, period, files):
        """An earlier month's (or another item's) photo, through a chat app, as this month's."""
        rng = self.rng
        source_line = line
        if kind == "fake_photo_reused_unit":
            source_line = self.line(self.other_unit(line.unit), deadline=line.task.deadline)
            s.lines.add(source_line.pk)
            scene = images.Scene.random(rng)
            data, image = self.site_photo(scene, source_line, period)
            report = self.report(
                source_line,
                period,
                narrative=narratives.narrative(rng, period.month, self.area(source_line)),
                percent=rng.randint(10, 90),
                files=[(data, "现场照片.jpg")],
            )
            s.reports.add(report.pk)
        else:
            previous = line.reports.filter(is_current=True).order_by("-period").first()
            from crosscheck.photos import open_image

            evidence = self._first_photo(previous)
            image = open_image(evidence) if evidence else None
            if image is None:
                data, image = self.site_photo(images.Scene.random(rng), line, period)
        copy = images.doctor(image, rng)
        return [(stripped(copy, rng), rng.choice(["现场照片.jpg", "整改完成.jpg", "微信图片.jpg"]))]

    def _first_photo(self, report) -> bytes | None:
        from evidence.services import evidence_for

        if report is None:
            return None
        f = evidence_for(report).filter(kind="image").first()
        if f is None:
            return None
        with f.file.open("rb") as handle:
            return handle.read()

    # --- inspections --------------------------------------------------------------------------

    def inspector(self):
        from django.contrib.auth import get_user_model

        self.inspector_no += 1
        return get_user_model().objects.create_user(
            f"bench_inspector{self.inspector_no}", first_name=f"检查员{self.inspector_no}"
        )

    def enterprise(self, where: tuple[float, float] | None = None):
        from emergency.models import Enterprise, ReductionMeasure

        rng = self.rng
        self.enterprise_no += 1
        n = self.enterprise_no
        where = where or offset(CENTRE, rng.uniform(2_000, 35_000), rng)
        mn = f"6101{n:010d}"
        e = Enterprise.objects.create(
            city=self.city,
            name=f"基准企业{n:03d}（{rng.choice(INDUSTRIES)}）",
            credit_code=f"91610100BENCH{n:05d}",
            district=rng.choice(self.districts),
            latitude=where[0],
            longitude=where[1],
            device_mns=[mn],
        )
        ReductionMeasure.objects.create(
            enterprise=e, level="orange", reduction_pct=rng.choice([20, 30, 50]), measures="限产"
        )
        self.readings[mn] = (rng.uniform(15, 80), {})
        return e

    def inspection_plan(self, day: dt.date, unit):
        from emergency.models import DrawRound, Episode, InspectionPlan

        if self.episode is None:
            self.episode = Episode.objects.create(
                city=self.city,
                number="BENCH-1",
                level="orange",
                starts_at=local(dt.date(2025, 1, 1), 0),
                lifted_at=local(dt.date(2025, 3, 1), 0),
                issued_at=local(dt.date(2024, 12, 31), 16),
            )
        if day not in self.rounds:
            self.rounds[day] = DrawRound.objects.create(
                episode=self.episode,
                day=day,
                commitment="0" * 64,
                secret="0" * 64,
                committed_at=local(day - dt.timedelta(days=1), 16),
                status="drawn",
                level="orange",
            )
        key = (day, unit.pk)
        if key not in self.plans:
            self.plans[key] = InspectionPlan.objects.create(
                round=self.rounds[day],
                day=day,
                unit=unit,
                level="orange",
                published_at=local(day, 0, 5),
            )
        return self.plans[key]

    def visit(
        self,
        enterprise,
        inspector,
        at: dt.datetime,
        *,
        where=None,
        photos=None,
        signature=None,
        running: bool | None = True,
        findings="现场检查，措施落实",
    ):
        from emergency.models import Inspection
        from evidence.services import attach_evidence

        rng = self.rng
        unit = next(u for u in self.units if u.kind == "government")
        plan = self.inspection_plan(at.astimezone(LOCAL_TZ).date(), unit)
        inspection = Inspection.objects.create(
            plan=plan,
            enterprise=enterprise,
            district=enterprise.district,
            position=0,
            status="done",
            result="compliant",
            measures_in_place=True,
            facilities_running=running,
            ledger_ok=True,
            findings=findings,
            inspector=inspector,
            inspected_at=at,
            recorded_at=at + dt.timedelta(minutes=20),
        )
        if photos is None:
            scene = images.Scene.random(rng)
            spot = where or offset(
                (enterprise.latitude, enterprise.longitude), rng.uniform(5, 80), rng
            )
            photos = []
            for n in range(rng.randint(1, 2)):
                taken = at + dt.timedelta(minutes=rng.randint(0, 25))
                data = images.jpeg(
                    images.shoot(scene, rng),
                    rng,
                    taken=taken,
                    where=offset(spot, rng.uniform(0, 10), rng),
                )
                photos.append((data, f"检查照片{n + 1}.jpg"))
        if signature is None:
            signature = images.jpeg(images.signature(rng, enterprise.pk), rng)
        photos = [*photos, (signature, "企业负责人签字.jpg")]
        for data, name in photos:
            attach_evidence(
                upload(data, name),
                to=inspection,
                acting_user=self.office,
                description="现场照片" if "签字" not in name else "签字",
            )
        return inspection

    def day_route(self, count: int, inspector, day: dt.date, *, park=False, speed=(12, 35)):
        """An inspector's honest day: places visited one after another at city speeds."""
        rng = self.rng
        at = local(day, rng.randint(8, 10), rng.randint(0, 59))
        start = offset(CENTRE, rng.uniform(2_000, 20_000), rng)
        out, where = [], start
        for _ in range(count):
            place = offset(where, rng.uniform(80, 300) if park else rng.uniform(1_000, 12_000), rng)
            e = self.enterprise(place)
            km = math.dist(place, where) * 111
            at += dt.timedelta(hours=km / rng.uniform(*speed), minutes=rng.randint(20, 60))
            out.append((e, at))
            where = place
        return out

    def inspection_scenario(self, kind: str) -> Scenario:
        rng = self.rng
        s = Scenario(kind, INSPECTION_FAKE.get(kind))
        inspector = self.inspector()
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 58))
        if kind in ("honest_inspection_day", "honest_industrial_park", "honest_reduced_production"):
            park = kind == "honest_industrial_park"
            for e, at in self.day_route(rng.randint(3, 6), inspector, day, park=park):
                if kind == "honest_reduced_production":
                    self.readings[e.device_mns[0]][1][day] = rng.uniform(0.4, 0.85)
                s.inspections.add(self.visit(e, inspector, at).pk)
        elif kind == "honest_same_enterprise_twice":
            e = self.enterprise()
            for k in range(2):
                at = local(day + dt.timedelta(days=k * rng.randint(2, 20)), rng.randint(9, 16))
                s.inspections.add(self.visit(e, inspector, at).pk)
        elif kind == "honest_idle_recorded":
            for e, at in self.day_route(rng.randint(1, 3), inspector, day):
                self.readings[e.device_mns[0]][1][day] = rng.uniform(0.0, 0.08)
                visit = self.visit(
                    e, inspector, at, running=None, findings="企业已停产，生产线和治污设施停运"
                )
                s.inspections.add(visit.pk)
        elif kind == "fake_travel":
            # filled in at a desk: places across the city, times a few minutes apart
            at = local(day, rng.randint(8, 15), rng.randint(0, 59))
            for _ in range(rng.randint(3, 7)):
                e = self.enterprise(offset(CENTRE, rng.uniform(1_000, 30_000), rng))
                s.inspections.add(self.visit(e, inspector, at).pk)
                at += dt.timedelta(minutes=rng.randint(8, 25))
        elif kind == "fake_same_minute":
            at = local(day, rng.randint(9, 17), rng.randint(0, 59))
            for e, _ in self.day_route(rng.randint(3, 6), inspector, day):
                s.inspections.add(
                    self.visit(e, inspector, at + dt.timedelta(seconds=rng.randint(0, 50))).pk
                )
        elif kind == "fake_same_spot":
            desk = offset(CENTRE, rng.uniform(0, 5_000), rng)
            for e, at in self.day_route(rng.randint(3, 5), inspector, day):
                s.inspections.add(
                    self.visit(e, inspector, at, where=offset(desk, rng.uniform(0, 8), rng)).pk
                )
        elif kind == "fake_inspection_photo_reused":
            route = self.day_route(rng.randint(2, 4), inspector, day)
            first = images.shoot(images.Scene.random(rng), rng)
            (e0, at0), rest = route[0], route[1:]
            data = images.jpeg(first, rng, taken=at0, where=(e0.latitude, e0.longitude))
            s.inspections.add(self.visit(e0, inspector, at0, photos=[(data, "检查照片1.jpg")]).pk)
            for e, at in rest:
                copy = images.doctor(first, rng)
                s.inspections.add(
                    self.visit(e, inspector, at, photos=[(stripped(copy, rng), "检查照片.jpg")]).pk
                )
        elif kind == "fake_signature_pasted":
            route = self.day_route(rng.randint(2, 4), inspector, day)
            pasted = images.signature(rng, rng.randrange(1 << 20))
            first = images.jpeg(pasted, rng)
            for k, (e, at) in enumerate(route):
                sig = (
                    first
                    if k == 0 or rng.random() < 0.5
                    else stripped(images.doctor(pasted, rng), rng)
                )
                s.inspections.add(self.visit(e, inspector, at, signature=sig).pk)
        elif kind == "fake_idle_day":
            route = self.day_route(rng.randint(1, 3), inspector, day)
            for k, (e, at) in enumerate(route):
                if k == 0:
                    self.readings[e.device_mns[0]][1][day] = rng.uniform(0.0, 0.1)
                s.inspections.add(self.visit(e, inspector, at).pk)
        return s

    def provider(self, mns, start, end):
        """Hourly online data of the bench's enterprises (颗粒物), with each day's production."""
        from emergency.readings import Reading

        out = []
        for mn in mns:
            if mn not in self.readings:
                continue
            base, days = self.readings[mn]
            rng = random.Random(hash((mn, start.isoformat())) & 0xFFFF)
            at = start
            while at < end:
                day = at.astimezone(LOCAL_TZ).date()
                factor = days.get(day, 1.0)
                if rng.random() > 0.04:  # a few hours missing, as always
                    value = max(0.0, rng.gauss(base * factor, base * 0.12 * max(factor, 0.05)))
                    out.append(Reading(mn, "颗粒物", at, round(value, 2), "mg/m³"))
                at += dt.timedelta(hours=1)
        return out

    # --- the air around closed items ----------------------------------------------------------

    def air_scenario(self, kind: str) -> Scenario:
        """A dust item closed out; its district's PM10 (or dust-fall) rank around the close-out."""
        from ledger.models import Assignment

        rng = self.rng
        s = Scenario(kind, AIR_FAKE.get(kind))
        path = self.air_path(kind)
        district, closed = self.air_place(path)
        unit = next((u for u in self.units if u.district_id == district.pk), None)
        if unit is None:
            unit = rng.choice(self.units)
        what = rng.choice(["建筑工地扬尘管控不到位", "道路扬尘污染突出", "餐饮油烟直排扰民"])
        line = self.line(unit, deadline=closed, place=False, what=what)
        Assignment.objects.filter(pk=line.pk).update(
            district=district, status="closed", closed_on=closed
        )
        s.lines.add(line.pk)
        month = closed.replace(day=1)
        metric = rng.choice(["pm10", "dustfall"])
        self.air_slots.append((district.pk, month, metric, path))
        return s

    def air_place(self, path: dict[int, float]) -> tuple:
        """A district and close-out day whose rank months no other scenario pins (one district's
        rank cannot both worsen for a fake and hold for an honest look-alike in one month), in
        the months fewest scenarios pin (pinned ranks crowding one month push each other off
        their places). Close-outs fall in 2024-04 … 2025-02: the sweep looks back 15 months."""
        rng = self.rng
        first, last = min(path) - 2, max(path) + 2  # the pinned window and a month either side
        busy: dict[int, set[dt.date]] = defaultdict(set)
        crowd: dict[dt.date, int] = defaultdict(int)
        for district, month, _, other in self.air_slots:
            for k in range(min(other) - 1, max(other) + 2):
                busy[district].add(_shift(month, k))
                crowd[_shift(month, k)] += 1
        closings = [_shift(dt.date(2024, 4, 1), k) for k in range(11)]
        rng.shuffle(closings)
        options = []
        for month in closings:
            window = [_shift(month, k) for k in range(first, last + 1)]
            free = [d for d in self.districts if not busy[d.pk] & set(window)]
            if free:
                options.append((max(crowd[m] for m in window), month, free))
        if options:
            _, month, free = min(options, key=lambda o: o[0])
            return rng.choice(free), month.replace(day=rng.randint(1, 28))
        # More scenarios than the city's districts and months hold: share, as before.
        return rng.choice(self.districts), rng.choice(closings).replace(day=rng.randint(1, 28))

    def air_path(self, kind: str) -> dict[int, float]:
        """The district's rank (a share: 0 cleanest, 1 dirtiest) by month around the close-out."""
        rng = self.rng
        if kind == "fake_air_worsening":
            steps = rng.randint(3, 5)
            start = rng.randint(-(steps - 1), 0)
            path = {start - 1: rng.uniform(0.0, 0.3)}
            room = (0.97 - path[start - 1]) / steps  # each month clearly worse, up to the last
            for k in range(start, start + steps):
                path[k] = path[k - 1] + rng.uniform(max(0.1, room * 0.6), max(0.1, room))
        elif kind == "honest_air_brief_worsening":
            a = rng.uniform(0.1, 0.4)
            first = rng.choice([-2, -1, 0])
            path = {
                first - 2: a + 0.35,
                first - 1: a,
                first: a + 0.2,
                first + 1: a + 0.4,
                first + 2: a + 0.1,
                first + 3: a + 0.05,
            }
        elif kind == "honest_air_worsening_long_before":
            a = rng.uniform(0.05, 0.2)
            path = {
                -8: a,
                -7: a + 0.2,
                -6: a + 0.4,
                -5: a + 0.6,
                -4: a + 0.3,
                -3: a + 0.3,
                -2: a + 0.35,
                -1: a + 0.3,
                0: a + 0.2,
                1: a + 0.25,
                2: a + 0.2,
            }
        else:  # a zigzag that trends worse, never three months in a row
            a = rng.uniform(0.05, 0.3)
            path = {k: a + 0.05 * (k + 3) + (0.15 if k % 2 else 0) for k in range(-3, 4)}
        return path

    def write_air(self) -> None:
        """Every district's monthly PM10 and dust fall; scenario districts follow their path
        (a quantile among the other districts each month), the others wander naturally."""
        from airquality.models import DistrictMonthly, DustFall

        rng = self.rng
        months = months_between(dt.date(2023, 4, 1), dt.date(2025, 6, 1))
        level = {d.pk: rng.uniform(60, 110) for d in self.districts}
        values = {m: {} for m in months}
        for m in months:
            season = 1.25 if m.month in (11, 12, 1, 2) else 0.85 if m.month in (6, 7, 8) else 1.0
            for d in self.districts:
                level[d.pk] = 0.8 * level[d.pk] + 0.2 * rng.uniform(60, 110)
                values[m][d.pk] = level[d.pk] * season * rng.uniform(0.93, 1.07)
        pinned = {}
        for district, month, metric, path in self.air_slots:
            if not path:
                continue
            first, last = min(path), max(path)
            for k in range(first - 1, last + 2):  # the whole window follows the path
                q = path.get(k)
                if q is None:  # around the path: near where it starts or ends
                    q = path[first] if k < first else path[last]
                    q = min(0.98, max(0.02, q + rng.uniform(-0.05, 0.05)))
                    if k < first:
                        q = max(q, path[first] + 0.2)  # worse before the path starts
                for which in ("pm10", "dustfall"):  # both ranks the office sees
                    jitter = 0 if which == metric else rng.uniform(-0.03, 0.03)
                    pinned[(which, _shift(month, k), district)] = min(0.98, max(0.02, q + jitter))
        DistrictMonthly.objects.filter(district__in=self.districts).delete()
        DustFall.objects.filter(district__in=self.districts).delete()
        rows_pm, rows_dust = [], []
        for m in months:
            for metric in ("pm10", "dustfall"):
                scale = 1.0 if metric == "pm10" else 0.07
                month_values = {
                    d: v * scale * rng.uniform(0.97, 1.03) for d, v in values[m].items()
                }
                month_values = _place(
                    month_values,
                    {
                        district: q
                        for (met, mm, district), q in pinned.items()
                        if met == metric and mm == m
                    },
                )
                for d, v in month_values.items():
                    if metric == "pm10":
                        rows_pm.append(
                            DistrictMonthly(district_id=d, month=m, pm10=round(v, 1), days=28)
                        )
                    else:
                        rows_dust.append(DustFall(district_id=d, month=m, value=round(v, 2)))
        DistrictMonthly.objects.bulk_create(rows_pm)
        DustFall.objects.bulk_create(rows_dust)


def _place(values: dict[int, float], shares: dict[int, float]) -> dict[int, float]:
    """The month's values handed out again so that each pinned district takes the rank at its
    share (0 cleanest, 1 dirtiest), the others keeping their natural order."""
    n = len(values)
    order: list[int | None] = [None] * n
    # Pinned districts keep their order by share, and those that want one rank share the
    # displacement (a cluster spreads around where it wants to be): a district pushed off its
    # rank moves as little as the others allow, so a path that steps up still steps up.
    pins = sorted(shares.items(), key=lambda kv: kv[1])
    m = len(pins)
    # distinct increasing ranks r_i ⇔ r_i - i non-decreasing: fit that (pool adjacent violators)
    blocks: list[list[float]] = []  # [sum, count]
    for i, (_, share) in enumerate(pins):
        blocks.append([share * (n - 1) - i, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = [b[0] / b[1] for b in blocks for _ in range(b[1])]
    ranks = [min(n - m, max(0, round(f))) + i for i, f in enumerate(fitted)]
    for (district, _), rank in zip(pins, ranks, strict=True):
        order[rank] = district
    rest = iter(d for d, _ in sorted(values.items(), key=lambda kv: kv[1]) if d not in shares)
    order = [d if d is not None else next(rest) for d in order]
    return dict(zip(order, sorted(values.values()), strict=True))


def _shift(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


# --- run and score ----------------------------------------------------------------------------


@dataclass
class Score:
    scenarios: list[Scenario]
    caught: dict[int, set[str]]  # scenario index → rules that flagged it

    def per_rule(self) -> dict[str, dict]:
        honest = [i for i, s in enumerate(self.scenarios) if s.honest]
        rules = sorted(
            {s.rule for s in self.scenarios if s.rule}
            | {r for v in self.caught.values() for r in v}
        )
        out = {}
        for rule in rules:
            fakes = [i for i, s in enumerate(self.scenarios) if s.rule == rule]
            hit = sum(1 for i in fakes if rule in self.caught.get(i, set()))
            false = sum(1 for i in honest if rule in self.caught.get(i, set()))
            out[rule] = {
                "fakes": len(fakes),
                "caught": hit,
                "recall": hit / len(fakes) if fakes else None,
                "false_flags": false,
                "false_flag_rate": false / len(honest) if honest else 0.0,
            }
        return out

    @property
    def recall(self) -> float:
        fakes = [i for i, s in enumerate(self.scenarios) if not s.honest]
        return sum(1 for i in fakes if self.scenarios[i].rule in self.caught.get(i, set())) / max(
            1, len(fakes)
        )

    @property
    def false_flag_rate(self) -> float:
        honest = [i for i, s in enumerate(self.scenarios) if s.honest]
        return sum(1 for i in honest if self.caught.get(i)) / max(1, len(honest))

    def misses(self) -> list[Scenario]:
        return [
            s
            for i, s in enumerate(self.scenarios)
            if not s.honest and s.rule not in self.caught.get(i, set())
        ]

    def false_flags(self) -> list[tuple[Scenario, set[str]]]:
        return [
            (s, self.caught[i])
            for i, s in enumerate(self.scenarios)
            if s.honest and self.caught.get(i)
        ]


def build(n: int, seed: int = 17) -> tuple[Builder, list[Scenario]]:
    builder = Builder(seed)
    kinds = plan_kinds(n)
    random.Random(seed).shuffle(kinds)
    scenarios = []
    for kind in kinds:
        if kind in LEDGER_HONEST or kind in LEDGER_FAKE:
            scenarios.append(builder.ledger_scenario(kind))
        elif kind in INSPECTION_HONEST or kind in INSPECTION_FAKE:
            scenarios.append(builder.inspection_scenario(kind))
        else:
            scenarios.append(builder.air_scenario(kind))
    builder.write_air()
    return builder, scenarios


def score(scenarios: list[Scenario]) -> Score:
    from crosscheck.models import Finding, Signal

    by_report, by_inspection, by_line = defaultdict(set), defaultdict(set), defaultdict(set)
    for i, s in enumerate(scenarios):
        for pk in s.reports:
            by_report[pk].add(i)
        for pk in s.inspections:
            by_inspection[pk].add(i)
        for pk in s.lines:
            by_line[pk].add(i)
    caught: dict[int, set[str]] = defaultdict(set)
    for f in Finding.objects.exclude(status="cleared"):
        reports = f.facts.get("reports", [])
        if f.rule == "text_copy":
            reports = reports[-1:]  # the later text copied the earlier one
        owners = set()
        for pk in reports:
            owners |= by_report.get(pk, set())
        for pk in f.facts.get("inspections", []):
            owners |= by_inspection.get(pk, set())
        if not owners and f.line_id:
            owners |= by_line.get(f.line_id, set())
        for i in owners:
            caught[i].add(f.rule)
    for signal in Signal.objects.filter(status="open"):
        for i in by_line.get(signal.line_id, set()):
            caught[i].add(signal.kind)
    return Score(scenarios, dict(caught))


def measure(n: int, seed: int = 17) -> tuple[Score, dict[str, float]]:
    """Build ``n`` scenarios, sweep every check at the scenarios' "now", score the findings."""
    import time

    from crosscheck.sweep import sweep
    from emergency import readings

    started = time.monotonic()
    builder, scenarios = build(n, seed)
    built = time.monotonic()
    previous = readings.set_provider(builder.provider)
    try:
        result = sweep(now=NOW)
    finally:
        readings.set_provider(previous)
    if result.failed:
        raise RuntimeError(f"checks failed: {', '.join(result.failed)}")
    swept = time.monotonic()
    return score(scenarios), {"build": built - started, "sweep": swept - built}


def report(result: Score, *, verbose: bool = False) -> str:
    lines = [
        f"{'check':<20} {'fakes':>5} {'caught':>6} {'recall':>7} {'false flags':>11} {'rate':>6}"
    ]
    for rule, r in result.per_rule().items():
        recall = f"{r['recall']:.3f}" if r["recall"] is not None else "—"
        lines.append(
            f"{rule:<20} {r['fakes']:>5} {r['caught']:>6} {recall:>7} "
            f"{r['false_flags']:>11} {r['false_flag_rate']:>6.3f}"
        )
    honest = sum(1 for s in result.scenarios if s.honest)
    lines.append(f"honest scenarios {honest}, fake scenarios {len(result.scenarios) - honest}")
    if verbose:
        for s in result.misses():
            lines.append(
                f"missed: {s.kind} reports={sorted(s.reports)} "
                f"inspections={sorted(s.inspections)} lines={sorted(s.lines)}"
            )
        for s, rules in result.false_flags():
            lines.append(
                f"false flag: {s.kind} by {', '.join(sorted(rules))} "
                f"reports={sorted(s.reports)} inspections={sorted(s.inspections)}"
            )
    lines.append(
        f"scenarios={len(result.scenarios)} recall={result.recall:.3f} "
        f"false_flag_rate={result.false_flag_rate:.3f}"
    )
    return "\n".join(lines)
