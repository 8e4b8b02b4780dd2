"""Excel round trip: export the ledger, fill in progress, import all-or-nothing."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from lantian.lib.tz import LOCAL_TZ
from ledger import excel
from ledger.models import Assignment, ProgressReport
from ledger.services import import_progress_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2024, 4, 25, 9, tzinfo=LOCAL_TZ), tick=False):
        yield


def _export(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("ledger-export") + query)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_export_has_the_bureaus_headers_and_one_row_per_task_and_unit(client, world, plan):
    sheet = _export(client, world.office).active
    headers = [c.value for c in sheet[excel.HEADER_ROW]]
    assert headers[:10] == [
        "序号",
        "问题",
        "整改责任单位",
        "督导验收单位",
        "整改目标",
        "整改时限",
        "整改措施",
        "进展情况",
        "完成状态",
        "销号时间",
    ]
    rows = list(sheet.iter_rows(min_row=excel.FIRST_ROW, values_only=True))
    lines = Assignment.objects.lines().filter(task__plan=plan)
    assert len(rows) == lines.count()
    huyi = next(r for r in rows if r[2] == "鄠邑区政府、鄠邑区委")
    assert huyi[0] == "六" and "西安市住房和城乡建设局" in huyi[3]
    assert "保洁人员" in huyi[6] and "水泥制品厂" not in huyi[6]  # only 鄠邑区's measures
    assert huyi[8] == "未启动"


def test_a_unit_exports_only_its_own_rows(client, world, plan):
    rows = list(
        _export(client, world.huyi).active.iter_rows(min_row=excel.FIRST_ROW, values_only=True)
    )
    assert [r[2] for r in rows] == ["鄠邑区政府、鄠邑区委"]


def test_five_filled_rows_with_one_invalid_apply_nothing_then_all_five(client, world, plan):
    book = _export(client, world.office)
    sheet = book.active
    assert sheet["B2"].value == "2024-04"
    data_rows = list(range(excel.FIRST_ROW, sheet.max_row + 1))
    filled = data_rows[:5]
    for n, row in enumerate(filled):
        sheet.cell(row, 8, f"四月进展 {n}")
        sheet.cell(row, 13, "照片在网页补传")
        sheet.cell(row, 11, 20 + n)
    bad = filled[3]
    sheet.cell(bad, 11, "一半")  # not a number
    result = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.office
    )
    assert result.applied == 0
    assert [number for number, _ in result.errors] == [bad]
    assert "不是数字" in result.errors[0][1]
    assert not ProgressReport.objects.exists()

    sheet.cell(bad, 11, 50)
    result = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.office
    )
    assert result.errors == [] and result.applied == 5
    reports = ProgressReport.objects.order_by("id")
    assert reports.count() == 5 and {r.period for r in reports} == {dt.date(2024, 4, 1)}
    assert {r.source for r in reports} == {"excel"}
    assert sorted(r.percent for r in reports) == [20, 21, 22, 24, 50]

    # Importing the same workbook again changes nothing (rows equal the latest reports).
    again = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.office
    )
    assert (again.applied, again.unchanged, again.errors) == (0, 5, [])


def test_rows_of_other_units_and_unknown_ids_are_named(client, world, plan):
    book = _export(client, world.office)
    sheet = book.active
    rows = {sheet.cell(r, 3).value: r for r in range(excel.FIRST_ROW, sheet.max_row + 1)}
    sheet.cell(rows["鄠邑区政府、鄠邑区委"], 8, "鄠邑进展")
    sheet.cell(rows["鄠邑区政府、鄠邑区委"], 13, "照片在网页补传")
    sheet.cell(rows["临潼区政府、临潼区委"], 8, "冒名填报临潼")
    sheet.cell(rows["临潼区政府、临潼区委"], 13, "照片在网页补传")
    typo = excel.FIRST_ROW + 2
    sheet.cell(typo, 8, "编号被改坏")
    sheet.cell(typo, 13, "照片在网页补传")
    sheet.cell(typo, 12, "L99999")
    result = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.huyi
    )
    assert result.applied == 0
    named = dict(result.errors)
    assert rows["临潼区政府、临潼区委"] in named and typo in named
    assert "无权填报" in named[typo]


def test_a_file_that_is_not_the_ledger_workbook_is_refused(world, plan):
    result = import_progress_workbook(
        b"not a workbook", period=dt.date(2024, 4, 1), acting_user=world.office
    )
    assert result.applied == 0 and "无法读取" in result.errors[0][1]


def test_the_import_page_reports_row_errors(client, world, plan):
    book = _export(client, world.office)
    book.active.cell(excel.FIRST_ROW, 8, "进展")
    book.active.cell(excel.FIRST_ROW, 13, "照片在网页补传")
    book.active.cell(excel.FIRST_ROW, 11, 150)
    upload = SimpleUploadedFile("台账.xlsx", _save(book))
    response = client.post(reverse("ledger-import"), {"workbook": upload})
    body = response.content.decode()
    assert f"第 {excel.FIRST_ROW} 行" in body and "0–100" in body
    assert not ProgressReport.objects.exists()


def _close_with_report(line, user):
    from ledger.choices import Status
    from ledger.services import submit_report

    submit_report(
        line,
        period=dt.date(2024, 3, 1),
        narrative="三月已完成整改",
        percent=100,
        acting_user=user,
        no_evidence_reason="无佐证（测试）",
    )
    Assignment.objects.filter(pk=line.pk).update(
        status=Status.CLOSED, closed_on=dt.date(2024, 4, 2)
    )


def test_the_exported_workbook_imported_unchanged_registers_nothing_and_is_no_error(
    client, world, plan, huyi_line, fume_line
):
    """Issue 10 reproduction 2: a closed item's row (with its last report) used to be refused
    with "第5行 该事项已销号，不能再报送进展" and nothing imported."""
    _close_with_report(huyi_line, world.office)
    import_progress = ProgressReport.objects.count()
    book = _export(client, world.office)
    rows = book.active.max_row - excel.FIRST_ROW + 1
    result = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.office
    )
    assert (result.applied, result.errors, result.unchanged) == (0, [], rows)
    assert ProgressReport.objects.count() == import_progress

    upload = SimpleUploadedFile("台账.xlsx", _save(book))
    body = client.post(reverse("ledger-import"), {"workbook": upload}).content.decode()
    assert f"{rows} 行未变更，0 条进展已登记，0 行有错误" in body


def test_a_changed_row_on_a_closed_item_is_an_error_naming_the_row(client, world, plan, huyi_line):
    _close_with_report(huyi_line, world.office)
    book = _export(client, world.office)
    sheet = book.active
    row = next(
        r
        for r in range(excel.FIRST_ROW, sheet.max_row + 1)
        if sheet.cell(r, 12).value == excel.line_code(huyi_line.pk)
    )
    sheet.cell(row, 8, "销号后又改了进展")
    sheet.cell(row, 13, "照片在网页补传")
    other = next(r for r in range(excel.FIRST_ROW, sheet.max_row + 1) if r != row)
    sheet.cell(other, 8, "另一行正常进展")
    sheet.cell(other, 13, "照片在网页补传")
    result = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.office
    )
    assert result.applied == 0
    assert [n for n, _ in result.errors] == [row] and "已销号" in result.errors[0][1]
    assert result.unchanged == sheet.max_row - excel.FIRST_ROW - 1


def test_only_changed_rows_become_reports_and_twice_creates_nothing_new(
    client, world, plan, huyi_line
):
    from ledger.services import submit_report

    submit_report(
        huyi_line,
        period=dt.date(2024, 3, 1),
        narrative="三月进展",
        percent=30,
        acting_user=world.huyi,
        no_evidence_reason="无佐证（测试）",
    )
    book = _export(client, world.huyi)
    sheet = book.active
    assert sheet.cell(excel.FIRST_ROW, 8).value == "三月进展"
    sheet.cell(excel.FIRST_ROW, 8, "四月进展：\r\n完成保洁人员配备  ")
    sheet.cell(excel.FIRST_ROW, 13, "照片在网页补传")
    sheet.cell(excel.FIRST_ROW, 11, 45)
    first = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.huyi
    )
    assert (first.applied, first.errors) == (1, [])
    report = ProgressReport.objects.get(is_current=True, period=dt.date(2024, 4, 1))
    assert report.percent == 45 and report.source == "excel"
    second = import_progress_workbook(
        _save(book), period=dt.date(2024, 4, 1), acting_user=world.huyi
    )
    assert (second.applied, second.unchanged, second.errors) == (0, 1, [])
    assert ProgressReport.objects.count() == 2


def test_a_read_only_role_is_not_offered_the_import(client, world, plan):
    client.force_login(world.leader)
    assert client.get(reverse("ledger-import")).status_code == 403
    page = client.get(reverse("ledger-task-list")).content.decode()
    assert reverse("ledger-import") not in page
    client.force_login(world.huyi)
    assert reverse("ledger-import") in client.get(reverse("ledger-task-list")).content.decode()
    assert client.get(reverse("ledger-import")).status_code == 200
