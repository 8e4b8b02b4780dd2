"""The pages render for the office, stay within query ceilings, and do what their forms say."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Notification
from emergency import sample
from emergency.models import (
    Case,
    DrawRound,
    Enterprise,
    Episode,
    GradeChange,
    Inspection,
    InspectionPlan,
)
from emergency.tests.conftest import local, photo, workbook_upload

pytestmark = pytest.mark.django_db


def pages(episode):
    enterprise = Enterprise.objects.first()
    plan = InspectionPlan.objects.first()
    round_ = DrawRound.objects.first()
    inspection = Inspection.objects.first()
    return [
        reverse("emergency-home"),
        reverse("emergency-episodes"),
        reverse("emergency-episode", args=[episode.pk]),
        reverse("emergency-propose"),
        reverse("emergency-enterprises"),
        reverse("emergency-enterprises") + "?grade=C&listed=all&stop=red&devices=1",
        reverse("emergency-enterprise", args=[enterprise.pk]),
        reverse("emergency-import"),
        reverse("emergency-round", args=[round_.pk]),
        reverse("emergency-round", args=[round_.pk]) + "?verify=1",
        reverse("emergency-plans") + "?day=2024-01-11",
        reverse("emergency-plan", args=[plan.pk]),
        reverse("emergency-my-inspections"),
        reverse("emergency-inspection", args=[inspection.pk]),
        reverse("emergency-cases"),
        reverse("emergency-stats"),
        reverse("emergency-stats") + f"?episode={episode.pk}",
        reverse("emergency-grades"),
    ]


def test_every_page_renders_for_the_office_within_a_query_ceiling(
    client, world, small_episode, django_assert_max_num_queries
):
    client.force_login(world.office)
    for url in pages(small_episode):
        with django_assert_max_num_queries(40):
            response = client.get(url)
        assert response.status_code == 200, url


def test_list_pages_do_not_grow_with_the_list(
    client, world, small_episode, django_assert_max_num_queries
):
    client.force_login(world.office)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("emergency-enterprises")).status_code == 200
    plan = InspectionPlan.objects.get(unit__name="西安市工业和信息化局", day=dt.date(2024, 1, 11))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("emergency-plan", args=[plan.pk]))
    assert response.content.decode().count("emergency/inspections/") >= 9


def test_the_enterprise_filters_answer_with_a_partial_for_htmx(client, world, small_episode):
    client.force_login(world.office)
    district = Enterprise.objects.first().district
    response = client.get(
        reverse("emergency-enterprises"), {"district": district.pk}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body
    assert (
        body.count("emergency/enterprises/") == Enterprise.objects.filter(district=district).count()
    )


def test_the_export_reimports_without_changes(client, world, small_episode, city):
    from emergency import services

    client.force_login(world.office)
    response = client.get(reverse("emergency-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    run = services.check_list_upload(
        _as_upload(response.content),
        city=city,
        acting_user=world.office,
    )
    assert run.status == "checked", run.report
    assert run.summary["new"] == 0 and run.summary["grade_changes"] == 0
    assert run.summary["updated"] == 400 and run.summary["delisted"] == 0


def _as_upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("export.xlsx", data)


def test_pasting_a_forecast_proposes_a_level_and_the_office_issues_it(client, world, city):
    client.force_login(world.office)
    text = "2024-12-20,180\n2024-12-21,230\n2024-12-22,320\n2024-12-23,260\n"
    response = client.post(reverse("emergency-propose"), {"text": text}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-level="orange"' in body and "<html" not in body
    assert "环办大气函〔2018〕875号" in body
    assert 'name="starts_at" value="2024-12-21T00:00"' in body
    with time_machine.travel(local(2024, 12, 20, 10), tick=False):
        response = client.post(
            reverse("emergency-issue"),
            {
                "city": city.pk,
                "level": "orange",
                "starts_at": "2024-12-21T00:00",
                "expected_end_at": "2024-12-24T00:00",
                "basis_note": "会商",
                "basis": "{}",
                "rule_code": "环办大气函〔2018〕875号",
            },
        )
    episode = Episode.objects.get()
    assert response.url == reverse("emergency-episode", args=[episode.pk])
    assert episode.level == "orange" and episode.starts_at == local(2024, 12, 21, 0)
    assert episode.issued_at == local(2024, 12, 20, 10)


def test_an_uploaded_excel_forecast_is_read(client, world):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["时间", "AQI"])
    for i, value in enumerate((210, 220)):
        sheet.append([dt.date(2024, 12, 20 + i), value])
    out = BytesIO()
    book.save(out)
    client.force_login(world.office)
    response = client.post(
        reverse("emergency-propose"),
        {"file": SimpleUploadedFile("forecast.xlsx", out.getvalue())},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-level="yellow"' in response.content.decode()


def test_a_bad_forecast_row_is_reported(client, world):
    client.force_login(world.office)
    response = client.post(reverse("emergency-propose"), {"text": "2024-12-20,abc"})
    assert "第 1 行" in response.content.decode()


def test_the_office_upgrades_and_lifts_an_episode_through_the_page(client, world, city):
    from emergency import services

    with time_machine.travel(local(2024, 12, 20, 10), tick=False):
        episode = services.issue_episode(
            city=city, level="yellow", starts_at=local(2024, 12, 21), acting_user=world.office
        )
        client.force_login(world.office)
        url = reverse("emergency-episode-change", args=[episode.pk])
        client.post(url, {"level": "red", "effective_at": "2024-12-22T12:00", "reason": "加重"})
        client.post(
            reverse("emergency-episode-lift", args=[episode.pk]),
            {"effective_at": "2024-12-24T00:00", "reason": "好转"},
        )
    episode.refresh_from_db()
    assert [s.kind for s in episode.steps.all()] == ["issue", "upgrade", "lift"]
    assert episode.level == "red" and episode.lifted_at == local(2024, 12, 24)


def test_an_import_through_the_page_reports_bad_rows_and_applies_a_good_file(client, world, city):
    client.force_login(world.office)
    names = ["鄠邑区", "临潼区"]
    rows = sample.generate(5, names)
    rows[2]["district"] = "不存在区"
    response = client.post(
        reverse("emergency-import"),
        {"file": workbook_upload(rows), "city": city.pk, "replace": "on"},
        follow=True,
    )
    body = response.content.decode()
    assert "未知区县“不存在区”" in body and "整份文件未导入" in body
    assert not Enterprise.objects.exists()
    rows[2]["district"] = "鄠邑区"
    response = client.post(
        reverse("emergency-import"),
        {"file": workbook_upload(rows), "city": city.pk, "replace": "on"},
    )
    run_url = response.url
    assert "新增 5 家" in client.get(run_url).content.decode()
    client.post(run_url)
    assert Enterprise.objects.count() == 5
    assert GradeChange.objects.count() == 5  # the first grade of each is recorded


def test_an_inspector_records_a_visit_with_photos_on_the_field_form(
    client, world, small_episode, inspectors, django_capture_on_commit_callbacks
):
    item = Inspection.objects.filter(plan__unit__name="鄠邑区政府").first()
    client.force_login(inspectors["huyi"])
    page = client.get(reverse("emergency-inspection", args=[item.pk])).content.decode()
    assert 'name="result"' in page and 'accept="image/*"' in page and "multiple" in page
    assert 'capture="environment"' in page  # a phone opens its camera on the spot
    with (
        time_machine.travel(local(2024, 1, 11, 15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("emergency-inspection", args=[item.pk]),
            {
                "measures_in_place": "0",
                "facilities_running": "1",
                "ledger_ok": "0",
                "result": "non_compliant",
                "findings": "喷涂线仍在生产",
                "photos": [photo("a.jpg"), photo("b.jpg")],
            },
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.result == "non_compliant" and item.inspector == inspectors["huyi"]
    case = Case.objects.get(inspection=item)
    assert case.owner_unit.name == "鄠邑区政府"
    assert Notification.objects.filter(user=world.huyi, url__contains=f"/cases/{case.pk}/").exists()
    from evidence.services import evidence_for

    assert [e.original_name for e in evidence_for(item)] == ["a.jpg", "b.jpg"]
    again = client.get(reverse("emergency-inspection", args=[item.pk])).content.decode()
    assert 'name="result"' not in again  # recorded once, never overwritten


def test_a_compliant_result_with_a_failed_check_is_refused_on_the_form(
    client, world, small_episode, inspectors, django_capture_on_commit_callbacks
):
    item = Inspection.objects.filter(plan__unit__name="鄠邑区政府").first()
    client.force_login(inspectors["huyi"])
    with (
        time_machine.travel(local(2024, 1, 11, 15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("emergency-inspection", args=[item.pk]),
            {
                "measures_in_place": "0",
                "facilities_running": "1",
                "ledger_ok": "1",
                "result": "compliant",
            },
        )
    assert response.status_code == 200
    assert "结论不能为“落实到位”" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "pending"


def test_the_public_sees_commitments_but_no_enterprise(client, small_episode):
    response = client.get(reverse("emergency-public-draws"))
    body = response.content.decode()
    round_ = DrawRound.objects.first()
    assert response.status_code == 200 and round_.commitment in body
    assert not any(e.name in body for e in Enterprise.objects.all()[:50])
    assert client.get(reverse("emergency-home")).status_code == 302  # to the login page
