"""The office's upload → preview → correct flow (the commit needs the ledger)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from plans.models import DraftStatus, ImportDraft
from plans.tests.test_variants import TASK_LIST

TESTDATA = Path(__file__).resolve().parents[2] / "testdata" / "plans"
pytestmark = pytest.mark.django_db


def _upload(client, name="task_table.docx"):
    data = (TESTDATA / name).read_bytes()
    return client.post(reverse("plan-import"), {"file": SimpleUploadedFile(name, data)})


def test_office_uploads_and_sees_every_task_in_the_preview(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.office)
    response = _upload(client)
    draft = ImportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "plan-draft", args=[draft.pk]
    )
    assert draft.source_file.read() == (TESTDATA / "task_table.docx").read_bytes()
    with django_assert_max_num_queries(25):
        page = client.get(reverse("plan-draft", args=[draft.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for text in (
        "渭滨区部分建筑工地扬尘防控措施落实不到位",
        "2024-06-30",
        "2024-09-30",
        "立行立改",
    ):
        assert text in html
    # 市住建局 is in the 西安 registry (the default city) and resolves; 渭滨区 does not: proposed
    assert "新单位" in html
    assert AuditEvent.objects.filter(action="plan.draft_created").count() == 1


def test_pasted_text_is_accepted(client, world):
    client.force_login(world.office)
    response = client.post(reverse("plan-import"), {"text": TASK_LIST, "issued": "2024-07-30"})
    draft = ImportDraft.objects.get()
    assert response.status_code == 302
    assert len(draft.extraction["items"]) == 3
    assert draft.extraction["issued"] == "2024-07-30"


def test_unreadable_upload_stores_nothing(client, world):
    client.force_login(world.office)
    response = client.post(
        reverse("plan-import"), {"file": SimpleUploadedFile("x.docx", b"PK\x03\x04broken")}
    )
    assert response.status_code == 200
    assert "损坏" in response.content.decode()
    assert not ImportDraft.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="plan.").exists()


def test_the_office_corrects_a_deadline_and_units(client, world):
    client.force_login(world.office)
    _upload(client)
    draft = ImportDraft.objects.get()
    url = reverse("plan-draft-item", args=[draft.pk, 0])
    form = client.get(url, headers={"HX-Request": "true"})
    assert 'name="deadline"' in form.content.decode()
    response = client.post(
        url,
        {
            "title": "渭滨区建筑工地扬尘防控不到位",
            "responsible": "渭滨区委、区政府、市城管局",
            "acceptance": "市住建局、市生态环境局",
            "acceptance_lead": "市住建局",
            "deadline": "2024-07-31",
            "milestone:1:0": "2024-04-30",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "2024-07-31" in response.content.decode()
    draft.refresh_from_db()
    item = draft.extraction["items"][0]
    assert item["deadline"] == "2024-07-31" and item["title"] == "渭滨区建筑工地扬尘防控不到位"
    assert item["responsible"] == ["渭滨区委", "区政府", "市城管局"]
    assert {u["name"] for u in item["units"]} >= {"渭滨区党委", "渭滨区政府", "市城管局"}
    assert item["measures"][1]["milestones"][0]["date"] == "2024-04-30"
    assert draft.extracted["items"][0]["deadline"] == "2024-06-30"  # the original is kept
    event = AuditEvent.objects.get(action="plan.draft_corrected")
    assert event.changes["1.deadline"] == ["2024-06-30", "2024-07-31"]


@pytest.mark.parametrize("who", ["leader", "huyi", "reviewer", "outsider"])
def test_only_the_office_imports(client, world, who):
    client.force_login(world.office)
    _upload(client)
    draft = ImportDraft.objects.get()
    client.force_login(getattr(world, who))
    assert client.get(reverse("plan-import")).status_code == 404
    assert _upload(client).status_code == 404
    for name in ("plan-draft", "plan-draft-source"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404
    assert (
        client.post(reverse("plan-draft-item", args=[draft.pk, 0]), {"title": "x"}).status_code
        == 404
    )
    assert client.post(reverse("plan-draft-commit", args=[draft.pk])).status_code == 404
    assert ImportDraft.objects.count() == 1


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("plan-import")).status_code == 302


def test_the_original_file_can_be_downloaded_by_the_office(client, world):
    client.force_login(world.office)
    _upload(client, "task_table.pdf")
    draft = ImportDraft.objects.get()
    response = client.get(reverse("plan-draft-source", args=[draft.pk]))
    assert b"".join(response.streaming_content) == (TESTDATA / "task_table.pdf").read_bytes()


def test_a_revised_version_shows_what_changed(client, world):
    client.force_login(world.office)
    client.post(reverse("plan-import"), {"text": TASK_LIST})
    first = ImportDraft.objects.get()
    client.post(reverse("plan-draft-commit", args=[first.pk]))
    revised = TASK_LIST.replace("2024 年 10 月底", "2024 年 11 月底").replace(
        "三、散煤治理不彻底", "三、散煤复烧问题突出"
    )
    client.post(
        reverse("plan-import"),
        {"text": revised + "\n四、新增问题。\n整改责任单位：市城管局\n整改时限：2024年12月底\n"},
    )
    second = ImportDraft.objects.exclude(pk=first.pk).get()
    html = client.get(reverse("plan-draft", args=[second.pk])).content.decode()
    assert "导入后将" in html
    assert "任务一 整改时限：2024-10-31 → 2024-11-30" in html
    assert "新增任务四：新增问题" in html
    assert "任务三 标题：散煤治理不彻底，部分区域散煤复烧 → 散煤复烧问题突出" in html


def test_discard(client, world):
    client.force_login(world.office)
    _upload(client)
    draft = ImportDraft.objects.get()
    client.post(reverse("plan-draft-discard", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DISCARDED
    response = client.post(
        reverse("plan-draft-item", args=[draft.pk, 0]), {"title": "x", "deadline": ""}
    )
    assert "不能再修改" in response.content.decode()
