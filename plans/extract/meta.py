"""The plan's own metadata: title, issuer, document number, issue date, year, city, the
inspection period and feedback date, news lead-ins to skip, and the guarantee rules."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from .dates import DateHit, clause_after, cn_int, find_dates
from .text import STRUCTURAL, cjk_tidy, squash

_DOC_KINDS = (
    r"(?:方案|计划|清单|意见|办法|通知|要点|安排|细则|规划|决定|措施|台账|任务表|任务分解表|分工|"
    r"公示|公告)"
)
_TITLE = re.compile(rf"{_DOC_KINDS}(?:\s*[（(][^）)]{{1,20}}[）)])?$")
_DOC_NO = re.compile(
    r"[\u4e00-\u9fa5]{1,12}\s*[〔\[【（(]\s*(?:19|20)\d{2}\s*[〕\]】）)]\s*\d{1,4}\s*号"
)
_DATE_LINE = re.compile(
    r"^(?P<y>(?:19|20)\d{2}|[二][〇零○][一二三四五六七八九〇零○]{2})\s*年\s*"
    r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*"
    r"(?P<d>\d{1,2}|[一二三]?十?[一二三四五六七八九十]?)\s*日$"
)
_ORG = re.compile(
    r"(?:办公室|办公厅|人民政府|政府|委员会|局|委|厅|办|指挥部|领导小组|管委会|党工委)$"
)
_LEAD_IN_END = re.compile(r"(?:原文如下|全文如下|正文如下|详情如下|附全文|以下为全文)[：:。]?\s*$")
_NEWS = re.compile(
    r"(?:网讯|日讯|电讯|讯[：:]|记者|来源[：:]|编辑[：:]|发布时间|阅读量|浏览次数|【字体|打印本页)"
)


def _bare_title(line: str) -> str:
    """A title line without a leading document number and without enclosing 《》."""
    text = cjk_tidy(line)
    match = _DOC_NO.match(text)
    if match and len(text) > match.end():
        text = text[match.end() :].strip()
    if text.startswith("《") and text.endswith("》"):
        text = text[1:-1]
    return text


def is_title_line(line: str) -> bool:
    text = _bare_title(line)
    if not 5 <= len(text) <= 90:
        return False
    if text.startswith(("附件", "附表")) or STRUCTURAL.match(text):
        return False
    if re.search(r"[。；;，,：:！？]", text):
        return False
    return bool(_TITLE.search(text))


def parse_date_line(line: str) -> dt.date | None:
    match = _DATE_LINE.match(squash(line))
    if not match:
        return None
    try:
        return dt.date(cn_int(match["y"]), cn_int(match["m"]), cn_int(match["d"]))
    except (TypeError, ValueError):
        return None


def strip_lead_in(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop a news report or web-page header before the document; return (lines, warnings)."""
    nonblank = [(i, line) for i, line in enumerate(lines) if line.strip()]
    for i, line in nonblank[:60]:
        if _LEAD_IN_END.search(line.strip()):
            return lines[i + 1 :], [
                f"已忽略正文前的 {len([1 for j, _ in nonblank if j <= i])} 段导语/转载说明"
            ]
    first_title = next((i for i, line in nonblank[:60] if is_title_line(line)), None)
    if first_title is None:
        return lines, []
    before = [line for i, line in nonblank if i < first_title]
    if before and any(_NEWS.search(line) or len(squash(line)) > 60 for line in before):
        return lines[first_title:], [f"已忽略正文前的 {len(before)} 段导语"]
    return lines, []


def title_of(lines: list[str]) -> tuple[str | None, str | None, int | None]:
    """(title, title_raw, index) of the plan title, preferring the plan over a covering notice."""
    head = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()][:80]
    candidates = [_with_line_above(head, k) for k, (i, line) in enumerate(head)]
    candidates = [c for c in candidates if c and is_title_line(c[1])]
    if not candidates:
        return None, None, None
    plans = [
        (i, line)
        for i, line in candidates
        if not re.search(r"通知$|关于(?:印发|转发)", cjk_tidy(line))
    ]
    if plans:
        i, line = plans[0]
        return _bare_title(line), line, i
    i, line = candidates[0]
    quoted = re.search(r"[《〈]([^》〉]+)[》〉]", _bare_title(line))
    inner = re.search(r"关于印发(.+?)的通知$", _bare_title(line))
    if quoted:
        return cjk_tidy(quoted.group(1)), line, i
    if inner:
        return inner.group(1), line, i
    return cjk_tidy(line), line, i


def _with_line_above(head: list[tuple[int, str]], k: int) -> tuple[int, str] | None:
    """A title set on two lines (``互助县深入打好柴油货车污染治理、`` / ``臭氧…实施方案``, or the
    issuer above ``关于印发…的通知``) → (index, the two lines joined); else the line itself."""
    i, line = head[k]
    if k == 0 or not _TITLE.search(cjk_tidy(line)):
        return i, line
    above = cjk_tidy(head[k - 1][1])
    if (
        len(above) <= 40
        and not is_title_line(above)
        and not re.search(r"[。；;，,：:！？\d〔〕《》（）()]", above)
        and (
            above.endswith(("、", "和", "及", "与", "暨"))
            or (cjk_tidy(line).startswith("关于") and _ORG.search(above))
        )
    ):
        return head[k - 1][0], above + cjk_tidy(line)
    return i, line


def notice_of(lines: list[str]) -> str | None:
    head = [(i, line.strip()) for i, line in enumerate(lines) if line.strip()][:80]
    for k in range(len(head)):
        joined = _with_line_above(head, k)
        text = _bare_title(joined[1])
        if is_title_line(joined[1]) and re.search(r"通知$", text):
            return text
    return None


def doc_no_of(lines: list[str]) -> str | None:
    """The plan's own document number: on a line of its own, heading a title line, or after a
    label (``发文字号：``). Numbers cited in the text (``根据《…》（粤府〔2018〕128号）``) are
    other documents' numbers and are not taken."""
    for line in lines[:80]:
        text = line.strip()
        match = _DOC_NO.search(text)
        if match and len(squash(text)) <= len(squash(match.group())) + 4:
            return squash(match.group())
    for line in lines[:80]:
        text = squash(line)
        match = _DOC_NO.match(text)
        if match and is_title_line(text):
            return squash(match.group())
        match = re.search(r"(?:发文字号|文号)[：:]\s*(" + _DOC_NO.pattern + ")", text)
        if match:
            return squash(match.group(1))
    return None


def issued_of(lines: list[str]) -> tuple[dt.date | None, str | None]:
    """The issue date (a line holding only a date) and the issuer signed above it."""
    nonblank = [line.strip() for line in lines if line.strip()]
    for zone in (nonblank[:80], nonblank[-15:]):
        for j, line in enumerate(zone):
            date = parse_date_line(line)
            if date:
                issuer = None
                if j > 0 and _ORG.search(squash(zone[j - 1])) and len(squash(zone[j - 1])) <= 30:
                    issuer = squash(zone[j - 1])
                return date, issuer
    return None, None


_CITY = re.compile(r"^(?:[\u4e00-\u9fa5]{2,3}省)?(?P<city>[\u4e00-\u9fa5]{2,4}?(?:市|州|盟|地区))")


def city_of(*texts: str | None) -> str | None:
    for text in texts:
        if not text:
            continue
        match = _CITY.match(squash(text))
        if match and not match["city"].startswith(("市", "全市", "本市", "我市")):
            return match["city"]
    return None


def issuer_of(notice: str | None, title: str | None, signed: str | None) -> str | None:
    if signed:
        return signed
    if notice:
        match = re.match(r"^(.+?)关于", notice)
        if match:
            return match.group(1)
    if title and not title.startswith("关于"):  # 关于城区…的公示: the subject, not the issuer
        match = re.match(
            r"^((?:[\u4e00-\u9fa5]{2,3}省)?[\u4e00-\u9fa5]{1,4}?(?:市|县|区|州))", title
        )
        if match:
            return match.group(1)
    return None


_PERIOD = re.compile(
    r"(?P<y1>(?:19|20)\d{2})\s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日\s*(?:至|到|—|－|-|~|～)\s*"
    r"(?:(?P<y2>(?:19|20)\d{2})\s*年\s*)?(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
)
_FEEDBACK = re.compile(
    r"(?:于\s*)?(?:(?P<y>(?:19|20)\d{2})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"[^，。；]{0,16}?反馈"
)


def inspection_of(paragraphs: list[str]) -> tuple[list[str] | None, str | None]:
    for text in paragraphs[:15]:
        if not re.search(r"督察|巡视|巡察|检查|督导|督查", text):
            continue
        period = None
        match = _PERIOD.search(text)
        year = None
        if match:
            try:
                y1 = int(match["y1"])
                y2 = int(match["y2"] or y1)
                start = dt.date(y1, int(match["m1"]), int(match["d1"]))
                end = dt.date(y2, int(match["m2"]), int(match["d2"]))
                period = [start.isoformat(), end.isoformat()]
                year = y2
            except ValueError:
                period = None
        feedback = None
        fb = _FEEDBACK.search(text, match.end() if match else 0)
        if fb and (fb["y"] or year):
            try:
                feedback = dt.date(int(fb["y"] or year), int(fb["m"]), int(fb["d"])).isoformat()
            except ValueError:
                feedback = None
        if period or feedback:
            return period, feedback
    return None, None


def year_of(
    title: str | None, issued: dt.date | None, period, feedback, paragraphs: list[str]
) -> int | None:
    if issued:
        return issued.year
    if title:
        match = re.search(r"((?:19|20)\d{2})\s*(?:年|—|-)", title)
        if match:
            return int(match.group(1))
    if feedback:
        return int(feedback[:4])
    if period:
        return int(period[1][:4])
    years = Counter(
        int(m.group(1)) for text in paragraphs for m in re.finditer(r"((?:19|20)\d{2})\s*年", text)
    )
    return years.most_common(1)[0][0] if years else None


# --- guarantee rules -------------------------------------------------------------------------


def rules_of(paragraphs: list[str], year: int | None, issued: dt.date | None) -> list[dict]:
    """Rules the body sets for every task: detailed plans due, monthly reports, report dates,
    acceptance procedure."""
    rules: list[dict] = []
    for text in paragraphs:
        for hit in find_dates(text, year, issued):
            clause = clause_after(text, hit)
            if hit.kind == "relative":
                what = text[hit.end : _end(text, hit.end)].strip("，, ")
                kind = "detailed_plan_due" if re.search(r"方案|细化", what) else "relative_due"
                rule = {
                    "kind": kind,
                    "raw": squash_keep(text[hit.start : _end(text, hit.end)]),
                    "what": what,
                    "date": hit.iso,
                    "anchor": hit.extra.get("anchor", ""),
                }
                unit = hit.extra["unit"]
                if unit == "个工作日":
                    rule["workdays"] = hit.extra["amount"]
                elif unit == "个月":
                    rule["months"] = hit.extra["amount"]
                else:
                    rule["days"] = hit.extra["amount"]
                rules.append(rule)
            elif hit.kind == "recurring" and re.search(r"报|上报|报送|报告", clause):
                per = hit.extra.get("per")
                when = hit.extra.get("when", "")
                kind = {
                    "月": "monthly_report",
                    "季度": "quarterly_report",
                    "季": "quarterly_report",
                    "半年": "half_year_report",
                    "年": "annual_report",
                    "周": "weekly_report",
                    "旬": "ten_day_report",
                }.get(per, "recurring_report")
                day = (
                    "month_end"
                    if when in ("月底", "底", "末", "年底")
                    else (cn_int(when.rstrip("日")) if when.endswith("日") else when or None)
                )
                rules.append(
                    {
                        "kind": kind,
                        "raw": hit.raw,
                        "what": clause[len(hit.raw) :].strip("，, "),
                        "day": day,
                    }
                )
            elif (
                hit.date
                and hit.kind in ("day", "month", "year")
                and re.search(r"报送|上报|报告|报市|报省|提交", clause)
            ):
                rules.append(
                    {
                        "kind": "report_due",
                        "raw": hit.raw,
                        "what": clause[len(hit.raw) :].strip("，, "),
                        "date": hit.iso,
                    }
                )
        match = re.search(r"[“\"]?一事一验[”\"]?", text)
        if match:
            rules.append(
                {"kind": "acceptance", "raw": match.group(), "what": "一事一验：逐项现场验收、销号"}
            )
        match = re.search(r"(?:整改|各项)?任务全部完成后[，,]?([^。；]*)", text)
        if match and re.search(r"报", match.group(1)):
            rules.append(
                {"kind": "final_report", "raw": match.group().strip("，,"), "what": match.group(1)}
            )
    return rules


def squash_keep(text: str) -> str:
    return text.strip()


def _end(text: str, pos: int) -> int:
    ends = [i for i in (text.find(c, pos) for c in "，。；,;") if i >= 0]
    return min(ends) if ends else len(text)


__all__ = ["DateHit"]
