"""Regenerate the .docx/.pdf fixtures of testdata/plans/real/ (run by hand, not by the tests).

    .venv/bin/pip install fpdf2   # only for this script; the tests read the committed files
    .venv/bin/python testdata/plans/real/make_real_fixtures.py

The texts are excerpts of real public plans (sources in README.md); what this script adds is
the container: the documents were published as PDF tables, so the .docx rebuild each table with
the layout the source shows (column names and order, section rows spanning the table,
vertically merged problem cells, header cells wrapped onto two lines, unit lists typed one
unit per line inside a cell). ``chaozhou_2019_blue_sky.pdf`` prints the Chaozhou text the way
government PDFs are set: first-line indent, hard-wrapped lines, some of which end in 。 in the
middle of a paragraph.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# --- 北京市 大气污染防治2021年行动计划, 附件1 (a work plan laid out as a table) -------------------
BEIJING_HEADER = ["序号", "重点任务", "工作措施", "牵头部门", "主责单位", "协办单位", "完成\n时限"]
BEIJING_ROWS = [
    ("一", "空气质量目标"),
    [
        "1",
        "目标任务",
        "在完成国家目标任务基础上，全市及各区尽最大努力巩固改善空气质量，"
        "细颗粒物（PM2.5）浓度、重污染天数力争继续下降。",
        "市生态环境局",
        "各区政府（含北京经济技术开发区管委会）",
        "市交通委、\n市城市管理委、\n市经济和信息化局、\n市住房城乡建设委等部门",
        "年底前",
    ],
    ("二", "实施挥发性有机物（VOCs）专项治理行动"),
    [
        "2",
        "完善VOCs环境监测网络",
        "完善覆盖街道（乡镇）、主要工业园区等VOCs高密度监测网；研究利用大数据分析、"
        "卫星遥感监测等技术手段，探索建设VOCs热点网格系统，有效识别VOCs高值区。",
        "市生态环境局",
        "各区政府（含北京经济技术开发区管委会）",
        "市经济和信息化局",
        "年底前",
    ],
]

# --- 吉安市 全市交通运输行业问题整改责任清单, 附件1 (rectification list, one row per measure) ----
JIAN_HEADER = ["反馈问题", "整改措施", "整改期限", "责任单位", "备注"]
JIAN_P1 = (
    "吉安市涉及中央环保督察整改问题有 9 项,其中 1项未达到时间进度要求 "
    "(大气污染控制目标未达时间进度要求)"
)
JIAN_P2 = (
    "2016 年吉安市环境空气优良天数为 325 天,比2015 年、2014 年、2013 年分别减少了 19、37、39 天。"
    "2017 年 1-8 月污染天数达 42 天,已超过 2016 年全年污染天数。2016年吉安市 PM10浓度年均值为 "
    "66微克/立方米,比2015 年(58 微克 /立方米)上升了13.8%。2017 年 1-8 月吉安市 PM10浓度均值上升为"
    "70 微克 /立方米,高于 2017 年PM10 目标值 7.5微克/立方米"
)
JIAN_ROWS = [
    (
        JIAN_P1,
        [
            (
                "1.大力实施公交优先发展战略,不断提升城市公共交通服务能力和公交出行分担能力",
                "长期坚持",
                "市运管处、各县(市、区)交通运输局",
            ),
        ],
    ),
    (
        JIAN_P2,
        [
            ("1.治理农村公路建设工地场尘", "长期坚持", "市质监站、各县(市、区)交通运输局"),
            ("2.治理管养的农村公路场尘", "长期坚持", "市公路处、各县(市、区)交通运输局"),
            ("3.治理道路运输站场建设工地场尘", "长期坚持", "市运管处、各县(市、区)交通运输局"),
            ("4.治理港口码头建设工地场尘", "长期坚持", "市港航处、各县(市、区)交通运输局"),
            ("5.改善老旧码头(不含砂石码头)排污装置设施", "2020 年 12 月", "市港航处"),
        ],
    ),
]


def _set(cell, text: str) -> None:
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def make_beijing(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("附件1")
    document.add_paragraph("大气污染防治2021年行动计划")
    table = document.add_table(rows=1, cols=len(BEIJING_HEADER))
    for cell, text in zip(table.rows[0].cells, BEIJING_HEADER, strict=True):
        _set(cell, text)
    for row in BEIJING_ROWS:
        cells = table.add_row().cells
        if isinstance(row, tuple):  # a section row: number, then one cell across the table
            _set(cells[0], row[0])
            merged = cells[1].merge(cells[-1])
            _set(merged, row[1])
            continue
        for cell, text in zip(cells, row, strict=True):
            _set(cell, text)
    document.save(path)


def make_jian(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("附件 1")
    document.add_paragraph("全市交通运输行业问题整改责任清单")
    table = document.add_table(rows=1, cols=len(JIAN_HEADER))
    for cell, text in zip(table.rows[0].cells, JIAN_HEADER, strict=True):
        _set(cell, text)
    for problem, measures in JIAN_ROWS:
        first = len(table.rows)
        for measure, deadline, units in measures:
            cells = table.add_row().cells
            _set(cells[1], measure)
            _set(cells[2], deadline)
            _set(cells[3], units)
        top = table.rows[first].cells[0]
        merged = top.merge(table.rows[len(table.rows) - 1].cells[0]) if len(measures) > 1 else top
        _set(merged, problem)
    document.save(path)


def _wrap(pdf, text: str, width: float, indent: str) -> list[str]:
    """Set ``text`` into lines of at most ``width`` mm, as a typesetter would."""
    lines, line = [], indent
    for char in text:
        if line and pdf.get_string_width(line + char) > width:
            lines.append(line)
            line = ""
        line += char
    if line:
        lines.append(line)
    return lines


def make_chaozhou_pdf(path: Path, width: float = 134) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("cjk", "", FONT, collection_font_number=0)
    pdf.set_font("cjk", size=11)
    pdf.set_auto_page_break(True, margin=20)
    paragraphs = (HERE / "chaozhou_2019_blue_sky.txt").read_text(encoding="utf-8").splitlines()
    lines: list[tuple[str, bool]] = []
    inner_stops = 0
    for number, paragraph in enumerate(p for p in paragraphs if p.strip()):
        if number == 1:  # the title, centred
            lines.append((paragraph, True))
            continue
        wrapped = _wrap(pdf, paragraph, width, "\u3000\u3000")
        inner_stops += sum(1 for line in wrapped[:-1] if line.endswith("。"))
        lines.extend((line, False) for line in wrapped)
    assert inner_stops, "no line ends in 。 in the middle of a paragraph: choose another width"
    pdf.add_page()
    for line, centred in lines:
        pdf.cell(0, 7, line, align="C" if centred else "L", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


if __name__ == "__main__":
    make_beijing(HERE / "beijing_2021_action_plan_table.docx")
    make_jian(HERE / "jian_transport_rectification_table.docx")
    make_chaozhou_pdf(HERE / "chaozhou_2019_blue_sky.pdf")
