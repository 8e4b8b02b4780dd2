"""A monthly report carries evidence or says why not, as the plan's setting asks
(issue 10, reproduction 7)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from evidence.services import evidence_for
from lantian.lib.tz import LOCAL_TZ
from ledger import excel, services
from ledger.choices import EvidenceRule
from ledger.models import ProgressReport
from ledger.tests.conftest import png

pytestmark = pytest.mark.django_db
MAY = dt.date(2024, 5, 1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2024, 5, 20, 10, tzinfo=LOCAL_TZ), tick=False):
        yield


def _report(line, user, **kw):
    return services.submit_report(
        line, period=MAY, narrative="五月进展", percent=20, acting_user=user, **kw
    )


def test_by_default_a_report_needs_a_file_or_a_reason(world, plan, huyi_line):
    assert plan.evidence_rule == EvidenceRule.FILE_OR_REASON
    with pytest.raises(ValidationError) as refused:
        _report(huyi_line, world.huyi)
    assert refused.value.error_list[0].code == "files"
    assert not ProgressReport.objects.exists()
    with_reason = _report(huyi_line, world.huyi, no_evidence_reason="本月为制度建设，无现场照片")
    assert with_reason.no_evidence_reason == "本月为制度建设，无现场照片"
    with_file = _report(huyi_line, world.huyi, files=[png()], correction_reason="补传照片")
    assert evidence_for(with_file).count() == 1


def test_the_office_can_require_a_file_every_time_or_nothing(client, world, plan, huyi_line):
    client.force_login(world.office)
    response = client.post(
        reverse("ledger-plan-settings", args=[plan.pk]),
        {"issued": "2023-10-09", "evidence_rule": EvidenceRule.FILE},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.evidence_rule == EvidenceRule.FILE
    event = AuditEvent.objects.filter(action="plan.updated").last()
    assert event.changes["evidence_rule"] == ["file_or_reason", "file"]
    log = client.get(reverse("audit-list")).content.decode()
    assert "报送佐证要求" in log and "每次报送须附佐证材料" in log
    with pytest.raises(ValidationError):
        _report(huyi_line, world.huyi, no_evidence_reason="没有照片")
    plan.evidence_rule = EvidenceRule.OPTIONAL
    plan.save()
    assert _report(huyi_line, world.huyi).pk


def test_the_report_form_says_so_beside_the_files_and_keeps_the_text(client, world, huyi_line):
    client.force_login(world.huyi)
    url = reverse("ledger-report-new", args=[huyi_line.pk])
    html = client.post(url, {"period": "2024-05", "narrative": "扬尘巡查", "percent": "10"})
    html = html.content.decode()
    assert html.count("没有佐证的原因") == 1 and "扬尘巡查" in html
    assert html.index("没有佐证的原因") > html.index('name="files"')
    assert "至少一份佐证材料，或说明无佐证的原因" in html  # the rule in force is shown
    response = client.post(
        url,
        {
            "period": "2024-05",
            "narrative": "扬尘巡查",
            "percent": "10",
            "no_evidence_reason": "系统故障",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "未附佐证的说明" in page and "系统故障" in page


def test_an_excel_row_without_a_reason_is_a_row_error(client, world, plan, huyi_line):
    client.force_login(world.huyi)
    book = load_workbook(io.BytesIO(client.get(reverse("ledger-export")).content))
    sheet = book.active
    assert sheet.cell(excel.HEADER_ROW, 13).value == "未附佐证的说明"
    sheet.cell(excel.FIRST_ROW, 8, "五月进展")
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.import_progress_workbook(
        buffer.getvalue(), period=MAY, acting_user=world.huyi
    )
    assert result.applied == 0 and result.errors[0][0] == excel.FIRST_ROW
    assert "未附佐证的说明" in result.errors[0][1]
    sheet.cell(excel.FIRST_ROW, 13, "照片另行在网页上传")
    buffer = io.BytesIO()
    book.save(buffer)
    result = services.import_progress_workbook(
        buffer.getvalue(), period=MAY, acting_user=world.huyi
    )
    assert (result.applied, result.errors) == (1, [])
    assert ProgressReport.objects.get().no_evidence_reason == "照片另行在网页上传"


def test_the_api_asks_for_a_reason_without_files(client, world, huyi_line):
    client.force_login(world.huyi)
    url = f"/api/v1/ledger/lines/{huyi_line.pk}/reports"
    body = {"period": "2024-05-01", "narrative": "接口报送", "percent": 10}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code in (400, 422) and "佐证" in str(refused.json())
    ok = client.post(
        url, {**body, "no_evidence_reason": "月度例行"}, content_type="application/json"
    )
    assert ok.status_code == 201 and ok.json()["no_evidence_reason"] == "月度例行"
