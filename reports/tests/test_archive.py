"""Numbering, the archive (an issue regenerates byte for byte from its snapshot, whatever the
data do afterwards), publishing to the units, and the monthly automatic run."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from accounts.models import Notification
from audit.models import AuditEvent
from reports import gather, periods, services
from reports.models import Issue, IssueState, ReportSettings
from reports.tests.conftest import DECEMBER, ISSUE_DAY, at

pytestmark = pytest.mark.django_db


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def test_archived_issue_regenerates_the_same_bytes_after_the_data_change(december, world):
    from ledger.tests.conftest import line_of

    scope = gather.resolve_scope()
    with at(ISSUE_DAY):
        issue = services.generate(periods.month(DECEMBER), scope, acting_user=world.office)
    first = issue.current()
    stored = _read(first.docx)
    assert services.sha256(stored) == first.docx_sha256

    # The data change after the issue was made: a close-out in December recorded late.
    from ledger.choices import Status
    from ledger.models import Assignment

    late = line_of(december.plan, 16, "市扬尘治理联席办")
    Assignment.objects.filter(pk=late.pk).update(
        status=Status.CLOSED, closed_on=dt.date(2023, 12, 28)
    )
    again = services.regenerate(first)
    assert again.docx == stored  # byte for byte
    assert again.xlsx == _read(first.xlsx)
    result = services.verify(first)
    assert result.docx_identical and result.xlsx_identical and result.text_identical

    # Regenerating the draft with fresh data keeps the number and adds a revision.
    with at(dt.date(2024, 1, 8)):
        same = services.generate(
            periods.month(DECEMBER), scope, acting_user=world.office, today=dt.date(2024, 1, 8)
        )
    assert same.pk == issue.pk and same.number == 1
    second = same.current()
    assert second.number == 2 and second.docx_sha256 != first.docx_sha256
    closed = (first.snapshot["ledger"]["now"]["closed"], second.snapshot["ledger"]["now"]["closed"])
    assert closed == (1, 2)
    actions = list(
        AuditEvent.objects.filter(object_id=str(issue.pk)).values_list("action", flat=True)
    )
    assert actions.count("report.generated") == 1 and actions.count("report.regenerated") == 1


def test_a_tampered_archive_is_reported(december, world, quick_charts):
    with at(ISSUE_DAY):
        issue = services.generate(
            periods.month(DECEMBER), gather.resolve_scope(), acting_user=world.office
        )
    revision = issue.current()
    revision.snapshot_json = revision.snapshot_json.replace("鄠邑区", "户县", 1)
    revision.save()
    result = services.verify(revision)
    assert not result.docx_identical and not result.text_identical


def test_numbers_run_per_series_and_year(december, world, quick_charts):
    scope = gather.resolve_scope()
    with at(ISSUE_DAY):
        december_issue = services.generate(periods.month(DECEMBER), scope, acting_user=world.office)
        november = services.generate(
            periods.month(dt.date(2023, 11, 1)), scope, acting_user=world.office
        )
        week = services.generate(
            periods.between(dt.date(2023, 12, 18), dt.date(2023, 12, 24)),
            scope,
            acting_user=world.office,
        )
    assert (december_issue.number, november.number) == (1, 2)
    assert (week.series, week.number) == ("brief", 1)
    assert week.title == "2023年12月18日至12月24日西安市大气污染防治工作简报"
    with pytest.raises(ValidationError, match="尚未开始"):
        services.generate(
            periods.month(dt.date(2024, 3, 1)), scope, acting_user=world.office, today=ISSUE_DAY
        )


def test_only_the_office_generates_and_publishes(december, world, quick_charts):
    scope = gather.resolve_scope()
    with pytest.raises(PermissionDenied):
        services.generate(periods.month(DECEMBER), scope, acting_user=world.huyi)
    with at(ISSUE_DAY):
        issue = services.generate(periods.month(DECEMBER), scope, acting_user=world.office)
    with pytest.raises(PermissionDenied):
        services.publish(issue, acting_user=world.leader)


def test_publishing_issues_the_final_version_and_tells_the_units(december, world, quick_charts):
    scope = gather.resolve_scope()
    with at(ISSUE_DAY):
        issue = services.generate(periods.month(DECEMBER), scope, acting_user=world.office)
    draft = issue.current()
    publish_day = dt.date(2024, 1, 9)
    with at(publish_day):
        final = services.publish(issue, acting_user=world.office, today=publish_day)
    issue.refresh_from_db()
    assert issue.state == IssueState.PUBLISHED and final.number == 2
    assert final.snapshot_json == draft.snapshot_json  # the data the office approved
    from docx import Document

    text = [p.text for p in Document(io.BytesIO(_read(final.docx))).paragraphs]
    assert text[1] == "2023年第1期" and "2024年1月9日" in text[2]
    # Every unit in the per-unit table with an officer is told, and so is the leader.
    notified = set(
        Notification.objects.filter(kind="report").values_list("user__username", flat=True)
    )
    assert {"huyi", "lintong", "leader"} <= notified
    assert "outsider" not in notified
    with pytest.raises(ValidationError, match="已经印发"):
        services.publish(issue, acting_user=world.office)
    with pytest.raises(ValidationError, match="已印发，不能重新生成"):
        services.generate(periods.month(DECEMBER), scope, acting_user=world.office)
    # The published version regenerates the same bytes too.
    assert services.verify(final).docx_identical


def test_the_workbook_has_the_same_tables(december, world, quick_charts):
    with at(ISSUE_DAY):
        issue = services.generate(
            periods.month(DECEMBER), gather.resolve_scope(), acting_user=world.office
        )
    revision = issue.current()
    book = load_workbook(io.BytesIO(_read(revision.xlsx)))
    assert "各单位推进情况" in book.sheetnames and "在线监测" in book.sheetnames
    units = list(book["各单位推进情况"].iter_rows(values_only=True))
    snapshot_units = revision.snapshot["ledger"]["units"]
    assert [r[1] for r in units[1:]] == [u["unit"] for u in snapshot_units]
    assert [r[9] for r in units[1:]] == [u["score"] for u in snapshot_units]
    monitoring = {r[0]: r for r in book["在线监测"].iter_rows(values_only=True)}
    assert monitoring["鄠邑区"][1:5] == (3, 0, 3, 1)
    air = {r[1]: r for r in book["空气质量排名"].iter_rows(values_only=True)}
    assert air["鄠邑区"][3] == 62.4 and air["鄠邑区"][5] == 80.0


def test_the_monthly_run_makes_last_months_issue_once(december, world, quick_charts):
    settings = ReportSettings.get()
    settings.auto_day = 5
    settings.save()
    assert services.automatic_run(dt.date(2024, 1, 4)) is None  # before the day
    with at(ISSUE_DAY):
        issue = services.automatic_run(ISSUE_DAY)
    assert issue is not None and issue.period_first == DECEMBER
    assert issue.state == IssueState.DRAFT
    assert services.automatic_run(dt.date(2024, 1, 6)) is None  # already made
    assert Issue.objects.count() == 1
    office_notes = Notification.objects.filter(user=world.office, kind="report")
    assert office_notes.count() == 1 and "审核" in office_notes.get().title
    settings.auto_publish = True
    settings.save()
    with at(dt.date(2024, 2, 5)):
        january = services.automatic_run(dt.date(2024, 2, 5))
    assert january.state == IssueState.PUBLISHED
    assert (january.year, january.number) == (2024, 1)  # numbers restart each year
    settings.auto_day = 0
    settings.save()
    assert services.automatic_run(dt.date(2024, 3, 5)) is None
