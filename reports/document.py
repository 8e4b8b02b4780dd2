"""The Word document: a docxtpl template filled from the snapshot, byte-for-byte repeatable.

``context(snapshot, header)`` turns the snapshot into what templates print (numbers formatted,
sentences written as bureaus write them); ``render(template_bytes, snapshot, header)`` fills a
template and returns the .docx bytes; ``check_template`` refuses a template naming the first
placeholder it cannot fill.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from reports import ooxml

DEFAULT_TEMPLATE = Path(__file__).parent / "data" / "default_template.docx"
CHART_WIDTH_MM = 160
DASH = "—"

# The names a template may use, and what each holds (shown on the templates page).
PLACEHOLDERS = {
    "header": "刊头：office 发文机关、series_title 刊名、year 年度、number 期号、"
    "number_label（2026年第3期）、date 印发日期、title 标题、period 期间、scope 范围、"
    "distribution 抄送",
    "overall": "总体进展：lines 事项数、closed 已销号、closed_in_period 本期销号、overdue 逾期、"
    "on_time_rate 按时报送率，各项 *_before 为上期值、*_change 为变化；summary 一段文字",
    "status_rows": "按状态统计（label 状态、n 数量）",
    "units": "各单位推进情况（rank 排名、unit 单位、lines 事项、closed 销号、overdue 逾期、"
    "on_time_rate 按时报送率、score 得分、lamp 亮灯）",
    "lamp_legend": "亮灯规则说明（红灯、黄灯、绿灯、灰灯各指什么）",
    "top": "红榜单位（同 units）",
    "bottom": "黑榜单位（同 units）",
    "overdue": "逾期事项：days 天数、count 总数、rows（no 序号、task_no 任务号、task 任务、"
    "unit 单位、deadline 时限、days 逾期天数）、summary",
    "supervision": "督查督办：summary、by_kind（kind 类别、n 数量）、"
    "rows（kind、title、units、issued、due、state）",
    "monitoring": "在线监测：summary、rows 与 total（district 区县、dust_alarms 扬尘报警、"
    "fume_alarms 油烟报警、on_time_rate 按时处置率、case_rate 立案率、online_rate 联网率、"
    "effective_rate 有效传输率、dust_on_rate 扬尘开机率、fume_on_rate 油烟开机率）",
    "air": "空气质量：summary、rows（rank、district、composite 综合指数、pm25、pm25_target、"
    "pm25_last_year、pm25_change、pm10、pm10_last_year、pm10_change、good_ratio 优良天数比例、"
    "good_ratio_last_year、good_ratio_change）",
    "dust": "降尘：summary、target 目标、rows（rank、district、value、vs_target 对照目标、"
    "last_year 去年同期、change_year 同比）",
    "emergency": "重污染天气应对：summary、episodes（number 编号、highest 最高级别、starts、"
    "lifted、hours）、units（unit、days、planned、done、completion、non_compliant、days_short）",
    "crosscheck": "数据核验：summary、rows（rule 类别、unit 单位、title 摘要、decided 核实日期）",
    "requirements": "下步工作要求（文字）",
    "charts": "图表（图片）：units 考核得分、trend 销号与逾期趋势、alarms 报警、air PM2.5、"
    "dust 降尘；无数据时为空",
}


_NAME = re.compile(r"[A-Za-z_*][A-Za-z0-9_*]*")


def placeholder_parts(text: str) -> list[tuple[str, bool]]:
    """A placeholder's description as (text, is a name to type) pieces, so that the page can
    show the names as code beside the words."""
    parts, at = [], 0
    for match in _NAME.finditer(text):
        if match.start() > at:
            parts.append((text[at : match.start()], False))
        parts.append((match.group(), True))
        at = match.end()
    if at < len(text):
        parts.append((text[at:], False))
    return parts


class TemplateRefused(ValueError):
    """A template that cannot be filled; the message names the placeholder or the problem."""


# --- formatting ------------------------------------------------------------------------------


def num(value, digits: int | None = None) -> str:
    if value is None:
        return DASH
    if digits is None:
        return f"{value:g}" if isinstance(value, float) else str(value)
    return f"{value:.{digits}f}"


def rate(value) -> str:
    return DASH if value is None else f"{value:.1f}%"


def change(now, before, unit: str = "项") -> str:
    """``增加3项`` / ``减少2项`` / ``持平``."""
    if now is None or before is None:
        return DASH
    diff = now - before
    if not diff:
        return "持平"
    word = "增加" if diff > 0 else "减少"
    return f"{word}{num(abs(round(diff, 1)))}{unit}"


def points(now, before) -> str:
    """Percentage points: ``提高2.5个百分点``."""
    if now is None or before is None:
        return DASH
    diff = round(now - before, 1)
    if not diff:
        return "持平"
    return f"{'提高' if diff > 0 else '下降'}{abs(diff):.1f}个百分点"


def signed_pct(value) -> str:
    if value is None:
        return DASH
    return f"{'+' if value > 0 else ''}{value:.1f}%"


def cn_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


# --- the context -----------------------------------------------------------------------------


def _unit_row(u: dict) -> dict:
    return {
        "rank": u["rank"],
        "unit": u["unit"],
        "lines": u["lines"],
        "closed": u["closed"],
        "overdue": u["overdue"],
        "on_time_rate": rate(u["on_time_rate"]),
        "completion_rate": rate(u["completion_rate"]),
        "score": num(u["score"], 1),
        "lamp": u.get("lamp_label") or DASH,
    }


def _overall(ledger: dict, period_label: str) -> dict:
    now, before = ledger["now"], ledger["before"]
    out = {
        "lines": now["lines"],
        "closed": now["closed"],
        "open": now["open"],
        "closed_in_period": now["closed_in_period"],
        "closed_in_period_before": before["closed_in_period"],
        "closed_change": change(now["closed_in_period"], before["closed_in_period"]),
        "overdue": now["overdue"],
        "overdue_before": before["overdue"],
        "overdue_change": change(now["overdue"], before["overdue"]),
        "reports_due": now["reports_due"],
        "reports_on_time": now["reports_on_time"],
        "on_time_rate": rate(now["on_time_rate"]),
        "on_time_rate_before": rate(before["on_time_rate"]),
        "on_time_change": points(now["on_time_rate"], before["on_time_rate"]),
        "completion_rate": rate(now["completion_rate"]),
        "previous": ledger["previous_label"],
    }
    out["summary"] = (
        f"截至{period_label}末，纳入调度的整改事项（按责任单位计）共{now['lines']}项，"
        f"累计验收销号{now['closed']}项（完成率{out['completion_rate']}），"
        f"其中本期销号{now['closed_in_period']}项，较上期{out['closed_change']}；"
        f"逾期未完成{now['overdue']}项，较上期{out['overdue_change']}。"
        f"本期应报送进展{now['reports_due']}次，按时报送{now['reports_on_time']}次，"
        f"按时报送率{out['on_time_rate']}，较上期{out['on_time_change']}。"
    )
    return out


def _overdue(ledger: dict) -> dict:
    items = ledger["overdue_items"]
    rows = [
        {
            "no": i,
            "task_no": r["task_no"],
            "task": r["task"],
            "unit": r["unit"],
            "deadline": r["deadline"],
            "days": r["days"],
            "status": r["status"],
        }
        for i, r in enumerate(items["rows"], start=1)
    ]
    if items["count"]:
        summary = f"截至本期末，逾期超过{items['days']}天仍未完成的事项共{items['count']}项"
        summary += (
            f"（列出逾期最久的{items['shown']}项）。"
            if items["shown"] < items["count"]
            else "，详见下表。"
        )
    else:
        summary = f"本期无逾期超过{items['days']}天的事项。"
    return {"days": items["days"], "count": items["count"], "rows": rows, "summary": summary}


def _supervision(section: dict) -> dict:
    kinds = [k for k in section["by_kind"] if k["n"]]
    if section["total"]:
        summary = (
            f"本期共下发督查督办{section['total']}件，其中"
            + "、".join(f"{k['kind']}{k['n']}件" for k in kinds)
            + "。"
        )
    else:
        summary = "本期未下发催办、督办、通报、约谈、问责事项。"
    return {"summary": summary, "by_kind": section["by_kind"], "rows": section["rows"]}


def _monitoring_row(r: dict) -> dict:
    return {
        "district": r["district"],
        "dust_alarms": r["dust_alarms"],
        "fume_alarms": r["fume_alarms"],
        "alarms": r["alarms"],
        "handled_on_time": r["handled_on_time"],
        "on_time_rate": rate(r["on_time_rate"]),
        "case_rate": rate(r["case_rate"]),
        "devices": r["devices"],
        "online_rate": rate(r["online_rate"]),
        "effective_rate": rate(r["effective_rate"]),
        "dust_on_rate": rate(r.get("dust_on_rate")),
        "fume_on_rate": rate(r.get("fume_on_rate")),
    }


def _monitoring(section: dict) -> dict:
    t = section["total"]
    summary = (
        f"本期扬尘、油烟在线监测设备{t['devices']}台，联网率{rate(t['online_rate'])}，"
        f"数据有效传输率{rate(t['effective_rate'])}，扬尘开机率{rate(t.get('dust_on_rate'))}，"
        f"油烟开机率{rate(t.get('fume_on_rate'))}；共发生超标报警{t['alarms']}次"
        f"（扬尘{t['dust_alarms']}次、油烟{t['fume_alarms']}次），"
        f"按时处置{t['handled_on_time']}次，按时处置率{rate(t['on_time_rate'])}；"
        f"三级报警{t['serious']}次，已立案{t['cased']}次，立案率{rate(t['case_rate'])}。"
    )
    return {
        "summary": summary,
        "rows": [_monitoring_row(r) for r in section["rows"]],
        "total": _monitoring_row(t),
    }


def _air(section: dict, period_label: str) -> dict:
    rows = [
        {
            "rank": num(r["rank"]),
            "district": r["district"],
            "composite": num(r["composite"], 2) if r["composite"] is not None else DASH,
            "pm25": num(r["pm25"]),
            "pm25_target": num(r["pm25_target"]),
            "pm25_last_year": num(r["pm25_last_year"]),
            "pm25_change": signed_pct(r["pm25_change"]),
            "pm10": num(r["pm10"]),
            "pm10_target": num(r["pm10_target"]),
            "pm10_last_year": num(r["pm10_last_year"]),
            "pm10_change": signed_pct(r["pm10_change"]),
            "good_ratio": rate(r["good_ratio"]),
            "good_ratio_target": rate(r["good_ratio_target"]),
            "good_ratio_last_year": rate(r["good_ratio_last_year"]),
            "good_ratio_change": points(r["good_ratio"], r["good_ratio_last_year"]),
        }
        for r in section["rows"]
    ]
    ranked = [r for r in section["rows"] if r["rank"] is not None]
    by = "综合指数" if section["ranked_by"] == "composite" else "PM2.5 平均浓度"
    if not ranked:
        return {"summary": "本期无空气质量监测数据。", "rows": rows, "targets": section["targets"]}
    parts = []
    city = section.get("city")
    if city:
        parts.append(
            f"全市 PM2.5 平均浓度{num(city['pm25'])}微克/立方米，"
            f"PM10 平均浓度{num(city['pm10'])}微克/立方米，"
            f"优良天数{city['good_days']}天，优良天数比例{rate(city['good_ratio'])}"
        )
    parts.append(
        f"按环境空气质量{by}排名，{ranked[0]['district']}排名第一，{ranked[-1]['district']}排名末位"
    )
    summary = f"{period_label}，" + "；".join(parts) + "。"
    over = [r["district"] for r in section["rows"] if r["pm25_over_target"]]
    if over:
        summary += f"PM2.5 浓度高于目标的有：{'、'.join(over)}。"
    return {"summary": summary, "rows": rows, "targets": section["targets"]}


def _dust(section: dict | None) -> dict:
    if not section or not section["rows"]:
        return {"summary": "本期无降尘监测数据。", "target": DASH, "rows": []}
    target = section["target"]
    rows = [
        {
            "rank": r["rank"],
            "district": r["district"],
            "value": num(r["value"], 2),
            "vs_target": DASH if target is None else ("超标" if r["over_target"] else "达标"),
            "last_year": num(r["last_year"], 2) if r["last_year"] is not None else DASH,
            "change_year": signed_pct(r["change_year"]),
        }
        for r in section["rows"]
    ]
    over = [r["district"] for r in section["rows"] if r["over_target"]]
    lowest, highest = section["rows"][0]["district"], section["rows"][-1]["district"]
    summary = f"降尘量最低的是{lowest}，最高的是{highest}。"
    if target is not None:
        summary += (
            f"高于目标（{target:g}吨/平方公里·月）的有：{'、'.join(over)}。"
            if over
            else f"各区县均达到目标（{target:g}吨/平方公里·月）。"
        )
    return {"summary": summary, "target": num(target), "rows": rows}


def _emergency(section: dict) -> dict:
    episodes = section["episodes"]
    total = section["total"]
    if episodes:
        summary = (
            f"本期启动重污染天气预警{len(episodes)}次（"
            + "；".join(f"{e['number']}，最高{e['highest']}" for e in episodes)
            + "）。"
        )
    else:
        summary = "本期未启动重污染天气预警。"
    if total["planned"]:
        summary += (
            f"应急“四不两直”抽查计划检查{total['planned']}家次，已完成{total['done']}家次"
            f"（完成率{rate(total['completion'])}），发现问题{total['non_compliant']}家次，"
            f"立案{section['cases']}件；未达到抽查数量要求的单位日{total['days_short']}个。"
        )
    units = [{**u, "completion": rate(u["completion"])} for u in section["units"]]
    return {"summary": summary, "episodes": episodes, "units": units, "total": total}


def _crosscheck(section: dict) -> dict:
    rows = section["rows"]
    summary = (
        f"本期经核实的数据核验问题{len(rows)}个，详见下表，相关单位要如实整改、举一反三。"
        if rows
        else "本期无经核实的数据核验问题。"
    )
    return {"summary": summary, "rows": rows}


def context(snapshot: dict, header: dict) -> dict:
    """What templates print, from the snapshot and the issue's header (no charts)."""
    ledger = snapshot["ledger"]
    period_label = snapshot["period"]["label"]
    units = [_unit_row(u) for u in ledger["units"]]
    return {
        "header": {
            **header,
            "date_iso": header["date"],
            "date": cn_date(header["date"]),
            "period": period_label,
            "scope": snapshot["scope"]["label"],
        },
        "overall": _overall(ledger, period_label),
        "status_rows": [{"label": s["label"], "n": s["n"]} for s in ledger["by_status"]],
        "lamp_legend": "；".join(f"{r['name']}：{r['meaning']}" for r in ledger["lamp_legend"]),
        "units": units,
        "top": [_unit_row(u) for u in ledger["top"]],
        "bottom": [_unit_row(u) for u in ledger["bottom"]],
        "overdue": _overdue(ledger),
        "supervision": _supervision(snapshot["supervision"]),
        "monitoring": _monitoring(snapshot["monitoring"]),
        "air": _air(snapshot["air"], period_label),
        "dust": _dust(snapshot["air"].get("dust")),
        "emergency": _emergency(snapshot["emergency"]),
        "crosscheck": _crosscheck(snapshot["crosscheck"]),
        "requirements": header.get("requirements", ""),
    }


# --- rendering -------------------------------------------------------------------------------


def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # Uploaded templates are the office's, but sandboxing costs nothing and keeps a template
    # from reaching Python internals.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def fill(template_bytes: bytes, values: dict, charts: dict[str, bytes | None]) -> bytes:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    tpl = DocxTemplate(io.BytesIO(template_bytes))
    values = dict(values)
    values["charts"] = {
        key: InlineImage(tpl, io.BytesIO(png), width=Mm(CHART_WIDTH_MM)) if png else ""
        for key, png in charts.items()
    }
    tpl.render(values, _environment())
    header = values["header"]
    props = tpl.docx.core_properties
    when = dt.datetime.fromisoformat(header["date_iso"])
    props.created = props.modified = when
    props.last_printed = when
    props.author = props.last_modified_by = header["office"]
    props.title = header["title"]
    props.revision = 1
    buffer = io.BytesIO()
    tpl.save(buffer)
    return ooxml.normalise(buffer.getvalue(), stamp=f"{header['date_iso']}T00:00:00Z")


def render(template_bytes: bytes, snapshot: dict, header: dict) -> bytes:
    from reports import charts

    return fill(template_bytes, context(snapshot, header), charts.render_all(snapshot))


# --- checking uploaded templates --------------------------------------------------------------


def _message_for(exc: Exception) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError

    if isinstance(exc, UndefinedError):
        text = str(exc)
        match = re.search(r"has no attribute '([^']+)'", text)
        if match:
            return f"模板中的占位符“{match.group(1)}”无法填写：没有这一项"
        match = re.search(r"'([^']+)' is undefined", text)
        if match:
            return f"模板中的占位符“{match.group(1)}”无法填写：没有这一项"
        return f"模板中有占位符无法填写：{text}"
    if isinstance(exc, TemplateSyntaxError):
        return f"模板占位符写法有误（{exc.message}）"
    return f"模板无法填写：{exc}"


def check_template(template_bytes: bytes, sample_snapshot: dict, sample_header: dict) -> list[str]:
    """The placeholders the template uses, or ``TemplateRefused`` naming the first one it
    cannot fill (unknown names, misspelt fields, broken tags, a file that is not Word)."""
    from docxtpl import DocxTemplate

    from lantian.lib import safedocs

    try:
        safedocs.check_zip(template_bytes)  # a template is a zip like any upload: bounded
    except safedocs.UnsafeDocument as exc:
        raise TemplateRefused(str(exc)) from exc
    try:
        tpl = DocxTemplate(io.BytesIO(template_bytes))
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 - any unreadable file is refused the same way
        raise TemplateRefused("不是有效的 Word（.docx）文件") from exc
    env = _environment()
    try:
        used = sorted(tpl.get_undeclared_template_variables(env))
    except Exception as exc:  # noqa: BLE001 - jinja syntax errors and docxtpl's own
        raise TemplateRefused(_message_for(exc)) from exc
    known = set(PLACEHOLDERS)
    unknown = [name for name in used if name not in known]
    if unknown:
        raise TemplateRefused(
            f"模板中的占位符“{unknown[0]}”无法填写：没有这一项（可用：{'、'.join(PLACEHOLDERS)}）"
        )
    from reports import charts

    blank = dict.fromkeys(charts.CHARTS)
    try:
        fill(template_bytes, context(sample_snapshot, sample_header), blank)
    except Exception as exc:  # noqa: BLE001 - whatever the template trips on, name it
        raise TemplateRefused(_message_for(exc)) from exc
    return used


def describe_error(exc: Exception) -> str:
    return _message_for(exc)


def text_of(docx: bytes) -> list[str]:
    """The words of a document in reading order: paragraphs, then every table's cells."""
    from docx import Document

    doc = Document(io.BytesIO(docx))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("|".join(cell.text for cell in row.cells))
    return lines
