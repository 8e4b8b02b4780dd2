"""Regenerate the .xlsx workbooks and scanned PDFs of the corpus (run by hand; tests read the
committed files).

    .venv/bin/python testdata/plans/corpus/make_containers.py

The texts are those of real published documents (sources in README.md); what this script
adds is the container an office receives them in:

* ``beijing_2021_action_plan_table.xlsx`` — 北京市大气污染防治2021年行动计划 附件1 as a
  workbook: a 说明 sheet first, then the table under a title row merged across it, the header
  over two rows (a group ``责任单位`` over 牵头部门 | 主责单位 | 协办单位, ``完成`` / ``时限``,
  序号 merged down), section rows merged across.
* ``jianli_2018_air_duty_list.xlsx`` — 监利县2018年环境空气质量综合整治方案职责清单, its
  cells rebuilt from the forum copy (the copy runs the cells together; a cell wrapped inside a
  unit name, ``县交通 运输局``, is one cell): title rows, the header on row 3.
* ``*_scan.pdf`` — a text printed on A4 and kept only as an image (no text layer), as a
  scanner gives it: read by OCR.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"

BEIJING = [
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

JIANLI = [
    [
        "负责全县环境空气质量达标整治工作的舆论宣传,利用电台、电视、门户网站等媒体,"
        "开展全县环境空气质量达标整治工作的专题宣传和跟踪报道,对大气污染问题和违法排污企业进行公开曝光.",
        "县委宣传部",
        "",
        "持续开展",
    ],
    ["负责大气污染综合治理工作任务的督导和检查考核工作.", "县委县政府督查室", "", "持续开展"],
    [
        "负责制定监利县城区扬尘污染整治百日攻坚工作方案,督促拆迁项目单位落实扬尘污染防治工作.",
        "县五城办",
        "",
        "7月底前制定扬尘治理方案",
    ],
    [
        "在主要交通路口划定大货车禁行区域,设立禁行标志,加强对无蓬盖运输砂石、渣土、散装物料等货运车辆"
        "及大货车违反禁行标志行驶的查处.加大对高污染(冒黑烟)机动车辆的查处力度,禁止高污染(冒黑烟)车辆、"
        "报废和拼装车辆上路行驶.",
        "县公安局",
        "",
        "持续开展",
    ],
    [
        "负责抓好砂石场的扬尘污染防治、交通建设项目(道路工程等施工工地)和道路运输扬尘的污染防治工作,"
        "督导建设单位落实各项治理措施,减少扬尘污染,加快推广新能源汽车.",
        "县交通运输局",
        "",
        "12月底前完成新能源汽车更换",
    ],
]


def make_beijing(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    note = book.active
    note.title = "说明"
    note["A1"] = "本工作簿为《大气污染防治2021年行动计划》附件1，各单位按职责分工落实。"
    sheet = book.create_sheet("附件1")
    width = 7
    sheet.cell(1, 1, "大气污染防治2021年行动计划")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for column, name in ((1, "序号"), (2, "重点任务"), (3, "工作措施")):
        sheet.cell(2, column, name)
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    sheet.cell(2, 4, "责任单位")
    sheet.merge_cells(start_row=2, start_column=4, end_row=2, end_column=6)
    for column, name in ((4, "牵头部门"), (5, "主责单位"), (6, "协办单位")):
        sheet.cell(3, column, name)
    sheet.cell(2, 7, "完成")
    sheet.cell(3, 7, "时限")
    row = 4
    for entry in BEIJING:
        if isinstance(entry, tuple):
            sheet.cell(row, 1, entry[0])
            sheet.cell(row, 2, entry[1])
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        else:
            for column, value in enumerate(entry, start=1):
                sheet.cell(row, column, int(value) if value.isdigit() else value)
        row += 1
    book.save(path)


def make_jianli(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "职责清单"
    sheet["A1"] = "附件"
    sheet["A2"] = "监利县2018年环境空气质量综合整治方案职责清单"
    sheet.merge_cells("A2:D2")
    for column, name in enumerate(("工作任务和内容", "责任单位", "配合单位", "完成时间"), start=1):
        sheet.cell(3, column, name)
    for r, entry in enumerate(JIANLI, start=4):
        for column, value in enumerate(entry, start=1):
            sheet.cell(r, column, value or None)
    book.save(path)


def make_scan(text_path: Path, pdf_path: Path) -> None:
    """Print a text on A4 pages in 12 pt type, scanned at 250 dpi, and keep only the images."""
    from PIL import Image, ImageDraw, ImageFont

    size = 42
    font = ImageFont.truetype(FONT, size)
    page_w, page_h, margin, line_h = 2067, 2923, 200, 66
    chars_per_line = (page_w - 2 * margin) // size
    lines: list[str] = []
    for paragraph in text_path.read_text(encoding="utf-8").splitlines():
        paragraph = paragraph.strip()
        while len(paragraph) > chars_per_line:
            lines.append(paragraph[:chars_per_line])
            paragraph = paragraph[chars_per_line:]
        lines.append(paragraph)
    per_page = (page_h - 2 * margin) // line_h
    pages = []
    for start in range(0, len(lines), per_page):
        image = Image.new("L", (page_w, page_h), 255)
        draw = ImageDraw.Draw(image)
        for k, line in enumerate(lines[start : start + per_page]):
            draw.text((margin, margin + k * line_h), line, font=font, fill=0)
        pages.append(image)
    pages[0].save(pdf_path, "PDF", resolution=250, save_all=True, append_images=pages[1:])


if __name__ == "__main__":
    make_beijing(HERE / "beijing_2021_action_plan_table.xlsx")
    make_jianli(HERE / "jianli_2018_air_duty_list.xlsx")
    make_scan(
        HERE / "xuancheng_xuanzhou_2024_oil_fume_notice.txt",
        HERE / "xuancheng_xuanzhou_2024_oil_fume_notice_scan.pdf",
    )
    make_scan(
        HERE / "changde_wuling_2019_fume_notice_mirror.txt",
        HERE / "changde_wuling_2019_fume_notice_scan.pdf",
    )
    make_scan(  # held out: scored, never tuned on
        HERE / "suzhou_suma_2025_dust_notice.txt",
        HERE / "suzhou_suma_2025_dust_notice_scan.pdf",
    )
