"""Who may see and change what, by page, by API and by guessing URLs.

Setup: 鄠邑区 (huyi) and 临潼区 (lintong) have each reported on their own part of item 六
with an evidence file; 市住建局 (reviewer) accepts item 六; ``outsider`` has no role and
the anonymous public has no login.
"""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from evidence.services import evidence_for
from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.tests.conftest import pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world, huyi_line, lintong_line):
    with time_machine.travel(dt.datetime(2024, 3, 20, 9, tzinfo=LOCAL_TZ), tick=False):
        huyi = services.submit_report(
            huyi_line,
            period=dt.date(2024, 3, 1),
            narrative="鄠邑内部进展：专人值守",
            percent=50,
            files=[png("鄠邑现场.png")],
            acting_user=world.huyi,
        )
        lintong = services.submit_report(
            lintong_line,
            period=dt.date(2024, 3, 1),
            narrative="临潼内部进展：商混排查",
            percent=40,
            files=[pdf("临潼报告.pdf")],
            acting_user=world.lintong,
        )
    return {"huyi": huyi, "lintong": lintong}


# who → may they see huyi's part, lintong's part; may they report on lintong's part
MATRIX = [
    ("office", True, True, True),
    ("leader", True, True, False),
    ("huyi", True, False, False),
    ("lintong", False, True, True),
    ("reviewer", True, True, False),
    ("inspector", False, False, False),
    ("outsider", False, False, False),
]


def _urls(report):
    line = report.assignment
    evidence = evidence_for(report).get()
    return {
        "line page": reverse("ledger-assignment", args=[line.pk]),
        "report page": reverse("ledger-report", args=[report.pk]),
        "evidence": reverse("evidence-download", args=[evidence.pk]),
        "line api": f"/api/v1/ledger/lines/{line.pk}",
        "reports api": f"/api/v1/ledger/lines/{line.pk}/reports",
        "report api": f"/api/v1/ledger/reports/{report.pk}",
        "history": reverse("audit-history", args=["ledger.progressreport", report.pk]),
    }


@pytest.mark.parametrize(("who", "sees_huyi", "sees_lintong", "changes_lintong"), MATRIX)
def test_reports_and_evidence_by_page_api_and_guessed_urls(
    client, world, reports, who, sees_huyi, sees_lintong, changes_lintong
):
    client.force_login(getattr(world, who))
    for owner, allowed in (("huyi", sees_huyi), ("lintong", sees_lintong)):
        for name, url in _urls(reports[owner]).items():
            status = client.get(url).status_code
            if allowed:
                assert status == 200, (who, owner, name)
            else:
                # Pages answer 404 (never 403) to the refused, so guessing ids reveals nothing;
                # people without any role get 403 from role-only pages.
                assert status in (404, 403), (who, owner, name, status)
                assert status == 404 or who in ("inspector", "outsider"), (who, name)


@pytest.mark.parametrize(("who", "sees_huyi", "sees_lintong", "changes_lintong"), MATRIX)
def test_lists_show_only_what_may_be_seen(
    client, world, reports, who, sees_huyi, sees_lintong, changes_lintong
):
    client.force_login(getattr(world, who))
    api = client.get("/api/v1/ledger/lines").json()
    units = {row["unit"] for row in api if row["task_no"] == "六"}
    assert ("鄠邑区政府" in units) is sees_huyi
    assert ("临潼区政府" in units) is sees_lintong
    page = client.get(reverse("ledger-line-list"))
    if page.status_code == 200:
        body = page.content.decode()
        assert (f'id="line-{reports["lintong"].assignment_id}"' in body) is sees_lintong


@pytest.mark.parametrize(("who", "sees_huyi", "sees_lintong", "changes_lintong"), MATRIX)
def test_changing_another_districts_part_is_refused(
    client, world, reports, who, sees_huyi, sees_lintong, changes_lintong
):
    client.force_login(getattr(world, who))
    line = reports["lintong"].assignment
    before = line.reports.count()
    with time_machine.travel(dt.datetime(2024, 3, 25, 9, tzinfo=LOCAL_TZ), tick=False):
        client.post(
            reverse("ledger-report-new", args=[line.pk]),
            {
                "period": "2024-03",
                "narrative": "冒名报送",
                "percent": 99,
                "correction_reason": "测试",
            },
        )
        api = client.post(
            f"/api/v1/ledger/lines/{line.pk}/reports",
            json.dumps(
                {
                    "period": "2024-03-01",
                    "narrative": "冒名",
                    "percent": 99,
                    "correction_reason": "测试",
                }
            ),
            content_type="application/json",
        )
        applied = client.post(reverse("ledger-apply", args=[line.pk]), {"note": "冒名申请"})
    after = line.reports.count()
    if changes_lintong:
        assert after == before + 2 and api.status_code == 201
    else:
        assert after == before
        assert api.status_code in (403, 404)
        assert applied.status_code in (403, 404) or line.acceptances.count() == 0
        line.refresh_from_db()
        assert line.status != "applied"


def test_the_anonymous_public_is_sent_to_log_in_and_the_api_refuses(client, reports):
    for url in _urls(reports["huyi"]).values():
        response = client.get(url)
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert "/login/" in response["Location"]


def test_the_public_sees_only_published_fields(client, world, plan, reports):
    assert client.get(reverse("disclosure-plan", args=[plan.pk])).status_code == 404
    services.publish_plan(plan, summary="整改方案及进展按月公开。", acting_user=world.office)
    task = reports["huyi"].assignment.task
    services.set_task_public_summary(
        task, summary="鄠邑区、临潼区正在整改。", acting_user=world.office
    )
    services.issue_supervision(
        "order",
        title="内部督办：临潼进度滞后",
        text="内部批评意见",
        units=[world.unit("临潼区政府")],
        tasks=[task],
        acting_user=world.office,
    )
    pages = [
        client.get(reverse("disclosure-index")),
        client.get(reverse("disclosure-plan", args=[plan.pk])),
        client.get(reverse("disclosure-task", args=[task.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        for secret in (
            "内部进展",
            "鄠邑现场.png",
            "临潼报告.pdf",
            "内部督办",
            "内部批评意见",
            "/evidence/",
            "huyi",
            "lintong",
            "office",
        ):
            assert secret not in body, secret
    assert "鄠邑区、临潼区正在整改。" in pages[2].content.decode()
    assert "整改方案及进展按月公开。" in pages[1].content.decode()
