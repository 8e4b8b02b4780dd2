"""The demo's programme in motion: months of work replayed through the ordinary services.

Each line of work of a derived programme (``ledger.derive``) is given a fate from its
deadline and today (``fate_of``, pure): closed out, returned for rework, waiting for
acceptance, in progress (a realistic few of them late), 长期坚持 or not yet started. Its
story becomes dated steps — monthly reports, an application, the review group's visit and
verdict, a 督办 and the unit's reply — and all steps of all lines run in date order under
``tz.replaying``, so reports, acceptances, lamps, the burn-up and the audit log read as a
programme that has been running for months. Only the demo calls this.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.choices import Role
from accounts.models import Membership, Unit
from lantian.lib import tz
from ledger import schedule, services
from ledger.choices import Status
from ledger.models import Assignment, Plan, Supervision

CLOSED, RETURNED_CLOSED, RETURNED, APPLIED = "closed", "returned_closed", "returned", "applied"
IN_PROGRESS, LATE, SUSTAINED, NOT_STARTED = "in_progress", "late", "sustained", "not_started"

FATE_WORDS = {
    CLOSED: "已销号",
    RETURNED_CLOSED: "退回后销号",
    RETURNED: "退回整改",
    APPLIED: "申请验收",
    IN_PROGRESS: "推进中",
    LATE: "逾期推进中",
    SUSTAINED: "长期坚持",
    NOT_STARTED: "未启动",
}

# fate → weight, by where the deadline lies from today
_PAST_LONG = {CLOSED: 74, RETURNED_CLOSED: 10, LATE: 7, RETURNED: 4, APPLIED: 5}
_PAST_RECENT = {CLOSED: 45, RETURNED_CLOSED: 5, APPLIED: 22, RETURNED: 10, LATE: 18}
_DUE_SOON = {IN_PROGRESS: 55, APPLIED: 25, CLOSED: 15, RETURNED: 5}
_LATER = {IN_PROGRESS: 72, NOT_STARTED: 10, CLOSED: 10, APPLIED: 8}
_ONGOING = {SUSTAINED: 70, IN_PROGRESS: 30}
_IMMEDIATE = {CLOSED: 80, IN_PROGRESS: 20}


def fate_of(
    deadline: dt.date | None, today: dt.date, *, ongoing: bool, immediate: bool, rng
) -> str:
    """What has become of a line by ``today`` (pure; ``rng`` a ``random.Random``)."""
    if deadline is None:
        weights = _ONGOING if ongoing else _IMMEDIATE if immediate else {IN_PROGRESS: 1}
    elif deadline < today - dt.timedelta(days=45):
        weights = _PAST_LONG
    elif deadline < today:
        weights = _PAST_RECENT
    elif deadline <= today + dt.timedelta(days=30):
        weights = _DUE_SOON
    else:
        weights = _LATER
    fates = list(weights)
    return rng.choices(fates, weights=[weights[f] for f in fates])[0]


@dataclass(order=True)
class Step:
    at: dt.datetime
    order: int
    run: Callable[[], None] = field(compare=False)


MEMBERS = [("张建国", "leader"), ("刘敏", "expert"), ("陈晓", "staff")]
NARRATIVES = [
    "按方案细化措施，明确责任人和时间节点，本月完成现场排查。",
    "已完成问题点位整治，正在组织自查，佐证材料已整理归档。",
    "整改措施推进中，督导检查两次，发现问题已督促整改。",
    "完成阶段性任务，建立长效管理台账，按月调度。",
]
NO_EVIDENCE = "本月以文字报送，现场照片已随纸质台账报送。"
ORDER_TEXT = "该事项已超过整改时限，请于办理时限内报送整改进展及未完成原因。"


class Replay:
    """The steps of one programme, collected line by line, then run in date order."""

    def __init__(self, plan: Plan, today: dt.date, *, seed: int = 2026, months: int = 0):
        self.plan, self.today, self.seed, self.months = plan, today, seed, months
        self.steps: list[Step] = []
        self.start = plan.issued or today - dt.timedelta(days=180)
        self.officers = _users_by_unit(Role.UNIT_OFFICER)
        self.reviewers = _users_by_unit(Role.REVIEWER)
        self.office = _office_user()
        self.fates: dict[int, str] = {}

    # --- collecting ----------------------------------------------------------------------------

    def plan_lines(self) -> None:
        lines = (
            Assignment.objects.lines()
            .filter(task__plan=self.plan, joint_with__isnull=True)
            .select_related("task", "unit")
            .order_by("task__no", "id")
        )
        touched = set(
            Assignment.objects.filter(task__plan=self.plan, reports__isnull=False).values_list(
                "pk", flat=True
            )
        ) | set(
            Assignment.objects.filter(task__plan=self.plan, acceptances__isnull=False).values_list(
                "pk", flat=True
            )
        )
        for line in lines:
            if line.pk in touched:
                continue  # a story of the demo (or a person) already wrote this line
            # seeded by what the line is, not by row ids (which differ from one database to the
            # next: the demo's programme would change with how many plans were imported before)
            plan_key = self.plan.source_sha256 or self.plan.title
            rng = random.Random(f"{self.seed}:{plan_key}:{line.task.no}:{line.unit.name}")
            fate = fate_of(
                line.deadline,
                self.today,
                ongoing=line.task.ongoing,
                immediate=line.task.immediate,
                rng=rng,
            )
            self.fates[line.pk] = fate
            self._line(line, fate, rng)

    def _line(self, line: Assignment, fate: str, rng: random.Random) -> None:
        if fate == NOT_STARTED:
            return
        end = self._end_of_work(line, fate, rng)
        self._reports(line, end, rng, finished=fate in (CLOSED, RETURNED_CLOSED, APPLIED))
        if fate == SUSTAINED:
            self._at(end - dt.timedelta(days=3), lambda: _sustain(line, self.office))
        if fate in (CLOSED, RETURNED_CLOSED, RETURNED, APPLIED):
            self._acceptance(line, fate, end, rng)
        if fate in (LATE, RETURNED) and line.deadline and rng.random() < 0.5:
            self._order(line, rng)

    def _end_of_work(self, line: Assignment, fate: str, rng) -> dt.date:
        """When the unit applies (finished fates) or the last day it reported."""
        latest = self.today - dt.timedelta(days=2)
        if fate == APPLIED:
            return self.today - dt.timedelta(days=rng.randint(2, 20))
        if fate in (CLOSED, RETURNED_CLOSED, RETURNED) and line.deadline:
            return max(
                self.start + dt.timedelta(days=20),
                min(line.deadline, latest) - dt.timedelta(days=rng.randint(8, 40)),
            )
        if fate in (CLOSED, RETURNED_CLOSED, RETURNED):
            return self.start + dt.timedelta(days=rng.randint(25, 90))
        return latest

    def _reports(self, line: Assignment, end: dt.date, rng, *, finished: bool) -> None:
        """A report every month from the month after the plan's issue until ``end`` (a
        finished line's last one is its final 100 %, with a new photo); with ``months`` only
        that many of the last. An open line has reported up to last month, this month's report
        is not due yet; one in eight skipped last month (a yellow lamp)."""
        last = schedule.period_of(end)
        if not finished and end >= self.today - dt.timedelta(days=3):
            last = schedule.period_of(schedule.period_of(self.today) - dt.timedelta(days=1))
        periods = list(schedule.periods_between(schedule.first_period(self.start), last))
        periods = (periods[-self.months :] if self.months else periods) or [last]
        if not finished and len(periods) > 1 and rng.random() < 0.12:
            periods = periods[:-1]
        for n, period in enumerate(periods, 1):
            final = finished and n == len(periods)
            percent = 100 if final else min(90, round(90 * n / (len(periods) + 1)))
            due = schedule.report_due(period, 0)
            day = max(min(due - dt.timedelta(days=rng.randint(0, 6)), end), period)
            photo = final or rng.random() < 0.15
            self._at(
                day,
                lambda p=period, pc=percent, ph=photo, k=n: _report(
                    line, self.officers.get(line.unit_id), p, pc, ph, k, self.seed
                ),
                hour=10,
            )

    def _acceptance(self, line: Assignment, fate: str, applied: dt.date, rng) -> None:
        review_unit = services.review_unit_for(line) or _task_lead(line) or _office_unit(line)
        officer, reviewer = self.officers.get(line.unit_id), self.reviewers.get(review_unit.pk)
        state: dict = {}

        def apply() -> None:
            state["acceptance"] = services.apply_for_acceptance(
                Assignment.objects.get(pk=line.pk),
                note="各项整改措施已落实，申请验收销号。",
                review_unit=review_unit,
                acting_user=officer,
            )

        def verdict(passed: bool, visit: dt.date) -> Callable[[], None]:
            # a review unit without a reviewer account is accepted by the office, whose
            # account leads the group (a leader signs in; the system cannot sign)
            return lambda: _visit(state["acceptance"], reviewer or self.office, visit, passed)

        self._at(applied, apply, hour=16)
        if fate == APPLIED:
            return
        visit = min(applied + dt.timedelta(days=rng.randint(5, 15)), self.today - dt.timedelta(1))
        self._at(visit, verdict(fate == CLOSED, visit), hour=15)
        if fate != RETURNED_CLOSED:
            return
        again = min(visit + dt.timedelta(days=rng.randint(12, 25)), self.today - dt.timedelta(3))
        second = min(again + dt.timedelta(days=rng.randint(3, 10)), self.today - dt.timedelta(1))
        if again <= visit or second <= again:
            return
        self._at(again, apply, hour=16)
        self._at(second, verdict(True, second), hour=15)

    def _order(self, line: Assignment, rng) -> None:
        issued = max(line.deadline + dt.timedelta(days=rng.randint(5, 20)), self.start)
        if issued >= self.today:
            return
        replied = rng.random() < 0.5
        state: dict = {}

        def order() -> None:
            state["order"] = services.issue_supervision(
                "order",
                title=f"督办：{line.task.title[:40]}",
                text=ORDER_TEXT,
                units=[line.unit],
                tasks=[line.task],
                acting_user=self.office,
            )

        self._at(issued, order, hour=9)
        reply_on = issued + dt.timedelta(days=rng.randint(3, 9))
        if replied and reply_on < self.today:
            self._at(
                reply_on,
                lambda: services.reply_to_supervision(
                    state["order"],
                    line.unit,
                    text="已制定整改计划，正在加快推进，预计下月底前完成。",
                    acting_user=self.officers.get(line.unit_id),
                ),
                hour=17,
            )

    def _at(self, day: dt.date, run: Callable[[], None], *, hour: int = 10) -> None:
        day = min(day, self.today)
        at = tz.start_of_local_day(day) + dt.timedelta(hours=hour, minutes=len(self.steps) % 50)
        self.steps.append(Step(at, len(self.steps), run))

    # --- running -------------------------------------------------------------------------------

    def run(self) -> int:
        """Every collected step in date order, each at its own time; one transaction."""
        with transaction.atomic():
            for step in sorted(self.steps):
                with tz.replaying(min(step.at, tz.now())):
                    step.run()
        return len(self.steps)


def replay(plans: list[Plan], today: dt.date) -> dict[str, int]:
    """Replay every plan's lines (steps of all plans interleaved by date); the fates."""
    collected = []
    months = settings.LANTIAN_DEMO_REPORT_MONTHS
    for plan in Plan.objects.filter(pk__in=[p.pk for p in plans]).order_by("pk"):
        one = Replay(plan, today, months=months)
        one.plan_lines()
        collected.append(one)
    merged = Replay(plans[0], today) if plans else None
    if merged is None:
        return {}
    for one in collected:
        merged.steps.extend(one.steps)
    for n, step in enumerate(merged.steps):
        step.order = n
    merged.run()
    fates: dict[str, int] = {}
    for one in collected:
        for fate in one.fates.values():
            fates[fate] = fates.get(fate, 0) + 1
    return fates


# --- the steps ---------------------------------------------------------------------------------


def _report(line, user, period, percent, photo: bool, n: int, seed: int) -> None:
    files = [_photo(f"{seed}:{line.pk}:{period}", f"现场照片-{period:%Y%m}.png")] if photo else []
    line = Assignment.objects.get(pk=line.pk)
    if line.status == Status.CLOSED:
        return
    services.submit_report(
        line,
        period=period,
        narrative=NARRATIVES[(line.pk + n) % len(NARRATIVES)],
        percent=percent,
        files=files,
        no_evidence_reason="" if files else NO_EVIDENCE,
        acting_user=user,
    )


def group_signs(acceptance, leader, on: dt.date) -> None:
    """The group signs as a real one does: the leader online, and the leader records each
    other member's signature from the paper form signed on the day of the visit."""
    for member in acceptance.members.all():
        if member.role == "leader":
            services.sign_acceptance(member, acting_user=leader)
        else:
            services.sign_acceptance(
                member,
                acting_user=leader,
                manner="paper",
                statement=f"{member.name}已于{on.year}年{on.month}月{on.day}日"
                "在纸质验收意见上签字，原件存档。",
                paper_date=on,
            )


def _visit(acceptance, reviewer, visit: dt.date, passed: bool) -> None:
    services.form_review_group(
        acceptance,
        members=[
            services.MemberEntry(name, role, "验收组", reviewer if role == "leader" else None)
            for name, role in MEMBERS
        ],
        visit_date=visit,
        acting_user=reviewer,
    )
    lines = list(acceptance.lines.all())
    for k, item in enumerate(lines):
        failing = not passed and k == len(lines) - 1
        services.record_check(
            item,
            result="fail" if failing else "pass",
            note="现场抽查发现问题仍未整改到位" if failing else "现场核实",
            acting_user=reviewer,
        )
    group_signs(acceptance, reviewer, visit)
    services.conclude_acceptance(
        acceptance,
        passed=passed or not lines,
        conclusion="逐项核查符合要求，同意销号。" if passed else "部分措施未落实到位，退回整改。",
        acting_user=reviewer,
    )


def _sustain(line: Assignment, office) -> None:
    line = Assignment.objects.get(pk=line.pk)
    if line.status == Status.IN_PROGRESS:
        services.transition(
            line, "sustain", acting_user=office, reason="阶段任务完成，转入长期坚持"
        )


def _photo(key: str, name: str) -> SimpleUploadedFile:
    """A small site photo of its own (distinct pictures: the cross-check compares them)."""
    import numpy as np
    from PIL import Image

    # smooth random structure at several scales: perceptual hashes of two such pictures differ
    rng = np.random.default_rng(list(key.encode()))
    image = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)).resize(
        (128, 96), Image.Resampling.BICUBIC
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- who ---------------------------------------------------------------------------------------


def _users_by_unit(role: str) -> dict[int, object]:
    out: dict[int, object] = {}
    for membership in Membership.objects.filter(role=role).select_related("user"):
        out.setdefault(membership.unit_id, membership.user)
    return out


def _office_user():
    membership = Membership.objects.filter(role=Role.OFFICE_ADMIN).select_related("user").first()
    return membership.user if membership else None


def _task_lead(line: Assignment) -> Unit | None:
    lead = line.task.assignments.filter(lead=True, withdrawn=False).select_related("unit").first()
    return lead.unit if lead else None


def _office_unit(line: Assignment) -> Unit:
    """The programme's office as review unit when the plan names none (a work plan)."""
    return (
        Unit.objects.filter(city=line.task.plan.city, kind="office").order_by("pk").first()
        or line.unit
    )


def supervisions_waiting(plan: Plan) -> int:
    return Supervision.objects.filter(tasks__plan=plan, replies__isnull=True).distinct().count()
