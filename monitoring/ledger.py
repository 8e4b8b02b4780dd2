"""The alarm ledger (报警处置台账) as an Excel workbook: one row per alarm, one per step."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from lantian.lib import tz
from monitoring import names

ALARM_HEADERS = [
    "编号",
    "区县",
    "点位",
    "设备MN",
    "类别",
    "因子",
    "级别",
    "状态",
    "首次报警",
    "最近超标",
    "次数",
    "峰值",
    "限值",
    "单位",
    "依据",
    "承办单位",
    "响应时限",
    "超时升级次数",
    "处置措施",
    "答复",
    "办结时间",
    "立案",
]
STEP_HEADERS = ["报警编号", "时间", "动作", "操作人", "单位", "状态", "级别", "说明"]


def _local(value):
    return tz.to_local(value).replace(tzinfo=None) if value else None


def build_ledger(alarms) -> bytes:
    """``alarms`` must be prefetched with site__district, device, dispatched_to, actions, cases."""
    book = Workbook()
    sheet = book.active
    sheet.title = "报警台账"
    steps = book.create_sheet("处置过程")
    for ws, headers in ((sheet, ALARM_HEADERS), (steps, STEP_HEADERS)):
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
    for alarm in alarms:
        sheet.append(
            [
                alarm.pk,
                alarm.site.district.name,
                alarm.site.name,
                alarm.device.mn,
                alarm.get_kind_display(),
                names.pollutant(alarm.code),
                alarm.level,
                alarm.get_status_display(),
                _local(alarm.first_at),
                _local(alarm.last_at),
                alarm.count,
                alarm.peak,
                alarm.limit,
                alarm.unit,
                names.basis(alarm.basis),
                alarm.dispatched_to.name if alarm.dispatched_to else "",
                _local(alarm.due_at),
                alarm.escalations,
                alarm.measures,
                alarm.reply,
                _local(alarm.closed_at),
                "、".join(c.number for c in alarm.cases.all()),
            ]
        )
        for action in alarm.actions.all():
            steps.append(
                [
                    alarm.pk,
                    _local(action.at),
                    action.get_kind_display(),
                    action.actor_name,
                    action.unit.name if action.unit else "",
                    action.get_status_after_display(),
                    action.level_after,
                    action.note,
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
