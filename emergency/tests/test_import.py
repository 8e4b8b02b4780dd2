"""The reduction list import: 4,467 rows, every bad row named, all or nothing, and re-imports."""

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from audit.models import AuditEvent
from emergency import sample, services
from emergency.creditcode import make
from emergency.models import Enterprise, GradeChange, ImportRun, ReductionMeasure
from emergency.tests.conftest import bytes_upload, district_names, workbook_upload

pytestmark = pytest.mark.django_db


def rows_for(city, count, **kwargs):
    return sample.generate(count, district_names(city), **kwargs)


def test_a_4467_row_list_imports_in_one_go(city, world):
    rows = rows_for(city, 4467, units=["市生态环境局"])
    run = services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    assert run.status == ImportRun.Status.APPLIED and run.rows == 4467
    assert Enterprise.objects.filter(on_list=True).count() == 4467
    assert ReductionMeasure.objects.count() == 3 * 4467
    assert GradeChange.objects.count() == 4467
    assert Enterprise.responsible_units.through.objects.count() == 4467
    one = Enterprise.objects.get(credit_code=rows[100]["code"])
    assert one.name == rows[100]["name"] and one.district.name == rows[100]["district"]
    red = one.measures.get(level="red")
    assert red.stop_production == rows[100]["red_stop"]
    # one audit event for the upload's check, one for applying it: not one per row
    assert AuditEvent.objects.filter(object_type="emergency.importrun").count() == 2


def test_each_bad_row_is_named_with_its_reason_and_nothing_is_stored(city, world):
    rows = rows_for(city, 12, units=["市生态环境局"])
    rows[0]["name"] = ""  # worksheet row 2
    rows[1]["district"] = "火星区"  # row 3
    rows[2]["grade"] = "E级"  # row 4
    rows[4]["code"] = rows[3]["code"]  # row 6 repeats row 5
    rows[5]["code"] = rows[5]["code"][:-1] + ("0" if rows[5]["code"][-1] != "0" else "1")  # row 7
    rows[6]["orange_pct"] = 130  # row 8
    rows[7]["red_stop"] = "也许"  # row 9
    rows[8]["units"] = ["市不存在局"]  # row 10
    rows[9]["yellow_measures"], rows[9]["yellow_stop"] = "", False  # row 11
    rows[10]["code"] = ""  # row 12
    rows[11]["orange_stop"], rows[11]["orange_limit"] = True, True  # row 13
    run = services.check_list_upload(workbook_upload(rows), city=city, acting_user=world.office)
    assert run.status == ImportRun.Status.INVALID
    report = {(p["row"], p["message"]) for p in run.report}
    assert (2, "缺少企业名称") in report
    assert (3, "未知区县“火星区”") in report
    assert any(r == 4 and "绩效等级“E级”无效" in m for r, m in report)
    assert (6, f"与第 5 行重复：{rows[3]['code']}") in report
    assert any(r == 7 and "校验位应为" in m for r, m in report)
    assert (8, "橙色预警减排比例 130 应在 0–100 之间") in report
    assert (9, "红色预警停产“也许”应为“是”或“否”") in report
    assert (10, "单位名录中没有“市不存在局”") in report
    assert (11, "缺少黄色预警减排措施") in report
    assert (12, "缺少统一社会信用代码") in report
    assert (13, "橙色预警不能同时停产和限产") in report
    assert not Enterprise.objects.exists()
    with pytest.raises(ValidationError):
        services.apply_list(run, acting_user=world.office)
    assert not Enterprise.objects.exists()


def test_one_bad_row_in_4467_refuses_the_whole_file(city, world):
    rows = rows_for(city, 4467)
    rows[4000]["district"] = "未知县"
    with pytest.raises(services.ImportRefused) as refused:
        services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    assert [p["row"] for p in refused.value.run.report] == [4002]
    assert not Enterprise.objects.exists()


def test_a_file_without_the_required_columns_or_not_a_workbook_is_refused(city, world):
    book = Workbook()
    book.active.append(["企业名称", "行业"])
    book.active.append(["某公司", "铸造"])
    out = io.BytesIO()
    book.save(out)
    run = services.check_list_upload(
        bytes_upload(out.getvalue(), "a.xlsx"), city=city, acting_user=world.office
    )
    assert {p["message"] for p in run.report} == {
        "缺少必需的列“统一社会信用代码”",
        "缺少必需的列“所在区县”",
    }
    run = services.check_list_upload(
        bytes_upload(b"not excel", "b.xlsx"), city=city, acting_user=world.office
    )
    assert run.status == "invalid" and run.report[0]["message"].startswith("无法读取 Excel 文件")


def test_district_aliases_and_grade_words_are_understood(city, world):
    rows = rows_for(city, 3)
    rows[0]["district"], rows[0]["grade"] = "西安高新区", "B"
    rows[1]["district"], rows[1]["grade"] = "浐灞生态区", "引领性"
    rows[2]["district"], rows[2]["grade"] = "鄠邑区", "ungraded"
    services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    got = {e.district.name: e.grade for e in Enterprise.objects.select_related("district")}
    assert got == {"高新区": "B", "浐灞国际港": "leading", "鄠邑区": "ungraded"}


def test_milder_measures_at_a_higher_level_are_a_warning_not_an_error(city, world):
    rows = rows_for(city, 2)
    rows[0].update(yellow_pct=30, orange_pct=20, red_pct=40, yellow_stop=False, orange_stop=False)
    run = services.check_list_upload(workbook_upload(rows), city=city, acting_user=world.office)
    assert run.status == "checked"
    assert run.summary["warnings"][0]["message"] == "橙色预警减排比例 20 低于黄色预警的 30"


def test_a_reimport_updates_records_grade_changes_and_delists_the_missing(city, world):
    rows = rows_for(city, 30)
    services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    old = rows[0]["grade"]
    rows[0]["grade"] = "A" if old != "A" else "B"
    rows[1]["name"] = "改名后的企业有限公司"
    run = services.import_list(workbook_upload(rows[:-5]), city=city, acting_user=world.office)
    assert (run.summary["new"], run.summary["updated"], run.summary["delisted"]) == (0, 25, 5)
    assert run.summary["grade_changes"] == 1
    changed = Enterprise.objects.get(credit_code=rows[0]["code"])
    history = list(changed.grade_changes.order_by("id").values_list("old_grade", "new_grade"))
    assert history == [("", old), (old, rows[0]["grade"])]
    assert Enterprise.objects.get(credit_code=rows[1]["code"]).name == "改名后的企业有限公司"
    assert Enterprise.objects.filter(on_list=False).count() == 5
    # back on the list when they reappear
    services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    assert Enterprise.objects.filter(on_list=True).count() == 30


def test_a_partial_file_adds_without_delisting(city, world):
    rows = rows_for(city, 10)
    services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    extra = rows_for(city, 2, seed=99)
    extra[0]["code"], extra[1]["code"] = make("91610100MA6U00001"), make("91610100MA6U00002")
    services.import_list(workbook_upload(extra), city=city, acting_user=world.office, replace=False)
    assert Enterprise.objects.filter(on_list=True).count() == 12


def test_a_checked_run_is_applied_once(city, world):
    run = services.check_list_upload(
        workbook_upload(rows_for(city, 3)), city=city, acting_user=world.office
    )
    services.apply_list(run, acting_user=world.office)
    with pytest.raises(ValidationError):
        services.apply_list(run, acting_user=world.office)


def test_the_list_carries_coordinates_and_a_list_without_them_keeps_them(city, world):
    """经度/纬度 (optional) place the enterprise for the 一张图 and the route cross-check; the
    export writes them back; swapped values are refused; blank ones change nothing."""
    from emergency import queries

    rows = rows_for(city, 3, units=["市生态环境局"])
    rows[0]["longitude"], rows[0]["latitude"] = 108.94, 34.26
    services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    placed = Enterprise.objects.get(credit_code=rows[0]["code"])
    assert (placed.longitude, placed.latitude) == (108.94, 34.26)
    assert Enterprise.objects.get(credit_code=rows[1]["code"]).longitude is None
    exported = queries.export_rows(Enterprise.objects.filter(pk=placed.pk))
    assert (exported[0]["longitude"], exported[0]["latitude"]) == (108.94, 34.26)
    del rows[0]["longitude"], rows[0]["latitude"]
    services.import_list(workbook_upload(rows), city=city, acting_user=world.office)
    placed.refresh_from_db()
    assert placed.longitude == 108.94  # a list without coordinates keeps them
    rows[1]["longitude"], rows[1]["latitude"] = 34.26, 108.94
    run = services.check_list_upload(workbook_upload(rows), city=city, acting_user=world.office)
    assert run.status == ImportRun.Status.INVALID
    assert any(p["row"] == 3 and "疑似填反" in p["message"] for p in run.report)
