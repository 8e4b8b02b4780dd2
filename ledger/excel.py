"""The ledger workbook bureaus exchange: one row per task × responsible unit.

Export writes the ten columns units know (序号 … 销号时间) plus two columns for the way
back: 完成进度（%） and 台账编号 (the line's id, which the import matches on). Units fill in
进展情况 (and 完成进度) for the month in cell B2's 报送月份; ``read_rows`` reads a filled workbook
into rows for ``ledger.services.import_progress_workbook`` to validate and apply.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from lantian.lib import safedocs

HEADERS = [
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
    "完成进度（%）",
    "台账编号",
    "未附佐证的说明",
]
# Workbooks exported before 未附佐证的说明 was added have only the first twelve columns.
REQUIRED_HEADERS = HEADERS[:12]
WIDTHS = [6, 40, 18, 22, 30, 16, 50, 40, 12, 12, 10, 10, 24]
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
LINE_ID = re.compile(r"^L(\d+)$")


def may_import(user) -> bool:
    """Who may report progress by workbook: the office and units' officers (not read-only
    roles such as leaders, reviewers and inspectors)."""
    from accounts import access

    return access.is_office(user) or access.is_unit_officer(user)


def line_code(pk: int) -> str:
    return f"L{pk}"


def export_lines(lines, today: dt.date) -> bytes:
    """The workbook for ``lines`` (queryset from ``ledger.queries.lines_for``)."""
    lines = list(
        lines.select_related("task__plan", "unit")
        .prefetch_related("partners__unit", "task__assignments__unit", "task__measures")
        .order_by("task__plan_id", "task__no", "id")
    )
    book = Workbook()
    sheet = book.active
    sheet.title = "整改台账"
    sheet["A1"] = _("整改任务台账（导出日期 %(day)s）") % {"day": today.isoformat()}
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"], sheet["B2"] = _("报送月份"), f"{today:%Y-%m}"
    sheet["C2"] = _(
        "填写“进展情况”与“完成进度”（无佐证材料时在“未附佐证的说明”写明原因），"
        "其余列请勿修改；每行按台账编号导入。"
    )
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        cell = sheet.cell(HEADER_ROW, column, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F2")
        sheet.column_dimensions[cell.column_letter].width = width
    for row, line in enumerate(lines, start=FIRST_ROW):
        for column, value in enumerate(_row(line), start=1):
            cell = sheet.cell(row, column, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(FIRST_ROW, 3)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(line) -> list:
    task = line.task
    assignments = [a for a in task.assignments.all() if not a.withdrawn]
    acceptance = [a.unit.name for a in assignments if a.acceptance]
    measures = [m for m in task.measures.all() if not m.withdrawn]
    if line.district_id and any(m.district_id for m in measures):
        measures = [m for m in measures if m.district_id in (None, line.district_id)]
    units = "、".join([line.unit.name, *[p.unit.name for p in line.partners.all()]])
    return [
        task.display_no,
        task.problem or task.title,
        units,
        "、".join(acceptance),
        task.target,
        task.deadline_label
        if not line.extended_to
        else _("延期至 %(day)s") % {"day": line.extended_to.isoformat()},
        "\n".join(str(m) for m in measures),
        getattr(line, "last_narrative", "") or "",
        line.get_status_display(),
        line.closed_on.isoformat() if line.closed_on else "",
        getattr(line, "last_percent", None),
        line_code(line.pk),
        getattr(line, "last_no_evidence_reason", "") or "",
    ]


@dataclass
class WorkbookRow:
    """One filled row of a returned workbook, as typed (the service validates it)."""

    number: int
    code: str
    narrative: str
    percent: object
    unit_names: str
    no_evidence_reason: str = ""


class WorkbookError(ValueError):
    """The file is not a ledger workbook at all (wrong format or headers)."""


def read_rows(content: bytes) -> tuple[str, list[WorkbookRow]]:
    """The 报送月份 cell and every data row (a row with a 台账编号 or anything filled in)."""
    try:
        book = safedocs.load_workbook(content)
    except safedocs.UnsafeDocument as exc:
        raise WorkbookError(str(exc)) from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(_("无法读取文件：请上传从台账导出的 .xlsx 工作簿")) from exc
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if (
        len(rows) < HEADER_ROW
        or [str(h or "").strip() for h in rows[HEADER_ROW - 1]][:12] != REQUIRED_HEADERS
    ):
        raise WorkbookError(_("表头与台账模板不一致：请使用从台账导出的工作簿"))
    period = str(rows[1][1] or "").strip() if len(rows) > 1 and len(rows[1]) > 1 else ""
    out = []
    for number, values in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
        values = list(values) + [None] * (len(HEADERS) - len(values))
        narrative = str(values[7] or "").strip()
        code = str(values[11] or "").strip()
        if not narrative and not code and values[10] in (None, ""):
            continue
        reason = str(values[12] or "").strip()
        out.append(WorkbookRow(number, code, narrative, values[10], str(values[2] or ""), reason))
    return period, out
