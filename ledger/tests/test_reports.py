import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.log import history
from evidence.services import evidence_for
from lantian.lib.tz import LOCAL_TZ
from ledger import reporting
from ledger.models import LedgerConfig, ProgressReport
from ledger.services import ActualEntry, MilestoneEntry, add_target, submit_report
from ledger.tests.conftest import pdf, png

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(dt.datetime(*args, 10, 0, tzinfo=LOCAL_TZ), tick=False)


def test_a_report_moves_the_line_forward_and_keeps_its_evidence(world, huyi_line):
    with at(2024, 3, 15):
        report = submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="已安排专人值守平台",
            percent=40,
            files=[png(), pdf()],
            acting_user=world.huyi,
        )
    huyi_line.refresh_from_db()
    assert huyi_line.status == "in_progress"
    assert [e.kind for e in evidence_for(report)] == ["image", "pdf"]
    assert [e.action for e in history(report)] == [
        "evidence.attached",
        "evidence.attached",
        "report.submitted",
    ]


def test_a_correction_is_a_new_version_and_the_first_stays_readable(world, huyi_line):
    with at(2024, 3, 15):
        first = submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="初报",
            percent=30,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
        with pytest.raises(ValidationError):
            submit_report(
                huyi_line,
                period=dt.date(2024, 3, 1),
                narrative="改",
                percent=35,
                acting_user=world.huyi,
                no_evidence_reason="无佐证（测试）",
            )
        second = submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="更正：巡查 12 次",
            percent=35,
            correction_reason="数字有误",
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    first.refresh_from_db()
    assert (first.narrative, first.percent, first.is_current) == ("初报", 30, False)
    assert second.supersedes == first and second.version == 2 and second.is_current
    assert ProgressReport.objects.filter(assignment=huyi_line).count() == 2
    assert history(second).get().action == "report.corrected"


def test_a_refused_file_stores_nothing_of_the_report(world, huyi_line):
    bad = SimpleUploadedFile("病毒.png", b"MZ\x90\x00 not an image")
    with at(2024, 3, 15), pytest.raises(ValidationError):
        submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="x",
            percent=1,
            files=[png(), bad],
            acting_user=world.huyi,
        )
    assert not ProgressReport.objects.exists()
    huyi_line.refresh_from_db()
    assert huyi_line.status == "not_started"


def test_other_districts_cannot_report_on_a_line(world, huyi_line):
    with at(2024, 3, 15), pytest.raises(PermissionDenied):
        submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="x",
            percent=1,
            acting_user=world.lintong,
            no_evidence_reason="无佐证（测试）",
        )


def test_future_months_and_bad_percentages_are_refused(world, huyi_line):
    with at(2024, 3, 15):
        for period, percent in [(dt.date(2024, 4, 1), 10), (dt.date(2024, 3, 1), 101)]:
            with pytest.raises(ValidationError):
                submit_report(
                    huyi_line,
                    period=period,
                    narrative="x",
                    percent=percent,
                    acting_user=world.huyi,
                    no_evidence_reason="无佐证（测试）",
                )


def test_milestones_and_quantitative_targets_are_reported(world, fume_line):
    task = fume_line.task
    target = add_target(
        task,
        indicator="油烟在线监测设施安装",
        value=Decimal(758),
        unit="家",
        acting_user=world.office,
    )
    pilot = task.milestones.get(quantity=287)
    chengguan = world.unit("西安市城市管理和综合执法局")
    from accounts.models import Membership

    Membership.objects.create(user=world.lintong, unit=chengguan, role="unit_officer")
    with at(2024, 4, 2):
        report = submit_report(
            fume_line,
            period=dt.date(2024, 4, 1),
            narrative="重点区域试点安装完成",
            percent=40,
            milestones=[MilestoneEntry(pilot, True, dt.date(2024, 3, 28))],
            actuals=[ActualEntry(target, Decimal(287))],
            acting_user=world.lintong,
            no_evidence_reason="无佐证（测试）",
        )
    actual = report.actuals.get()
    assert (actual.value, actual.target.value) == (287, 758)
    assert target.is_met(actual.value) is False
    assert report.milestone_lines.get().done_on == dt.date(2024, 3, 28)


def test_a_milestone_of_another_district_is_refused(world, plan, huyi_line, lintong_line):
    foreign = lintong_line.milestones().get()
    with at(2024, 3, 15), pytest.raises(ValidationError):
        submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="x",
            percent=1,
            milestones=[MilestoneEntry(foreign, True)],
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )


def test_owed_reports_start_the_month_after_issue_and_flag_missing_ones(world, plan, huyi_line):
    config = LedgerConfig.get()
    # Issued 2023-10-09: reports are owed for November (due 11-30), December (12-31), ...
    assert reporting.owed_periods(huyi_line, dt.date(2024, 1, 30), config) == [
        dt.date(2023, 11, 1),
        dt.date(2023, 12, 1),
    ]
    with at(2023, 11, 30):
        submit_report(
            huyi_line,
            period=dt.date(2023, 11, 1),
            narrative="十一月",
            percent=10,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    with at(2024, 1, 3):
        submit_report(
            huyi_line,
            period=dt.date(2023, 12, 1),
            narrative="十二月补报",
            percent=20,
            acting_user=world.huyi,
            no_evidence_reason="无佐证（测试）",
        )
    slots = reporting.slots([huyi_line], dt.date(2024, 2, 29), config)
    assert [(s.period.month, s.on_time, s.late, s.missing) for s in slots] == [
        (11, True, False, False),
        (12, False, True, False),
        (1, False, False, True),
        (2, False, False, True),
    ]
    missing = reporting.missing_reports([huyi_line], dt.date(2024, 2, 1))
    assert [s.period for s in missing] == [dt.date(2024, 1, 1)]


def test_the_report_day_is_configurable(world, plan, huyi_line):
    plan.report_day = 25
    plan.save()
    huyi_line.refresh_from_db()
    slots = reporting.slots([huyi_line], dt.date(2023, 12, 31), LedgerConfig.get())
    assert [s.due for s in slots] == [dt.date(2023, 11, 25), dt.date(2023, 12, 25)]
