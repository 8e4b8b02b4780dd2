"""The same tables as the document, as an Excel workbook for units that want the numbers."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports import ooxml


def _sheet(book, title: str, headers: list[str], rows: list[list]) -> None:
    ws = book.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for index, header in enumerate(headers, start=1):
        longest = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows])
        ws.column_dimensions[get_column_letter(index)].width = min(60, 4 + 1.6 * longest)
    ws.freeze_panes = "A2"


def build(snapshot: dict, header: dict) -> bytes:
    """One sheet per table; rates are numbers in per cent (None stays empty)."""
    ledger = snapshot["ledger"]
    book = Workbook()
    book.remove(book.active)
    now, before = ledger["now"], ledger["before"]
    _sheet(
        book,
        "总体进展",
        ["指标", "本期", ledger["previous_label"]],
        [
            ["事项数（按责任单位计）", now["lines"], before["lines"]],
            ["累计验收销号", now["closed"], before["closed"]],
            ["本期销号", now["closed_in_period"], before["closed_in_period"]],
            ["逾期未完成", now["overdue"], before["overdue"]],
            ["应报送进展（次）", now["reports_due"], before["reports_due"]],
            ["按时报送（次）", now["reports_on_time"], before["reports_on_time"]],
            ["按时报送率（%）", now["on_time_rate"], before["on_time_rate"]],
        ]
        + [[f"状态：{s['label']}", s["n"], None] for s in ledger["by_status"]],
    )
    _sheet(
        book,
        "各单位推进情况",
        [
            "排名",
            "责任单位",
            "事项",
            "销号",
            "逾期",
            "应报",
            "按时报送",
            "按时报送率（%）",
            "完成率（%）",
            "得分",
            "亮灯",
        ],  # fmt: skip
        [
            [
                u["rank"],
                u["unit"],
                u["lines"],
                u["closed"],
                u["overdue"],
                u["reports_due"],
                u["reports_on_time"],
                u["on_time_rate"],
                u["completion_rate"],
                u["score"],
                {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}.get(u.get("lamp") or "", ""),
            ]
            for u in ledger["units"]
        ],  # fmt: skip
    )
    items = ledger["overdue_items"]
    _sheet(
        book,
        f"逾期{items['days']}天以上",
        ["任务号", "任务", "方案", "责任单位", "整改时限", "逾期天数", "状态"],
        [
            [r["task_no"], r["task"], r["plan"], r["unit"], r["deadline"], r["days"], r["status"]]
            for r in items["rows"]
        ],
    )
    _sheet(
        book,
        "督查督办",
        ["类别", "事项", "对象单位", "下发日期", "办理时限", "状态"],
        [
            [r["kind"], r["title"], r["units"], r["issued"], r["due"], r["state"]]
            for r in snapshot["supervision"]["rows"]
        ],
    )
    monitoring = snapshot["monitoring"]
    _sheet(
        book,
        "在线监测",
        [
            "区县",
            "扬尘报警",
            "油烟报警",
            "报警合计",
            "按时处置",
            "按时处置率（%）",
            "三级报警",
            "已立案",
            "立案率（%）",
            "设备数",
            "联网设备",
            "联网率（%）",
            "有效传输率（%）",
        ],  # fmt: skip
        [
            [
                r["district"],
                r["dust_alarms"],
                r["fume_alarms"],
                r["alarms"],
                r["handled_on_time"],
                r["on_time_rate"],
                r["serious"],
                r["cased"],
                r["case_rate"],
                r["devices"],
                r["online"],
                r["online_rate"],
                r["effective_rate"],
            ]
            for r in [*monitoring["rows"], monitoring["total"]]
        ],  # fmt: skip
    )
    air = snapshot["air"]
    _sheet(
        book,
        "空气质量排名",
        [
            "排名",
            "区县",
            "综合指数",
            "PM2.5",
            "PM2.5目标",
            "PM2.5去年同期",
            "PM2.5同比（%）",
            "PM10",
            "PM10去年同期",
            "PM10同比（%）",
            "有效天数",
            "优良天数",
            "优良天数比例（%）",
            "优良比例去年同期（%）",
        ],  # fmt: skip
        [
            [
                r["rank"],
                r["district"],
                r["composite"],
                r["pm25"],
                r["pm25_target"],
                r["pm25_last_year"],
                r["pm25_change"],
                r["pm10"],
                r["pm10_last_year"],
                r["pm10_change"],
                r["days"],
                r["good_days"],
                r["good_ratio"],
                r["good_ratio_last_year"],
            ]
            for r in air["rows"]
        ],  # fmt: skip
    )
    dust = air.get("dust") or {"rows": [], "target": None}
    _sheet(
        book,
        "降尘",
        ["排名", "区县", "降尘量", "目标", "是否超标", "较上月", "去年同期", "同比（%）"],
        [
            [
                r["rank"],
                r["district"],
                r["value"],
                dust["target"],
                "超标" if r["over_target"] else "",
                r["change_month"],
                r["last_year"],
                r["change_year"],
            ]
            for r in dust["rows"]
        ],  # fmt: skip
    )
    emergency = snapshot["emergency"]
    _sheet(
        book,
        "重污染天气应对",
        [
            "检查单位",
            "抽查天数",
            "未达要求天数",
            "计划家次",
            "完成家次",
            "完成率（%）",
            "合规",
            "发现问题",
        ],  # fmt: skip
        [
            [
                u["unit"],
                u["days"],
                u["days_short"],
                u["planned"],
                u["done"],
                u["completion"],
                u["compliant"],
                u["non_compliant"],
            ]
            for u in emergency["units"]
        ],  # fmt: skip
    )
    _sheet(
        book,
        "数据核验",
        ["类别", "程度", "单位", "问题", "核实日期", "处理意见"],
        [
            [r["rule"], r["severity"], r["unit"], r["title"], r["decided"], r["note"]]
            for r in snapshot["crosscheck"]["rows"]
        ],
    )
    book.properties.creator = header["office"]
    book.properties.title = header["title"]
    buffer = io.BytesIO()
    book.save(buffer)
    return ooxml.normalise(buffer.getvalue(), stamp=f"{header['date']}T00:00:00Z")
