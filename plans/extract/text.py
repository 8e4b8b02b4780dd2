"""Read a document into clean paragraphs.

Inputs: ``.txt`` (UTF-8, UTF-16 with BOM, GB18030), ``.docx`` (paragraphs and tables, in
document order), ``.pdf`` with a text layer, or pasted text. A task list laid out as a table
(序号 | 问题 | 整改责任单位 | … | 整改措施) is turned into the field-labelled text that
plans print when they are not tables, so one parser reads both.

Normalisation keeps the source's wording (texts are quoted verbatim later) but removes what
is not the document: ``[bookmark: …]`` and similar conversion debris, zero-width and control
characters, full-width digits and letters (→ ASCII), Traditional characters (→ Simplified),
and page-break artefacts (a paragraph cut by a page break is joined again, see ``join_lines``).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile

from lantian.lib import safedocs

from .errors import ExtractError
from .fields import LABEL, SINGLE_LINE, field_of, is_place
from .hant import looks_traditional, to_simplified
from .layout import is_stop

MAX_BYTES = 20 * 1024 * 1024
MAX_CHARS = 2_000_000

# --- decoding --------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Bytes of a text file → str; UTF-8 (with or without BOM), UTF-16 with BOM, GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ExtractError("文本编码无法识别（UTF-16 内容损坏）") from exc
    if b"\x00" in data[:4096]:
        raise ExtractError("不是文本文件：内容含二进制数据")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _mostly_text(text):
            return text
    raise ExtractError("文本编码无法识别（既不是 UTF-8 也不是 GB18030），或不是文本文件")


def _mostly_text(text: str) -> bool:
    if not text:
        return True
    sample = text[:20000]
    bad = sum(
        1
        for c in sample
        if (unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") and c not in "\t\n\r\f\v")
        or c == "\ufffd"
    )
    return bad <= max(2, len(sample) // 200)


# --- containers ------------------------------------------------------------------------------

_COLUMN_NAMES = {
    "no": "序号 编号 序 号码",
    "problem": (
        "问题 存在问题 反馈问题 问题清单 问题描述 具体问题 督察反馈问题 主要问题 问题表现 "
        "交办问题基本情况 交办问题 举报事项 信访问题 问题基本情况 "
        "交办问题 突出问题 整改问题 反馈意见 督察反馈意见 问题内容 问题及表现 任务 工作任务 "
        "重点任务 任务名称 主要任务 具体任务 任务内容 重点工作 工作内容 工作事项 事项 项目 "
        "项目名称 重点项目"
    ),
    "整改责任单位": "整改责任单位 整改单位 整改主体 整改实施主体 实施主体 责任主体",
    "责任单位": "责任单位 主责单位 主责部门 责任部门 具体责任单位 落实单位 实施单位 承办单位",
    "牵头单位": "牵头单位 牵头部门 牵头责任单位 牵头",
    "配合单位": "配合单位 配合部门 协办单位 参与单位 协同单位 配合 参与部门",
    "责任领导": "责任领导 牵头领导 分管领导 责任人 牵头市领导 包抓领导",
    "督导验收单位": "督导验收单位 验收单位 督导单位 督办单位 牵头验收单位 验收部门 督导部门",
    "整改目标": "整改目标 目标 工作目标 目标要求 预期目标 整改标准",
    "整改时限": "整改时限 时限 整改期限 时限要求 整改时间 办理时限 办结时限",
    "完成时限": "完成时限 完成时间 完成期限 时间节点 完成时限要求 完成时间节点 计划完成时间",
    "整改措施": "整改措施 工作措施 主要措施 具体措施 措施 整改举措 工作举措 推进措施 具体举措",
    "整改完成情况": (
        "整改情况 完成情况 整改进展 进展情况 整改进度 整改完成情况 整改、处理及问责情况 "
        "处理及整改情况 办理情况 处理情况 整改成效"
    ),
    "所属区域": "所属区域 行政区域 所在区域 问题所在区域 所属区县",
    "污染类型": "污染类型 问题类型",
    "": "备注 说明 是否完成 调查核实情况 是否属实 核查情况",
}
_TASK_COLUMNS = {name: key for key, names in _COLUMN_NAMES.items() for name in names.split()}
_TASK_COLUMNS["序号"] = "no"
_UNIT_COLUMNS = ("整改责任单位", "责任单位", "牵头单位", "配合单位", "督导验收单位")
_TIME_COLUMNS = ("整改时限", "完成时限")


def _column_key(cell: str) -> str | None:
    key = re.sub(r"\s+", "", cell or "")
    key = key.strip("：:")
    key = re.sub(r"[（(][^）)]*[）)]$", "", key)  # 完成时限（年月） → 完成时限
    if key in _TASK_COLUMNS:
        return _TASK_COLUMNS[key]
    # two names joined (工作任务和内容, 整改措施及要求): the column is what its first name says
    first = re.split(r"[和及与、/]", key, maxsplit=1)[0]
    return _TASK_COLUMNS.get(first) if first != key and len(first) >= 2 else None


def _header_row(rows: list[list[str]]) -> int | None:
    """Index of the header row among the first rows (a table may open with a title row)."""
    for index, row in enumerate(rows[:3]):
        keys = [_column_key(c) for c in row]
        known = [k for k in keys if k is not None]
        if len(known) >= 3 and ("problem" in keys or "整改措施" in keys):
            return index
    return None


_SECTION_CELL = re.compile(
    r"^(?:[一二三四五六七八九十]+|[（(][一二三四五六七八九十]+[）)])[、.．]?$"
)


def _section_of(row: list[str], header: list[str | None]) -> str | None:
    """A section row (``一`` | ``空气质量目标`` across the table) → its heading, else None."""
    cells = [c for c in dict.fromkeys(c.strip() for c in row) if c]
    if not cells or len(cells) > 2:
        return None
    texts = [c for c in cells if not _SECTION_CELL.match(c)]
    if len(texts) != 1 or len(texts[0]) > 40 or re.search(r"[。；;]", texts[0]):
        return None
    filled = [key for key, cell in zip(header, row, strict=False) if cell.strip()]
    if any(key in _UNIT_COLUMNS + _TIME_COLUMNS for key in filled) and len(set(row)) > 2:
        return None
    return re.sub(r"^[一二三四五六七八九十]+[、.．]\s*", "", texts[0])


def table_to_lines(rows: list[list[str]]) -> list[str] | None:
    """A task-list table (header row + one row per task) → field-labelled lines, else None.

    Columns are recognised by name in any order (序号/问题/任务 | 整改责任单位/牵头部门/
    主责单位/协办单位 | 督导验收单位 | 整改目标 | 整改时限/完成时限 | 整改措施/工作措施 …).
    A row spanning the table (``一`` + ``空气质量目标``) is a section. A problem cell merged
    down over several rows gives one task whose measures are the rows; when those rows carry
    their own deadline or units, each measure keeps them
    (``measure（整改时限：…；责任单位：…）``) and the task lists the union of the units.
    """
    rows = [
        [(c or "").strip() for c in row]
        for row in rows
        if row and any((c or "").strip() for c in row)
    ]
    if len(rows) < 2:
        return None
    at = _header_row(rows)
    if at is None:
        return None
    header = [_column_key(c) for c in rows[at]]
    problem_key = "problem" if "problem" in header else "整改措施"
    tasks: list[dict] = []
    for row in rows[at + 1 :]:
        if [_column_key(c) for c in row] == header:
            continue  # the header repeated on a new page
        section = _section_of(row, header)
        if section is not None:
            tasks.append({"section": section})
            continue
        cells: dict[str, str] = {}
        for key, value in zip(header, row, strict=False):
            if key and value and not cells.get(key):
                cells[key] = value
        problem = (cells.get(problem_key) or "").strip()
        last = next((t for t in reversed(tasks) if "problem" in t), None)
        if (not problem or (last and problem == last["problem"])) and last is not None:
            last["rows"].append(cells)  # a merged problem cell: the same task goes on
            continue
        if not problem:
            continue
        tasks.append({"problem": problem, "no": cells.get("no"), "rows": [cells]})
    items = [t for t in tasks if "problem" in t]
    if not items:
        return None
    out: list[str] = []
    count = sections = 0
    for task in tasks:
        if "section" in task:
            sections += 1
            out.append(f"第{_cn_number(sections)}部分 {task['section']}")
            continue
        count += 1
        rows_of_task = task["rows"]
        same_measures = len({r.get("整改措施", "") for r in rows_of_task} - {""}) <= 1
        if same_measures:  # one row per unit (a ledger export): the measures are said once
            task["rows"] = [rows_of_task[0]] + [
                {k: v for k, v in r.items() if k != "整改措施"} for r in rows_of_task[1:]
            ]
        differs = any(
            r.get(k) and r.get(k) != rows_of_task[0].get(k)
            for r in rows_of_task[1:]
            for k in _UNIT_COLUMNS + _TIME_COLUMNS
        )
        per_measure = differs and not same_measures
        union_units = differs
        written = re.sub(r"\s+", "", task["no"] or "")
        number = _cn_number(int(written) if written.isdigit() else count)
        out.append(f"{number}、" + _join_cell(_cell_lines(task["problem"])))
        first = task["rows"][0]
        for key in header:
            if not key or key in ("no", "problem", "整改措施") or key == problem_key:
                continue
            if per_measure and key in _TIME_COLUMNS:
                continue
            if union_units and key in _UNIT_COLUMNS:
                names = []
                for r in task["rows"]:
                    names.extend(n for n in _split_units(r.get(key, "")) if n not in names)
                if names:
                    out.append(f"{key}：" + "、".join(names))
                continue
            if key == "整改完成情况":  # each unit's own account, one after the other
                said = dict.fromkeys(r.get(key, "") for r in task["rows"])
                value = "\n".join(v for v in said if v)
                if value:
                    out.append(f"{key}：")
                    out.extend(_cell_paragraphs(value))
                continue
            value = first.get(key)
            if value:
                joined = _join_units if key in _UNIT_COLUMNS else _join_cell
                out.append(f"{key}：" + joined(_cell_lines(value)))
        if problem_key == "整改措施":
            continue
        measure_lines: list[str] = []
        for r in task["rows"]:
            lines = _cell_paragraphs(r.get("整改措施", ""))
            if per_measure and lines:
                extra = [
                    f"{key}：" + _join_units(_cell_lines(r[key]))
                    for key in header
                    if key in _TIME_COLUMNS + _UNIT_COLUMNS and r.get(key)
                ]
                if extra:
                    ended = "。" if lines[-1].endswith("。") else ""
                    lines[-1] = lines[-1].rstrip("。") + "（" + "；".join(extra) + "）" + ended
            measure_lines.extend(lines)
        if measure_lines:
            out.append("整改措施：")
            out.extend(measure_lines)
    return out if count else None


def _split_units(value: str) -> list[str]:
    return [u for u in re.split(r"[、，,；;]", _join_units(_cell_lines(value))) if u]


def _join_units(lines: list[str]) -> str:
    """Lines of a unit cell → one list: a line that ends a unit name (``市交通委``) and is not
    followed by a separator gets 、; a name wrapped inside (``市生`` / ``态环境局``) is rejoined."""
    out = ""
    for line in lines:
        if (
            out
            and not out.endswith(("、", "，", ",", "；", ";"))
            and _UNIT_END.search(out)
            and not re.match(r"(?:按|分别|负责|牵头|配合|参与|落实|等|[（(])", line)
        ):
            out += "、"
        out += line
    return out


_UNIT_END = re.compile(
    r"(?:局|委|办|府|中心|会|处|站|部门|单位|公司|集团|队|院|所|厅|室|组|部|社|行|馆|台|区|县|市|"
    r"镇|乡|街道|[）)])$"
)


def _cell_paragraphs(value: str) -> list[str]:
    """Lines of a measures cell → paragraphs: a line goes on the one before unless it starts
    with a number or the one before ends a sentence."""
    out: list[str] = []
    for line in _cell_lines(value):
        if (
            out
            and not out[-1].endswith(("。", "；", ";", "！", "？"))
            and not STRUCTURAL.match(line)
        ):
            out[-1] += line
        else:
            out.append(line)
    return [part for paragraph in out for part in inline_numbered(paragraph)]


def inline_numbered(text: str) -> list[str]:
    """``1.排查…；2.2024年6月底前完成…`` written in one cell → one paragraph per number. Only a
    run that starts at 1 and goes up by one after a sentence break is split."""
    first = re.match(r"^[（(]?1\s*[.．、)）]", text)
    if not first:
        return [text]
    parts, start, expected = [], 0, 2
    for match in re.finditer(r"[；;。]\s*[（(]?(\d{1,2})\s*[.．、)）](?!\d(?!\d{3}\s*年))", text):
        if int(match.group(1)) != expected:
            continue
        parts.append(text[start : match.start() + 1])
        start, expected = match.start() + 1, expected + 1
    if not parts:
        return [text]  # one entry: kept as written
    parts.append(text[start:])
    return [p.strip().rstrip("；;") for p in parts if p.strip().rstrip("；;")]


def _join_cell(lines: list[str]) -> str:
    """Lines of a wrapped cell → one text (no space between CJK characters)."""
    out = ""
    for line in lines:
        if out and re.match(r"[A-Za-z0-9]", out[-1]) and re.match(r"[A-Za-z0-9]", line[0]):
            out += " "
        out += line
    return out


def _cell_lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def read_docx(data: bytes) -> list[str]:
    try:
        import docx
        from docx.document import Document as _Document
        from docx.oxml.ns import qn
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - dependency of the project
        raise ExtractError("缺少 python-docx，无法读取 .docx") from exc
    try:
        document: _Document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds
        raise ExtractError(
            f"无法读取 Word 文件（.docx 已损坏或不完整）：{type(exc).__name__}"
        ) from exc
    lines: list[str] = []
    try:
        body = document.element.body
        for child in body.iterchildren():
            if child.tag == qn("w:p"):
                lines.extend(Paragraph(child, document).text.splitlines() or [""])
            elif child.tag == qn("w:tbl"):
                rows = _table_rows(Table(child, document))
                converted = table_to_lines(rows)
                if converted is not None:
                    lines.append("")
                    lines.extend(converted)
                else:
                    for row in rows:
                        lines.append("  ".join(c.strip() for c in row if c.strip()))
    except ExtractError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ExtractError(f"无法读取 Word 文件内容：{type(exc).__name__}") from exc
    return lines


def _table_rows(table) -> list[list[str]]:
    """Cell texts row by row. python-docx repeats a horizontally merged cell in each grid
    column it spans: the repeats (the same cell element) are left empty. Two cells that only
    say the same thing (督导验收单位 equal to 整改责任单位) are both kept."""
    rows = []
    for row in table.rows:
        texts: list[str] = []
        previous = None
        for cell in row.cells:
            texts.append("" if cell._tc is previous else cell.text)
            previous = cell._tc
        rows.append(texts)
    return rows


def read_pdf(data: bytes) -> list[str]:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise ExtractError("缺少 pdfplumber，无法读取 PDF") from exc
    lines: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if not pdf.pages:
                raise ExtractError("PDF 没有页面")
            safedocs.check_pdf_pages(len(pdf.pages))
            pending_table: list[list[str]] = []
            for page in pdf.pages:
                tables = page.find_tables()
                task_tables = []
                for table in tables:
                    rows = table.extract()
                    if pending_table and rows and _column_key((rows[0] or [""])[0]) is None:
                        pending_table.extend(rows)  # a table continued from the last page
                        task_tables.append(table)
                        continue
                    if table_to_lines(rows[:2] + [["x"] * len(rows[0])]) is not None or (
                        rows and sum(1 for c in rows[0] if _column_key(c)) >= 3
                    ):
                        if pending_table:
                            lines.extend(table_to_lines(pending_table) or [])
                        pending_table = list(rows)
                        task_tables.append(table)
                if task_tables:
                    outside = page
                    for table in task_tables:
                        outside = outside.outside_bbox(table.bbox)
                    lines.extend(_page_lines(outside))
                else:
                    if pending_table:
                        lines.extend(table_to_lines(pending_table) or [])
                        pending_table = []
                    lines.extend(_page_lines(page))
            if pending_table:
                lines.extend(table_to_lines(pending_table) or [])
    except (ExtractError, safedocs.UnsafeDocument):
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many kinds
        raise ExtractError(f"无法读取 PDF（文件损坏、加密或不完整）：{type(exc).__name__}") from exc
    if not any(line.strip() for line in lines):
        from .ocr import render_pdf  # a scan: its pages to be read by Tesseract (read_bytes)

        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                return render_pdf(pdf)
        except ExtractError:
            raise
        except Exception as exc:  # noqa: BLE001 - rendering a broken page
            raise ExtractError(f"无法识别扫描件：{type(exc).__name__}") from exc
    return lines


def _recognised(pages) -> list[str]:
    """The reader's child gives the pages of a scan as images: Tesseract reads them here,
    outside the child's time limit, within its own."""
    from . import ocr

    if not isinstance(pages, ocr.PageImages):
        return pages
    lines = ocr.read_pages(pages)
    if not any(line.strip() for line in lines):
        raise ExtractError("没有文字层，文字识别也未识别出文字（图像模糊或不含文字）")
    return lines


def _page_lines(page) -> list[str]:
    """Text lines of a page, with a leading indent where the line starts right of the margin."""
    words = page.extract_text_lines(strip=True, return_chars=True)
    if not words:
        return []
    lefts = sorted(round(w["x0"]) for w in words)
    margin = lefts[len(lefts) // 10] if lefts else 0
    out = []
    for line in words:
        chars = line.get("chars") or []
        size = (chars[0]["x1"] - chars[0]["x0"]) if chars else 10
        indent = line["x0"] - margin >= 1.5 * max(size, 1)
        out.append(("\u3000\u3000" if indent else "") + line["text"])
    return out


def guarded(reader, data: bytes):
    """``reader(data)`` behind the decompression limits, in a memory- and time-limited child
    process (``lantian.lib.safedocs``); going over a limit is an ``ExtractError``."""
    try:
        safedocs.check(data)
        return safedocs.run_limited(reader, data)
    except safedocs.UnsafeDocument as exc:
        raise ExtractError(str(exc)) from None


def read_bytes(data: bytes, filename: str | None = None) -> list[str]:
    """Physical lines of a document given as bytes."""
    if len(data) > MAX_BYTES:
        raise ExtractError(
            f"文件过大（{len(data) / 1024 / 1024:.1f} MB，上限 {MAX_BYTES // 1024 // 1024} MB）"
        )
    if not data.strip():
        raise ExtractError("文件为空")
    name = (filename or "").lower()
    if data.startswith(b"%PDF"):
        return _recognised(guarded(read_pdf, data))
    if data.startswith(b"PK\x03\x04"):
        if name.endswith((".doc", ".wps")):
            raise ExtractError("不支持 .doc/.wps 格式，请另存为 .docx")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            kind = "Excel" if name.endswith(".xlsx") else "Word"
            raise ExtractError(f"{kind} 文件已损坏或不完整（压缩包无法打开）") from exc
        if "xl/workbook.xml" in names:
            from .workbook import read_xlsx

            return guarded(read_xlsx, data)
        if "word/document.xml" not in names:
            raise ExtractError("不是 Word 文档或 Excel 工作簿（压缩包中没有正文）")
        return guarded(read_docx, data)
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        from .ocr import render_image  # a photographed or scanned page

        return _recognised(guarded(render_image, data))
    if name.endswith(".pdf"):
        raise ExtractError("不是有效的 PDF 文件（缺少 %PDF 文件头）")
    if name.endswith(".docx"):
        raise ExtractError("不是有效的 .docx 文件（文件头不是 ZIP）")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if name.endswith((".xls", ".et")):
            raise ExtractError("不支持旧版 Excel 格式（.xls），请另存为 .xlsx")
        raise ExtractError("不支持旧版 Office 格式（.doc/.xls），请另存为 .docx 或 .xlsx")
    return decode_text(data).splitlines()


# --- normalisation ---------------------------------------------------------------------------

_DEBRIS = re.compile(
    r"\[(?:bookmark|BOOKMARK|image|IMAGE|pagebreak|page break|footnote)[^\]]*\]"
    r"|\{\\[a-z]+[^}]*\}"
    r"|<!--.*?-->"
)
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3})$"
)
# zero-width characters go; full-width digits and Latin letters → ASCII (punctuation stays as
# written); no-break and en/em spaces → a space
_NORMALISE = {
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
    **{c: c - 0xFEE0 for r in ("０９", "ＡＺ", "ａｚ") for c in range(ord(r[0]), ord(r[1]) + 1)},
    **dict.fromkeys(map(ord, "\xa0\u2002\u2003"), " "),
}


# reposting sites annotate Traditional characters with their pinyin: 環(huán)境 → 環境
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zü]{0,5}[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]{1,6}\)"
)


# a copy that lost 年 between a year and its month: 20259月底前 → 2025年9月底前
_GLUED_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(1[0-2]|0?[1-9])(?=\s*月)")


def clean_line(line: str) -> str:
    """One physical line without debris; keeps leading indentation as a marker."""
    line = _DEBRIS.sub("", line.translate(_NORMALISE))
    if "月" in line:
        line = _GLUED_YEAR.sub(r"\1年\2", line)
    if "(" in line:
        line = _PINYIN.sub("", line)
    if line.isprintable():  # the usual case: nothing of category C (control, format …) left
        return line
    return "".join(c for c in line if c in "\t" or unicodedata.category(c)[0] != "C")


def prepare(raw_lines: list[str]) -> list[str]:
    """Physical lines → cleaned physical lines (traditional converted, page numbers dropped)."""
    text_sample = "".join(raw_lines[:400])
    convert = looks_traditional(text_sample)
    out = []
    for raw in raw_lines:
        line = clean_line(raw)
        if convert:
            line = to_simplified(line)
        if _PAGE_NUMBER.match(line.strip()):
            continue
        out.append(line.rstrip())
    return out


# A paragraph ends here; the next physical line starts a new one.
_ENDS_PARAGRAPH = tuple("。；：:！？!?;〕")
_CN_NUM = "一二三四五六七八九十百零〇"
STRUCTURAL = re.compile(
    rf"^(?:[（(]\s*[{_CN_NUM}]+\s*[）)]"
    rf"|[{_CN_NUM}]+\s*[、.．]"
    r"|[（(]\s*\d{1,3}\s*[）)]"
    r"|\d{1,3}\s*(?:、|[．.](?!\d))"
    r"|\d{1,3}\s*[．.](?=\d{4}\s*年)"  # 1.2024年6月底前… : a number, then a year
    rf"|(?:反馈问题|问题|整改任务|整改事项|任务|事项)\s*(?:\d{{1,3}}|[{_CN_NUM}]+)\s*[：:、.．]"
    r"|\d{1,3}\s*[)）]"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十\d]+(?:部分|章|节|条|篇|项)"
    r"|附\s*件"
    r")"
)
DISTRICT_HEADER = re.compile(
    r"^[\u4e00-\u9fa5]{1,8}(?:新区|开发区|高新区|经开区|区|县|市|基地|园区|港)\s*[：:]"
)
_HEADING_NOUNS = re.compile(
    r"(?:目标|任务|措施|思想|要求|原则|行动|保障|领导|机制|依据|范围|安排|步骤|分工|重点|内容|"
    r"专项行动|攻坚战|工作|建设|治理|整治|管理|监管|职责|意义|形势)$"
)


def is_heading(text: str) -> bool:
    """A short numbered heading (``一、指导思想``, ``（一）推进…专项行动``) owns no continuation."""
    body = text.strip()
    if not STRUCTURAL.match(body):
        return False
    rest = STRUCTURAL.sub("", body, count=1).strip()
    if re.search(r"[，,、；;。：:！？“”《》]", rest):
        return False
    return len(rest) <= 8 or (len(rest) <= 24 and bool(_HEADING_NOUNS.search(rest)))


def _unbalanced(text: str) -> bool:
    return any(text.count(a) > text.count(b) for a, b in ("《》", "（）", "“”", "〔〕", "()"))


def starts_paragraph(line: str) -> bool:
    stripped = line.strip()
    return bool(
        STRUCTURAL.match(stripped)
        or LABEL.match(stripped)
        or DISTRICT_HEADER.match(stripped)
        or is_stop(stripped)
    )


def _complete_field(paragraph: str) -> bool:
    """A one-line field with its value (``整改期限：立行立改``, ``联系电话：…``): what follows is
    not part of it."""
    match = LABEL.match(paragraph)
    if not match or not paragraph[match.end() :].strip():
        return False
    if paragraph.endswith(("，", ",", "、", "；", ";", "及", "和")) or _unbalanced(paragraph):
        return False  # the list goes on after a line or page break
    field = field_of(match.group())
    return field in SINGLE_LINE or is_place(field)


def join_lines(lines: list[str]) -> list[str]:
    """Physical lines → paragraphs, undoing page breaks and hard wraps.

    A line is appended (nothing inserted) to the paragraph before it when that paragraph does
    not end in ``。；：:！？〕``, the line does not start with a structural marker (``（一）``,
    ``一、``, ``1.``, a field label, a district header ``鄠邑区：``, ``附件``), the paragraph is
    not a short numbered heading, and (in documents that indent paragraphs) the line is not
    indented.
    """
    indented = [line for line in lines if line.strip() and re.match(r"^(?:\s{2,}|\t|\u3000)", line)]
    nonblank = [line for line in lines if line.strip()]
    uses_indent = bool(nonblank) and len(indented) >= 0.3 * len(nonblank)
    full = _full_width(nonblank) if uses_indent else None
    paragraphs: list[str] = []
    previous_line = ""
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if paragraphs:
            prev = paragraphs[-1]
            indent_break = uses_indent and re.match(r"^(?:\s{2,}|\t|\u3000)", line)
            if (
                full
                and not indent_break
                and visual_width(previous_line.rstrip()) >= full
                and not LABEL.match(text)
                and not DISTRICT_HEADER.match(text)
            ):
                # a hard-wrapped line: the line above fills the text width and this one is
                # not indented, so the paragraph goes on (even after a 。 or before "5)")
                paragraphs[-1] = prev + text
                previous_line = line
                continue
            previous_line = line
            if (
                not prev.endswith(_ENDS_PARAGRAPH)
                and not starts_paragraph(text)
                and not _complete_field(prev)
                and not indent_break
                and (not is_heading(prev) or _unbalanced(prev))
            ):
                paragraphs[-1] = prev + text
                continue
        paragraphs.append(text)
        previous_line = line
    return paragraphs


def visual_width(text: str) -> float:
    """Printed width in CJK characters (ASCII letters and digits are half as wide)."""
    return sum(1.0 if ord(c) >= 0x2E80 else 0.5 for c in text)


def _full_width(lines: list[str]) -> float | None:
    """The width a line must reach to count as filled to the margin, in a hard-wrapped
    document (many lines equally long); None when lines are whole paragraphs."""
    widths = sorted(visual_width(line.rstrip()) for line in lines)
    if len(widths) < 8:
        return None
    block = widths[int(len(widths) * 0.9)]
    if block < 16:
        return None
    near = [w for w in widths if w >= 0.9 * block]
    if len(near) < 0.3 * len(widths):
        return None
    return 0.9 * block


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cjk_tidy(text: str) -> str:
    """Remove spaces between two CJK characters (``防治 专项`` → ``防治专项``)."""
    return re.sub(r"(?<=[\u4e00-\u9fa5])\s+(?=[\u4e00-\u9fa5])", "", text).strip()
