"""A Word task table whose 督导验收单位 repeats 整改责任单位 word for word (issue 14, item 2):
both columns are read; only cells Word actually merged are taken once."""

from __future__ import annotations

import io

import docx

from plans.extract import parse_file

HEADER = ["序号", "问题", "整改责任单位", "督导验收单位", "整改时限", "整改措施"]
ROWS = [
    [
        "1",
        "工业企业无组织排放问题突出。",
        "市发改委（牵头）、市工信局",
        "市发改委（牵头）、市工信局",
        "2024年6月底",
        "开展排查。",
    ],
    ["2", "施工扬尘管控不到位。", "市住建局", "市住建局", "立行立改", "加强巡查。"],
]


def _docx(rows, merge_title=True) -> bytes:
    document = docx.Document()
    document.add_paragraph("某市大气污染防治问题整改任务清单")
    table = document.add_table(rows=len(rows) + 2, cols=len(HEADER))
    if merge_title:  # a title row merged across the table: one cell, taken once
        merged = table.cell(0, 0).merge(table.cell(0, len(HEADER) - 1))
        merged.text = "整改任务清单"
    for k, name in enumerate(HEADER):
        table.cell(1, k).text = name
    for r, row in enumerate(rows, start=2):
        for k, value in enumerate(row):
            table.cell(r, k).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_acceptance_units_equal_to_the_responsible_units_are_kept():
    out = parse_file(_docx(ROWS), filename="清单.docx")
    first, second = out["items"]
    assert first["responsible"] == ["市发改委", "市工信局"] and first["lead"] == ["市发改委"]
    assert first["acceptance"] == ["市发改委", "市工信局"]
    assert first["acceptance_lead"] == ["市发改委"]
    assert second["acceptance"] == ["市住建局"]
    roles = {u["name"]: u["roles"] for u in first["units"]}
    assert "acceptance" in roles["市工信局"] and "responsible" in roles["市工信局"]


def test_a_merged_title_row_is_read_once():
    out = parse_file(_docx(ROWS), filename="清单.docx")
    assert [i["no"] for i in out["items"]] == [1, 2]
    assert out["items"][1]["immediate"] is True
