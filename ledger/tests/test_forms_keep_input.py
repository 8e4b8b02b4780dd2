"""A form that fails keeps everything typed (files included), each error beside its field,
once (issue 10, reproduction 5)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceFile, PendingUpload
from evidence.services import evidence_for
from lantian.lib.tz import LOCAL_TZ
from ledger import services
from ledger.models import ProgressReport
from ledger.services import MemberEntry
from ledger.tests.conftest import PNG, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2024, 5, 20, 10, tzinfo=LOCAL_TZ), tick=False):
        yield


def _field_block(html: str, name: str) -> str:
    """From a field's input to the next field's label: where its error must be."""
    start = html.index(f'name="{name}"')
    end = html.find("<label", start)
    return html[start : end if end > 0 else None]


@pytest.fixture
def checking(world, huyi_line):
    services.submit_report(
        huyi_line,
        period=dt.date(2024, 5, 1),
        narrative="完成",
        percent=100,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    acceptance = services.apply_for_acceptance(huyi_line, note="已完成", acting_user=world.huyi)
    services.form_review_group(
        acceptance,
        members=[
            MemberEntry("张工", "leader", "市住建局", world.reviewer),
            MemberEntry("李专家", "expert", ""),
        ],
        visit_date=dt.date(2024, 5, 18),
        acting_user=world.reviewer,
    )
    return acceptance


def test_concluding_before_every_line_is_checked_keeps_the_choice_and_text(client, world, checking):
    client.force_login(world.reviewer)
    response = client.post(
        reverse("ledger-acceptance-conclude", args=[checking.pk]),
        {"passed": "1", "visit_date": "2024-05-18", "conclusion": "现场核查整改到位，同意销号"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("尚有未核查的项目") == 1
    form = html[html.index('id="conclusion-form"') :]
    assert re.search(r'value="1"[^>]*checked', form)
    assert "现场核查整改到位，同意销号" in form
    checking.refresh_from_db()
    assert checking.passed is None


def test_a_missing_signature_names_who_has_not_signed(client, world, checking):
    for line in checking.lines.all():
        services.record_check(line, result="pass", acting_user=world.reviewer)
    leader = checking.members.get(role="leader")
    services.sign_acceptance(leader, acting_user=world.reviewer)
    client.force_login(world.reviewer)
    html = client.post(
        reverse("ledger-acceptance-conclude", args=[checking.pk]),
        {"passed": "1", "visit_date": "2024-05-18", "conclusion": "同意"},
    ).content.decode()
    form = html[html.index('id="conclusion-form"') :]
    assert form.count("尚有验收组成员未签字：李专家") == 1
    assert "同意" in form


def test_a_paper_signature_without_the_members_name_keeps_the_statement(client, world, checking):
    expert = checking.members.get(role="expert")
    client.force_login(world.reviewer)
    html = client.post(
        reverse("ledger-acceptance-sign", args=[expert.pk]),
        {"manner": "paper", "statement": "专家已在纸上签字", "paper_date": "2024-05-18"},
    ).content.decode()
    row = html[html.index(f'id="member-{expert.pk}"') :]
    assert row.count("代录说明须写明签字人姓名（李专家）") == 1
    assert "专家已在纸上签字" in row and 'value="2024-05-18"' in row
    expert.refresh_from_db()
    assert expert.signed_at is None


def test_a_correction_without_reason_is_said_beside_the_reason_and_files_are_kept(
    client, world, huyi_line
):
    services.submit_report(
        huyi_line,
        period=dt.date(2024, 5, 1),
        narrative="五月",
        percent=20,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    client.force_login(world.huyi)
    url = reverse("ledger-report-new", args=[huyi_line.pk])
    typed = {"period": "2024-05", "narrative": "五月进展（修正）", "percent": "30"}
    response = client.post(url, {**typed, "files": [png("工地.png"), pdf("台账.pdf")]})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("更正须说明原因") == 1
    assert "更正须说明原因" in _field_block(html, "correction_reason")
    assert "五月进展（修正）" in html and 'value="30"' in html
    kept = PendingUpload.objects.filter(owner=world.huyi)
    assert sorted(k.original_name for k in kept) == ["台账.pdf", "工地.png"]
    assert "工地.png" in html and "台账.pdf" in html  # listed under the file field

    # the second try sends only the reason; the kept files still ticked go with it
    photo = kept.get(original_name="工地.png")
    response = client.post(
        url, {**typed, "correction_reason": "数字填错", "kept_upload": [str(photo.pk)]}
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(is_current=True, period=dt.date(2024, 5, 1))
    assert [e.original_name for e in evidence_for(report)] == ["工地.png"]
    assert evidence_for(report).get().file.read() == PNG
    assert not PendingUpload.objects.exists()  # the unticked one is gone too


def test_kept_files_belong_to_their_user_and_form(client, world, huyi_line, lintong_line):
    client.force_login(world.huyi)
    client.post(
        reverse("ledger-report-new", args=[huyi_line.pk]),
        {"period": "2024-05", "narrative": "", "percent": "10", "files": [png()]},
    )
    kept = PendingUpload.objects.get()
    client.force_login(world.office)  # someone else naming the kept file's id gets nothing
    client.post(
        reverse("ledger-report-new", args=[lintong_line.pk]),
        {"period": "2024-05", "narrative": "临潼进展", "percent": "10", "kept_upload": [kept.pk]},
    )
    assert not EvidenceFile.objects.exists()
    assert PendingUpload.objects.filter(pk=kept.pk).exists()


def test_a_refused_file_is_named_beside_the_field_once_and_good_ones_are_kept(
    client, world, huyi_line
):
    client.force_login(world.huyi)
    fake = SimpleUploadedFile("伪装.png", b"MZ\x90\x00 not an image", content_type="image/png")
    html = client.post(
        reverse("ledger-report-new", args=[huyi_line.pk]),
        {"period": "2024-05", "narrative": "进展", "percent": "10", "files": [fake, pdf()]},
    ).content.decode()
    assert html.count("与扩展名 .png 不符") == 1
    assert "伪装.png" in _field_block(html, "files")
    assert [k.original_name for k in PendingUpload.objects.all()] == ["报告.pdf"]
    assert not ProgressReport.objects.exists()


def test_a_supervision_reply_without_text_keeps_the_files_and_says_so_beside_the_text(
    client, world, plan
):
    supervision = services.issue_supervision(
        "order", title="督办：扬尘", units=[world.unit("鄠邑区政府")], acting_user=world.office
    )
    client.force_login(world.huyi)
    url = reverse("ledger-supervision-reply", args=[supervision.pk])
    unit = world.unit("鄠邑区政府")
    html = client.post(
        url, {"unit": unit.pk, "text": "", "files": [pdf("整改报告.pdf")]}
    ).content.decode()
    assert html.count("这个字段是必填项") == 1 and "整改报告.pdf" in html
    assert re.search(rf'value="{unit.pk}"[^>]*selected', html)
    kept = PendingUpload.objects.get()
    response = client.post(url, {"unit": unit.pk, "text": "已整改", "kept_upload": [kept.pk]})
    assert response.status_code == 302
    assert [e.original_name for e in evidence_for(supervision.replies.get())] == ["整改报告.pdf"]


def test_an_extension_without_reason_keeps_the_date(client, world, huyi_line):
    client.force_login(world.office)
    response = client.post(
        reverse("ledger-extend", args=[huyi_line.pk]), {"to": "2024-09-30", "reason": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'value="2024-09-30"' in html
    assert html.count("这个字段是必填项") == 1
    huyi_line.refresh_from_db()
    assert huyi_line.extended_to is None
