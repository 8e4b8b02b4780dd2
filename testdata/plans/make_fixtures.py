"""Regenerate the committed fixtures of testdata/plans/ (run by hand, not by the tests).

    .venv/bin/pip install fpdf2   # only for this script; the tests read the committed PDF
    .venv/bin/python testdata/plans/make_fixtures.py

``task_table.docx``: a task list laid out as a Word table (序号 | 问题 | 整改责任单位 | 督导验收单位
| 整改目标 | 整改时限 | 整改措施), text written for the tests (not from a real plan).
``task_table.pdf``: the same table printed to PDF with a text layer (fpdf2 + WenQuanYi Micro Hei
from the Debian package fonts-wqy-microhei: TrueType outlines, so pdfminer reads the text).
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
TITLE = "宝鸡市大气污染防治督导反馈问题整改任务清单"
INTRO = (
    "2024年3月1日至3月20日，市大气污染防治督导组对各县区开展了督导，"
    "现将反馈问题整改任务清单印发如下。"
)
HEADER = ["序号", "问题", "整改责任单位", "督导验收单位", "整改目标", "整改时限", "整改措施"]
ROWS = [
    [
        "1",
        "渭滨区部分建筑工地扬尘防控措施落实不到位，裸露黄土未覆盖。",
        "渭滨区委、区政府",
        "市住建局（牵头）、市生态环境局",
        "建筑工地扬尘防控要求全面落实。",
        "2024年6月底",
        "（一）全面排查在建工地，建立问题清单。\n（二）2024年3月底前完成全部裸露黄土覆盖。",
    ],
    [
        "2",
        "全市 56 家砖瓦企业中仅 12 家完成深度治理。",
        "市工信局（牵头）、市生态环境局，各县区政府",
        "市工信局",
        "砖瓦企业深度治理完成率达到100%。",
        "立行立改、长期坚持",
        "（一）制定砖瓦行业深度治理方案。\n（二）每月通报治理进展。",
    ],
    [
        "3",
        "餐饮油烟在线监控覆盖率低。",
        "市城管局",
        "市城管局、市市场监管局按职责分工分别验收",
        "重点区域餐饮单位油烟在线监控安装率不低于90%。",
        "2024 年 12 月底",
        "（一）2024年9月底前完成重点区域内150家餐饮单位油烟在线监测设施安装。",
    ],
]


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(INTRO)
    table = document.add_table(rows=1, cols=len(HEADER))
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for row in ROWS:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.save(path)


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("cjk", "", FONT, collection_font_number=0)
    pdf.set_font("cjk", size=9)
    pdf.add_page()
    pdf.multi_cell(0, 8, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, INTRO, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    widths = (12, 55, 40, 40, 40, 25, 65)
    with pdf.table(col_widths=widths, first_row_as_headings=False, line_height=5) as table:
        for row in [HEADER, *ROWS]:
            cells = table.row()
            for text in row:
                cells.cell(text)
    pdf.output(str(path))


if __name__ == "__main__":
    make_docx(HERE / "task_table.docx")
    make_pdf(HERE / "task_table.pdf")
