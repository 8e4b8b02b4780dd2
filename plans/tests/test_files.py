"""Reading documents: .txt in several encodings, .docx paragraphs and tables, .pdf text layers."""

import io
from pathlib import Path

import docx
import pytest

from conftest import EXAMPLES_DIR
from plans.extract import ExtractError, parse_file
from plans.tests.test_variants import TASK_LIST

TESTDATA = Path(__file__).resolve().parents[2] / "testdata" / "plans"


def _table_summary(out):
    return [
        (
            i["no"],
            i["responsible"],
            i["lead"],
            i["acceptance"],
            i["acceptance_lead"],
            i["deadline"],
            i["immediate"],
            [m["text"] for m in i["measures"]],
        )
        for i in out["items"]
    ]


def test_a_task_list_laid_out_as_a_word_table():
    out = parse_file(TESTDATA / "task_table.docx")
    assert out["kind"] == "task_list"
    assert out["title"] == "宝鸡市大气污染防治督导反馈问题整改任务清单"
    summary = _table_summary(out)
    assert [row[0] for row in summary] == [1, 2, 3]
    assert summary[0][1:6] == (
        ["渭滨区委", "区政府"],
        [],
        ["市住建局", "市生态环境局"],
        ["市住建局"],
        "2024-06-30",
    )
    assert summary[1][2] == ["市工信局"] and summary[1][6] is True
    assert summary[0][7] == [
        "全面排查在建工地，建立问题清单。",
        "2024年3月底前完成全部裸露黄土覆盖。",
    ]
    assert out["items"][2]["measures"][0]["milestones"][0]["date"] == "2024-09-30"
    assert out["items"][2]["targets"][0]["value"] == 90


def test_the_pdf_printed_from_the_table_reads_the_same():
    from_pdf = parse_file(TESTDATA / "task_table.pdf")
    from_docx = parse_file(TESTDATA / "task_table.docx")
    assert _table_summary(from_pdf) == _table_summary(from_docx)
    # a PDF loses the space where a cell wraps; texts are compared without whitespace
    squash = lambda out: ["".join(i["title"].split()) for i in out["items"]]  # noqa: E731
    assert squash(from_pdf) == squash(from_docx)
    assert from_pdf["inspection_period"] == ["2024-03-01", "2024-03-20"]


def test_a_word_table_generated_here_with_merged_problem_cells(tmp_path):
    document = docx.Document()
    document.add_paragraph("渭南市扬尘污染问题整改任务清单")
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(
        table.rows[0].cells, ["序号", "存在问题", "责任单位", "完成时限", "整改措施"], strict=True
    ):
        cell.text = text
    rows = [
        ["1", "临渭区道路扬尘污染突出。", "临渭区政府", "2025年3月底", "（一）增加机扫频次。"],
        ["", "临渭区道路扬尘污染突出。", "", "", "（二）6月底前完成破损路面修复。"],
        [
            "2",
            "华州区工地未落实湿法作业。",
            "华州区政府（牵头）、市住建局",
            "立行立改",
            "加强巡查。",
        ],
    ]
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    path = tmp_path / "清单.docx"
    document.save(path)
    out = parse_file(path)
    one, two = out["items"]
    assert [m["text"] for m in one["measures"]] == ["增加机扫频次。", "6月底前完成破损路面修复。"]
    assert one["deadline"] == "2025-03-31"
    assert one["measures"][1]["milestones"][0]["date"] == "2025-06-30"
    assert two["lead"] == ["华州区政府"] and two["immediate"]


def test_docx_paragraphs_of_a_seed(tmp_path):
    document = docx.Document()
    for line in (
        (EXAMPLES_DIR / "xianyang_2022_blue_sky_plan.txt").read_text(encoding="utf-8").splitlines()
    ):
        document.add_paragraph(line.strip())
    path = tmp_path / "plan.docx"
    document.save(path)
    out = parse_file(path)
    assert out["kind"] == "work_plan" and len(out["items"]) == 45
    assert out["doc_no"] == "咸政办发〔2022〕32号"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_text_encodings(encoding):
    out = parse_file(TASK_LIST.encode(encoding), filename="plan.txt")
    assert [i["no"] for i in out["items"]] == [1, 2, 3]
    assert out["items"][0]["responsible"][0] == "王益区"


def test_file_objects_and_paths_are_accepted(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(TASK_LIST, encoding="gb18030")
    assert len(parse_file(path)["items"]) == 3
    assert len(parse_file(str(path))["items"]) == 3
    assert len(parse_file(io.BytesIO(TASK_LIST.encode()), filename="x.txt")["items"]) == 3


def test_crlf_and_windows_line_ends():
    out = parse_file(TASK_LIST.replace("\n", "\r\n").encode("gb18030"), filename="plan.txt")
    assert len(out["items"]) == 3


def test_a_docx_named_pdf_is_read_by_its_content():
    data = (TESTDATA / "task_table.docx").read_bytes()
    assert len(parse_file(data, filename="renamed.pdf")["items"]) == 3


def test_a_pdf_without_text_layer_is_refused(tmp_path):
    minimal = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF"
    )
    with pytest.raises(ExtractError, match="文字层|PDF"):
        parse_file(minimal, filename="scan.pdf")
