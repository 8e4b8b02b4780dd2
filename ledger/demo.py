"""Demo data for the ledger: a programme in motion.

The example plans are imported as they are (revision 1 of each, kept intact); a plan whose
deadlines all lie before today then gets a derived revision with every date moved by whole
months so that today falls inside its span (``ledger.derive``). On seed 000 (西安市专项督察整改
方案) a few hand-written stories: monthly reports (one with the 287-of-758 fume-monitor figure),
a 督办, a completed one-by-one acceptance that closes 鄠邑区's part of item 六, a published plan.
Every other line's months are then replayed through the services (``ledger.replay``): reports,
returns, acceptances, close-outs, a few late lines and their 督办; last month's assessment.

Idempotent: each step looks for what it would create and does nothing when it is there.
The plan itself comes from ``plans``' demo (or is imported here when that has not run).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from lantian.lib import tz
from ledger import derive, replay, schedule, scoring, services
from ledger.models import Assignment, Plan, Supervision, Target, UnitScore

SEED_TITLE = "西安市贯彻落实省大气污染防治专项督察报告整改方案"
SEED_FILE = Path(settings.BASE_DIR) / "examples" / "plans" / "xian_2023_rectification_plan.txt"
# A one-pixel PNG, standing in for a site photo.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _plan(stdout) -> Plan | None:
    try:
        from plans.demo import import_examples
    except ImportError:
        pass
    else:
        import_examples(stdout)
    plan = Plan.objects.filter(title=SEED_TITLE).first()
    if plan is not None or not SEED_FILE.exists():
        return plan
    try:
        from plans.extract import ExtractError, parse_file
    except ImportError:
        stdout.write("台账演示：未安装方案解析模块，且尚无示例方案，跳过")
        return None
    data = SEED_FILE.read_bytes()
    try:
        extraction = parse_file(data, filename=SEED_FILE.name)
    except ExtractError as exc:
        stdout.write(f"台账演示：示例方案无法解析：{exc}")
        return None
    return services.import_plan_extraction(
        extraction, source_name=SEED_FILE.name, source_bytes=data, acting_user=None
    ).plan


def _line(plan, no, unit_name):
    return (
        Assignment.objects.lines()
        .filter(task__plan=plan, task__no=no, unit__name=unit_name)
        .first()
    )


@transaction.atomic
def load_demo(stdout) -> None:
    plan = _plan(stdout)
    office, huyi, chengguan, zhujian = (
        _user(n) for n in ("office", "huyi", "chengguan", "zhujian")
    )
    if plan is None or office is None:
        return
    today = tz.local_today()
    last_month = scoring.last_month(today)
    derived = [p for p in Plan.objects.order_by("pk") if _derive(p, today, office, stdout)]
    plan.refresh_from_db()
    if plan.issued is None:
        # The seed text carries no issue date; the demo assumes one two months back so that
        # monthly reports, the 30-working-day detailed plan and the assessment have a present.
        services.update_plan(
            plan,
            issued=scoring.last_month(last_month),
            acting_user=office,
            reason="演示数据：假定的印发日期",
        )
    if not plan.published:
        services.publish_plan(
            plan,
            summary="按照专项督察组要求，公开整改方案及整改落实情况，接受群众监督。",
            acting_user=office,
        )
    _fume_monitors(plan, office, chengguan, last_month)
    _dust_order(plan, office)
    _huyi_closed_out(plan, huyi, zhujian, last_month, today)
    _lintong_applies(plan, _user("lintong"), today)
    if derived:
        fates = replay.replay(derived, today)
        told = "，".join(f"{replay.FATE_WORDS[k]} {n}" for k, n in sorted(fates.items()))
        stdout.write(f"台账演示：{len(derived)} 个方案的进展已按月回放（{told}）")
    if not UnitScore.objects.filter(month=last_month).exists():
        services.compute_scores(last_month, acting_user=office)
    stdout.write(f"台账演示：{plan.title}（{plan.tasks.count()} 项任务）已就绪")


def _derive(plan: Plan, today: dt.date, office, stdout) -> bool:
    """Give a plan whose span ended before today its current-year revision (once)."""
    first = plan.revisions.order_by("number").first()
    if first is None or plan.revision != 1:
        return False
    deadlines = derive.extraction_deadlines(first.extraction)
    if not deadlines or max(deadlines) >= today:
        return False
    months = derive.choose_shift(deadlines, today)
    extraction = derive.shifted_extraction(first.extraction, months, year=today.year)
    name = f"{first.source_name}（{today.year} 年度演示：日期顺延 {months} 个月）"
    source = first.source_file.read() if first.source_file else first.sha256.encode()
    services.import_plan_extraction(
        extraction, source_name=name, source_bytes=source, city=plan.city, acting_user=office
    )
    stdout.write(f"台账演示：{plan.title} 日期顺延 {months} 个月，作为 {today.year} 年度台账")
    return True


def _fume_monitors(plan, office, chengguan, month):
    """Item 八: 市城管局 reports 287 of 758 restaurants with online fume monitors."""
    line = _line(plan, 8, "西安市城市管理和综合执法局")
    if line is None or chengguan is None or line.reports.exists():
        return
    target = Target.objects.filter(task=line.task, withdrawn=False).first() or services.add_target(
        line.task,
        indicator="1000平方米以上餐饮单位油烟在线监测设施安装",
        value=Decimal(758),
        unit="家",
        by=line.task.deadline,
        acting_user=office,
    )
    pilot = line.milestones().filter(quantity=287).first()
    services.submit_report(
        line,
        period=month,
        narrative="重点区域 287 家试点餐饮单位、744 处在线监测设施已安装并接入监控平台；"
        "其余 471 家正在招标。",
        percent=38,
        problems="部分商户排烟口位置分散，安装进度受物业协调影响。",
        next_steps="按月调度区县城管部门，12 月底前完成全部 758 家。",
        milestones=[services.MilestoneEntry(pilot, True, schedule.month_end(month))]
        if pilot
        else [],
        actuals=[services.ActualEntry(target, Decimal(287))],
        files=[SimpleUploadedFile("油烟监测平台截图.png", PHOTO)],
        submitted_at=tz.end_of_local_day(schedule.report_due(month, 0)) - dt.timedelta(days=2),
        acting_user=chengguan,
    )


def _dust_order(plan, office):
    """Item 六: the office orders 临潼区 to report on the ready-mix plants."""
    line = _line(plan, 6, "临潼区政府")
    title = "督办：临潼区商混企业排查整改进度"
    if line is None or Supervision.objects.filter(title=title).exists():
        return
    services.issue_supervision(
        "order",
        title=title,
        text="请于时限内报送全区商混企业排查台账及整改进展。",
        units=[line.unit],
        tasks=[line.task],
        acting_user=office,
    )


def _huyi_closed_out(plan, huyi, zhujian, month, today):
    """Item 六: 鄠邑区 reports, applies, and 市住建局's group accepts it on site (销号)."""
    line = _line(plan, 6, "鄠邑区政府")
    if line is None or huyi is None or zhujian is None or line.acceptances.exists():
        return
    services.submit_report(
        line,
        period=month,
        narrative="智慧化监控平台安排专人值守，扬尘超标报警当日处置；在建工地均配备两名保洁员。",
        percent=100,
        files=[SimpleUploadedFile("工地巡查照片.png", PHOTO)],
        submitted_at=tz.end_of_local_day(schedule.report_due(month, 0)) - dt.timedelta(days=3),
        acting_user=huyi,
    )
    acceptance = services.apply_for_acceptance(
        line, note="五项整改措施均已落实，申请验收销号。", acting_user=huyi
    )
    services.form_review_group(
        acceptance,
        members=[
            services.MemberEntry("张建国", "leader", "市住建局", zhujian),
            services.MemberEntry("刘敏", "expert", "西安建筑科技大学"),
            services.MemberEntry("陈晓", "staff", "市生态环境局"),
        ],
        visit_date=today,
        acting_user=zhujian,
    )
    for item in acceptance.lines.all():
        services.record_check(item, result="pass", note="现场核实", acting_user=zhujian)
    replay.group_signs(acceptance, zhujian, today)
    services.conclude_acceptance(
        acceptance,
        passed=True,
        conclusion="逐项核查符合要求，同意销号。",
        acting_user=zhujian,
    )


def _lintong_applies(plan, lintong, today):
    """Item 六: 临潼区 reports and applies for acceptance, which waits for 市住建局's group
    (the review group's to-do list)."""
    line = _line(plan, 6, "临潼区政府")
    if line is None or lintong is None or line.acceptances.exists():
        return
    services.submit_report(
        line,
        period=today,
        narrative="全区商混企业排查完毕，12 家企业完成料场全封闭和车辆冲洗设施改造，"
        "水泥制品厂备案手续已补办。",
        percent=100,
        files=[SimpleUploadedFile("商混站封闭改造照片.png", PHOTO)],
        acting_user=lintong,
    )
    services.apply_for_acceptance(
        line, note="排查整治措施均已落实，申请市住建局组织验收。", acting_user=lintong
    )
