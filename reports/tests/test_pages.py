"""The 调度通报 pages as each role sees them: the office generates, previews, publishes and
manages templates; units and leaders read published issues only; others see nothing."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from reports.models import Issue, ReportSettings
from reports.tests.conftest import ISSUE_DAY, at

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def test_office_generates_previews_downloads_and_publishes(client, december, world, quick_charts):
    c = client_for(client, world.office)
    assert c.get(reverse("reports-issues")).status_code == 200
    with at(ISSUE_DAY):
        response = c.post(reverse("reports-generate"), {"kind": "month", "month": "2023-12"})
    issue = Issue.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports-issue", args=[issue.pk])
    page = c.get(response.url).content.decode()
    for words in (
        "2023年第1期",
        "审核稿",
        "一、总体进展",
        "鄠邑区",
        "生成审核稿",
        "印发并通知各单位",
    ):
        assert words in page
    assert "report.generated" not in page  # words, not codes
    docx = c.get(reverse("reports-file", args=[issue.pk, 1, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "filename*=UTF-8''" in docx["Content-Disposition"]
    xlsx = c.get(reverse("reports-file", args=[issue.pk, 1, "xlsx"]))
    assert xlsx.status_code == 200
    assert c.get(reverse("reports-file", args=[issue.pk, 1, "exe"])).status_code == 404
    verified = c.post(reverse("reports-verify", args=[issue.pk, 1]), follow=True)
    assert "逐字节一致" in verified.content.decode()
    with at(ISSUE_DAY):
        c.post(reverse("reports-publish", args=[issue.pk]))
    issue.refresh_from_db()
    assert issue.is_published


def test_a_failing_form_keeps_what_was_typed(client, december, world):
    c = client_for(client, world.office)
    response = c.post(
        reverse("reports-generate"), {"kind": "range", "first": "2023-12-20", "last": "2023-12-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "早于开始日期" in page and 'value="2023-12-20"' in page
    assert page.count("早于开始日期") == 1
    assert not Issue.objects.exists()


def test_units_see_published_issues_only_and_others_nothing(client, december, world, quick_charts):
    from reports import gather, periods, services
    from reports.tests.conftest import DECEMBER

    with at(ISSUE_DAY):
        issue = services.generate(
            periods.month(DECEMBER), gather.resolve_scope(), acting_user=world.office
        )
    detail = reverse("reports-issue", args=[issue.pk])
    c = client_for(client, world.huyi)
    assert c.get(detail).status_code == 404  # a draft is the office's
    assert "2023年第1期" not in c.get(reverse("reports-issues")).content.decode()
    assert c.post(reverse("reports-publish", args=[issue.pk])).status_code == 403
    assert c.get(reverse("reports-templates")).status_code == 403
    with at(ISSUE_DAY):
        services.publish(issue, acting_user=world.office)
    assert c.get(detail).status_code == 200
    assert "印发并通知" not in c.get(detail).content.decode()
    assert c.get(reverse("reports-file", args=[issue.pk, 2, "docx"])).status_code == 200
    assert c.get(reverse("reports-file", args=[issue.pk, 1, "docx"])).status_code == 404  # draft
    leader = client_for(client, world.leader)
    assert leader.get(detail).status_code == 200
    outsider = client_for(client, world.outsider)
    assert outsider.get(reverse("reports-issues")).status_code == 403
    assert outsider.get(detail).status_code == 403
    client.logout()
    assert client.get(detail).status_code == 302  # to the login page


def test_office_uploads_a_template_and_sees_a_broken_one_refused(client, world):
    from reports.tests.test_templates import docx_with

    c = client_for(client, world.office)
    page = c.get(reverse("reports-templates")).content.decode()
    assert "内置默认模板" in page and "header" in page
    good = io.BytesIO(docx_with("{{ header.title }}"))
    good.name = "红头.docx"
    response = c.post(
        reverse("reports-templates"), {"name": "红头", "file": good, "activate": "on"}
    )
    assert response.status_code == 302
    bad = io.BytesIO(docx_with("{{ header.titel }}"))
    bad.name = "坏.docx"
    response = c.post(reverse("reports-templates"), {"name": "坏模板", "file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "titel" in page and 'value="坏模板"' in page
    default = c.get(reverse("reports-template-default"))
    assert default.status_code == 200 and default.content[:2] == b"PK"


def test_who_uploaded_a_template_is_shown_by_name_and_unit_not_login(client, world):
    from reports.tests.test_templates import docx_with

    world.office.first_name, world.office.last_name = "立新", "王"
    world.office.save()
    c = client_for(client, world.office)
    upload = io.BytesIO(docx_with("{{ header.title }}"))
    upload.name = "红头.docx"
    c.post(reverse("reports-templates"), {"name": "红头", "file": upload})
    page = c.get(reverse("reports-templates")).content.decode()
    row = page[page.index("红头.docx") if "红头.docx" in page else page.index(">红头<") :]
    row = row[: row.index("</tr>")]
    assert "王立新（市生态环境保护督察整改工作领导小组办公室）" in row
    assert "office" not in row


def test_settings_are_saved_and_audited(client, world):
    from audit.models import AuditEvent

    c = client_for(client, world.office)
    data = {
        "office": "西安市大气污染防治专项行动领导小组办公室",
        "monthly_title": "调度通报",
        "brief_title": "工作简报",
        "top_count": 2,
        "bottom_count": 5,
        "overdue_days": 60,
        "overdue_rows": 20,
        "requirements": "抓紧整改。",
        "distribution": "市委办公厅",
        "auto_day": 31,
    }
    response = c.post(reverse("reports-settings"), data)
    assert response.status_code == 400 and "0–28" in response.content.decode()
    data["auto_day"] = 3
    assert c.post(reverse("reports-settings"), data).status_code == 302
    row = ReportSettings.get()
    assert (row.bottom_count, row.overdue_days, row.auto_day) == (5, 60, 3)
    assert AuditEvent.objects.filter(action="report.settings_changed").exists()
