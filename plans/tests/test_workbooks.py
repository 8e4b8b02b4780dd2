"""Excel task lists (issue 14, item 3): the header found wherever it is, two-row headers,
merged cells, several sheets, the ledger's own export read back; bad workbooks refused."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from plans.extract import ExtractError, parse_file

CORPUS = Path(__file__).resolve().parents[2] / "testdata" / "plans" / "corpus"


def _book(build) -> bytes:
    book = Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_two_row_header_under_a_title_with_merged_sections():
    out = parse_file(CORPUS / "beijing_2021_action_plan_table.xlsx")
    assert [i["no"] for i in out["items"]] == [1, 2]
    first = out["items"][0]
    assert first["title"] == "目标任务" and first["lead"] == ["市生态环境局"]
    assert first["deadline"] == "2021-12-31"  # 完成 / 时限 over two rows, 年底前 in 2021
    assert first["participants"] == [
        "市交通委",
        "市城市管理委",
        "市经济和信息化局",
        "市住房城乡建设委",
    ]
    assert first["section"] == "空气质量目标"
    assert out["title"] == "大气污染防治2021年行动计划"


def _task_sheet(sheet, start_row: int, rows):
    for column, name in enumerate(("序号", "问题", "整改责任单位", "整改时限", "整改措施"), 1):
        sheet.cell(start_row, column, name)
    for r, row in enumerate(rows, start=start_row + 1):
        for column, value in enumerate(row, start=1):
            sheet.cell(r, column, value)


def test_the_header_is_found_below_notes_and_sheets_continue_the_numbering():
    def build(book):
        first = book.active
        first.title = "市级"
        first["A1"] = "某市大气污染防治问题整改清单"
        first["A2"] = "填报说明：每月底前更新进展。"
        _task_sheet(
            first, 5, [[1, "燃煤锅炉淘汰滞后。", "市发改委", dt.date(2024, 6, 30), "完成淘汰。"]]
        )
        second = book.create_sheet("区县")
        _task_sheet(second, 1, [[1, "道路扬尘反弹。", "各区政府", "立行立改", "增加洒水频次。"]])
        book.create_sheet("空表")
        hidden = book.create_sheet("旧版")
        hidden.sheet_state = "hidden"
        _task_sheet(hidden, 1, [[1, "不应读取。", "某局", "立行立改", "无"]])

    out = parse_file(_book(build), filename="清单.xlsx")
    assert [(i["no"], i["title"]) for i in out["items"]] == [
        (1, "燃煤锅炉淘汰滞后"),
        (2, "道路扬尘反弹"),
    ]
    assert out["items"][0]["deadline"] == "2024-06-30"  # a date cell
    assert out["items"][1]["immediate"] is True
    assert out["title"] == "某市大气污染防治问题整改清单"


def test_a_problem_merged_down_over_its_measures():
    def build(book):
        sheet = book.active
        _task_sheet(
            sheet,
            1,
            [
                [1, "工地扬尘管控不到位。", "市住建局", "2024年9月底", "全面排查在建工地。"],
                [None, None, "各区政府", "2024年12月底", "落实六个百分百。"],
            ],
        )
        sheet.merge_cells("A2:A3")
        sheet.merge_cells("B2:B3")

    (item,) = parse_file(_book(build), filename="a.xlsx")["items"]
    assert item["responsible"] == ["市住建局", "各区政府"]
    assert [m["text"] for m in item["measures"]] == ["全面排查在建工地。", "落实六个百分百。"]
    assert item["deadline"] == "2024-12-31"


def test_old_excel_and_broken_workbooks_get_one_clear_line(tmp_path):
    with pytest.raises(ExtractError, match=r"\.xls.*\.xlsx"):
        parse_file(b"\xd0\xcf\x11\xe0" + b"\x00" * 600, filename="a.xls")
    with pytest.raises(ExtractError, match="Excel"):
        parse_file(b"PK\x03\x04broken", filename="a.xlsx")


def test_a_decompression_bomb_is_refused_before_it_is_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (60 * 1024 * 1024) + b"</a>")
    with pytest.raises(ExtractError, match="压缩炸弹"):
        parse_file(buffer.getvalue(), filename="bomb.xlsx")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers(), st.dates()), max_size=6),
        max_size=8,
    )
)
def test_any_workbook_gives_a_plan_or_one_clear_error(rows):
    def build(book):
        sheet = book.active
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                try:
                    sheet.cell(r, c, value)
                except (ValueError, IllegalCharacterError):  # characters openpyxl refuses
                    pass

    try:
        parse_file(_book(build), filename="x.xlsx")
    except ExtractError as exc:
        assert "\n" not in str(exc)
