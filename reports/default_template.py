"""Builds the shipped Word template (``reports/data/default_template.docx``) with python-docx.

The file is committed; run ``python -m reports.default_template`` after changing this module
(a test checks the committed file matches). It follows the layout of a bureau's 调度通报: red
masthead with the issue number, the issuing office and date over a red rule, a title, numbered
sections with tables and charts, and the distribution line at the end. Placeholders are docxtpl
(Jinja) tags; ``{%tr … %}`` rows repeat a table row per item.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports import ooxml

RED = RGBColor(0xD0, 0x10, 0x10)
BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "宋体"
OUT = Path(__file__).parent / "data" / "default_template.docx"


def _fonts(run, name: str) -> None:
    run.font.name = name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _para(doc, text="", *, size=14, bold=False, color=None, font=BODY_FONT, align=None,
          indent=True, space_after=0, line=None):  # fmt: skip
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if line:
        fmt.line_spacing = Pt(line)
    if indent and align is None:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        if color is not None:
            run.font.color.rgb = color
        _fonts(run, font)
    return p


def _rule(paragraph, colour="D01010", size=18, where="bottom") -> None:
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{where}")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"),
                       ("w:color", colour)):  # fmt: skip
        edge.set(qn(key), value)
    borders.append(edge)
    paragraph._p.get_or_add_pPr().append(borders)


def _heading(doc, text):
    _para(doc, text, size=16, font=HEADING_FONT, space_after=3, line=28)


def _sub(doc, text):
    _para(doc, text, size=15, font="楷体", space_after=2, line=28)


def _body(doc, text):
    _para(doc, text, size=15, line=28)


def _cell(cell, text, *, size=9, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER):
    cell.text = ""
    p = cell.paragraphs[0]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold
    _fonts(run, BODY_FONT if not bold else HEADING_FONT)


def _repeat_header(row) -> None:
    trPr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trPr.append(header)


def _table(doc, headers, fields, loop, *, widths=None, size=9, totals=None):
    """A table with a bold header row and one templated row per item of ``loop``
    (``"u in units"``); ``totals`` adds a fixed last row."""
    rows = 4 + (1 if totals else 0)
    table = doc.add_table(rows=rows, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        _cell(table.rows[0].cells[i], text, size=size, bold=True)
    _repeat_header(table.rows[0])
    variable = loop.split(" in ")[0].strip()
    _cell(table.rows[1].cells[0], f"{{%tr for {loop} %}}", size=size)
    for i, field in enumerate(fields):
        align = WD_ALIGN_PARAGRAPH.LEFT if field.endswith(("!",)) else WD_ALIGN_PARAGRAPH.CENTER
        _cell(table.rows[2].cells[i], f"{{{{ {variable}.{field.rstrip('!')} }}}}", size=size,
              align=align)  # fmt: skip
    _cell(table.rows[3].cells[0], "{%tr endfor %}", size=size)
    if totals:
        for i, text in enumerate(totals):
            _cell(table.rows[4].cells[i], text, size=size, bold=i == 0)
    if widths:
        _widths(table, widths)
    _para(doc, "", size=6, indent=False)
    return table


def _widths(table, widths) -> None:
    """Column widths in the grid (what LibreOffice reads) and in every cell (what Word reads)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _chart(doc, key):
    _para(doc, f"{{{{ charts.{key} }}}}", size=10, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _page_number(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in ("— ", None, " —"):
        run = p.add_run(part or "")
        run.font.size = Pt(12)
        _fonts(run, "宋体")
        if part is None:
            for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
                if kind:
                    el = OxmlElement("w:fldChar")
                    el.set(qn("w:fldCharType"), kind)
                else:
                    el = OxmlElement("w:instrText")
                    el.set(qn("xml:space"), "preserve")
                    el.text = text
                run._r.append(el)


def build() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.0)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _page_number(section)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(15)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    # Masthead (红头).
    _para(doc, "{{ header.series_title }}", size=42, bold=True, color=RED, font=TITLE_FONT,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)  # fmt: skip
    _para(doc, "{% if header.draft %}（审核稿）{% endif %}{{ header.number_label }}", size=16,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)  # fmt: skip
    line = _para(doc, "", indent=False, space_after=12)
    line.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    run = line.add_run("{{ header.office }}\t{{ header.date }}")
    run.font.size = Pt(14)
    _fonts(run, BODY_FONT)
    _rule(line)

    _para(doc, "{{ header.title }}", size=20, font=TITLE_FONT, bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12, line=32)  # fmt: skip
    _body(doc, "现将{{ header.period }}{{ header.scope }}大气污染防治工作调度情况通报如下：")

    _heading(doc, "一、总体进展")
    _body(doc, "{{ overall.summary }}")
    _body(
        doc,
        "按办理状态（截至发文日）：{% for s in status_rows %}{{ s.label }}{{ s.n }}项"
        "{% if not loop.last %}，{% endif %}{% endfor %}。",
    )
    table = doc.add_table(rows=5, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(("指标", "本期", "{{ overall.previous }}", "变化")):
        _cell(table.rows[0].cells[i], text, bold=True)
    rows = (
        ("本期验收销号（项）", "overall.closed_in_period", "overall.closed_in_period_before",
         "overall.closed_change"),
        ("逾期未完成（项）", "overall.overdue", "overall.overdue_before", "overall.overdue_change"),
        ("按时报送率", "overall.on_time_rate", "overall.on_time_rate_before",
         "overall.on_time_change"),
        ("累计销号 / 事项总数", "overall.closed", "overall.lines", "overall.completion_rate"),
    )  # fmt: skip
    for r, (label, *fields) in enumerate(rows, start=1):
        _cell(table.rows[r].cells[0], label)
        for c, field in enumerate(fields, start=1):
            _cell(table.rows[r].cells[c], f"{{{{ {field} }}}}")
    _widths(table, [5.0, 3.4, 3.4, 4.2])
    _para(doc, "", size=6, indent=False)
    _chart(doc, "trend")

    _heading(doc, "二、各责任单位推进情况")
    _body(doc, "按台账考核规则（按时报送率、未逾期率、完成率、验收通过率加权）计算得分并排名：")
    _table(
        doc,
        ["排名", "责任单位", "事项", "销号", "逾期", "按时报送率", "得分", "亮灯"],
        ["rank", "unit!", "lines", "closed", "overdue", "on_time_rate", "score", "lamp"],
        "u in units",
        widths=[1.2, 5.0, 1.3, 1.3, 1.3, 2.2, 1.5, 1.4],
    )
    _para(doc, "注：亮灯截至本期末。{{ lamp_legend }}。", size=10, indent=False)
    _chart(doc, "units")

    _heading(doc, "三、红黑榜及逾期事项")
    _sub(doc, "（一）红榜")
    _body(
        doc,
        "{% if top %}本期考核排名靠前的单位：{% for u in top %}{{ u.unit }}（{{ u.score }}分）"
        "{% if not loop.last %}、{% endif %}{% endfor %}。{% else %}本期不设红榜。{% endif %}",
    )
    _sub(doc, "（二）黑榜")
    _body(doc, "{% if bottom %}以下单位考核排名靠后，予以通报：{% else %}本期不设黑榜。{% endif %}")
    _table(
        doc,
        ["排名", "责任单位", "得分", "逾期事项", "按时报送率"],
        ["rank", "unit!", "score", "overdue", "on_time_rate"],
        "u in bottom",
        widths=[1.5, 6.5, 2.0, 2.5, 3.0],
    )
    _sub(doc, "（三）逾期{{ overdue.days }}天以上未完成事项")
    _body(doc, "{{ overdue.summary }}")
    _table(
        doc,
        ["序号", "任务", "责任单位", "整改时限", "逾期天数"],
        ["no", "task!", "unit!", "deadline", "days"],
        "r in overdue.rows",
        widths=[1.2, 7.4, 3.6, 2.4, 1.6],
    )

    _heading(doc, "四、督查督办情况")
    _body(doc, "{{ supervision.summary }}")
    _table(
        doc,
        ["类别", "事项", "对象单位", "下发日期", "办理时限", "状态"],
        ["kind", "title!", "units!", "issued", "due", "state"],
        "r in supervision.rows",
        widths=[1.3, 5.5, 3.8, 2.2, 2.2, 1.4],
    )

    _heading(doc, "五、在线监测情况")
    _body(doc, "{{ monitoring.summary }}")
    _table(
        doc,
        [
            "区县",
            "扬尘报警",
            "油烟报警",
            "按时处置率",
            "立案率",
            "联网率",
            "有效传输率",
            "扬尘开机率",
            "油烟开机率",
        ],  # fmt: skip
        [
            "district",
            "dust_alarms",
            "fume_alarms",
            "on_time_rate",
            "case_rate",
            "online_rate",
            "effective_rate",
            "dust_on_rate",
            "fume_on_rate",
        ],  # fmt: skip
        "r in monitoring.rows",
        totals=[
            "合计",
            "{{ monitoring.total.dust_alarms }}",
            "{{ monitoring.total.fume_alarms }}",
            "{{ monitoring.total.on_time_rate }}",
            "{{ monitoring.total.case_rate }}",
            "{{ monitoring.total.online_rate }}",
            "{{ monitoring.total.effective_rate }}",
            "{{ monitoring.total.dust_on_rate }}",
            "{{ monitoring.total.fume_on_rate }}",
        ],  # fmt: skip
        widths=[2.0, 1.5, 1.5, 1.8, 1.5, 1.5, 1.9, 2.1, 2.1],
    )
    _chart(doc, "alarms")

    _heading(doc, "六、环境空气质量")
    _body(doc, "{{ air.summary }}")
    _table(
        doc,
        [
            "排名",
            "区县",
            "综合指数",
            "PM2.5",
            "PM2.5目标",
            "PM2.5同比",
            "PM10",
            "PM10同比",
            "优良天数比例",
            "优良比例同比",
        ],  # fmt: skip
        [
            "rank",
            "district",
            "composite",
            "pm25",
            "pm25_target",
            "pm25_change",
            "pm10",
            "pm10_change",
            "good_ratio",
            "good_ratio_change",
        ],  # fmt: skip
        "r in air.rows",
        size=8,
        widths=[1.0, 2.0, 1.5, 1.3, 1.5, 1.6, 1.3, 1.6, 1.7, 2.1],
    )
    _para(doc, "注：浓度单位为微克/立方米；同比为与去年同期相比的变化。", size=10, indent=False)
    _chart(doc, "air")
    _sub(doc, "降尘")
    _body(doc, "{{ dust.summary }}")
    _table(
        doc,
        [
            "排名",
            "区县",
            "降尘量（吨/平方公里·月）",
            "对照目标（{{ dust.target }}）",
            "去年同期",
            "同比",
        ],  # fmt: skip
        ["rank", "district", "value", "vs_target", "last_year", "change_year"],
        "r in dust.rows",
        widths=[1.3, 2.8, 4.0, 3.2, 2.3, 2.0],
    )
    _chart(doc, "dust")

    _heading(doc, "七、重污染天气应对")
    _body(doc, "{{ emergency.summary }}")
    _table(
        doc,
        ["检查单位", "抽查天数", "计划家次", "完成家次", "完成率", "发现问题", "未达要求天数"],
        ["unit!", "days", "planned", "done", "completion", "non_compliant", "days_short"],
        "r in emergency.units",
        widths=[4.6, 1.6, 1.8, 1.8, 1.8, 1.8, 2.2],
    )

    _heading(doc, "八、数据核验发现")
    _body(doc, "{{ crosscheck.summary }}")
    _table(
        doc,
        ["类别", "单位", "问题", "核实日期"],
        ["rule", "unit!", "title!", "decided"],
        "r in crosscheck.rows",
        widths=[3.4, 3.4, 7.0, 2.2],
    )

    _heading(doc, "九、下步工作要求")
    _body(doc, "{{ requirements }}")

    _para(doc, "", size=10, indent=False, space_after=24)
    end = _para(doc, "抄送：{{ header.distribution }}", size=14, indent=False)
    _rule(end, colour="000000", size=6, where="top")
    last = _para(doc, "", indent=False)
    last.paragraph_format.tab_stops.add_tab_stop(Cm(15.6), WD_TAB_ALIGNMENT.RIGHT)
    run = last.add_run("{{ header.office }}\t{{ header.date }}印发")
    run.font.size = Pt(14)
    _fonts(run, BODY_FONT)
    _rule(last, colour="000000", size=6)

    doc.core_properties.author = "lantian"
    buffer = io.BytesIO()
    doc.save(buffer)
    return ooxml.normalise(buffer.getvalue(), stamp="2026-01-01T00:00:00Z")


if __name__ == "__main__":
    OUT.write_bytes(build())
    print(f"wrote {OUT}")  # noqa: T201
