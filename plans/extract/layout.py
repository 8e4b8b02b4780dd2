"""Labelled fields however a document lays them out → one line ``标签：值`` per field.

Notices (整改公示, 曝光台, 完成情况公示) give one item by labels, and each site lays the labels
out its own way:

* ``【存在问题】工地…`` — bracketed labels, the value after the bracket or on the next lines;
* ``整改责任单位`` alone on a line and its value on the following lines (a web page's copy of a
  table), or a numbered heading ``二、整改实施主体`` with the value below it;
* ``整改任务概述 | …`` — a two-column table flattened to text;
* ``… 整改目标:A。 整改措施:B 整改完成情况:C`` — several labels inside one paragraph;
* ``【4月20日 问题一】`` — an item header in brackets.

``normalise`` rewrites all of these into the form the task-list reader knows (``标签：值`` at the
start of a line, list items kept on their own lines), stops a value at the notice's closing
(``特此公示``, ``如有异议…``, ``请…开展现场调查``) and at the site's furniture (navigation,
share buttons, footer), and turns telephone numbers in closing lines into ``联系电话：`` lines.
When no label gives the problem, a problem quoted in the lead-in (“…”问题) is used, and a unit
that "承担" the problem becomes the responsible unit.
"""

from __future__ import annotations

import re

from .fields import (
    BARE_LABEL,
    INLINE_LABEL,
    LABEL,
    MULTI_LINE,
    OCR_LABEL,
    SINGLE_LINE,
    field_of,
    is_place,
    near_label,
)

_CN = "一二三四五六七八九十"
_HEADING = re.compile(rf"^(?:[{_CN}]+\s*[、.．]|[（(]\s*[{_CN}]+\s*[）)])\s*")
_LIST_ITEM = re.compile(r"^(?:[（(]?\d{1,2}\s*[.．、)）](?!\d)|[①-⑳])")
_BRACKET = re.compile(r"^【\s*([^【】]{1,20}?)\s*】\s*")
_ITEM_HEADER = re.compile(rf"^【[^【】]{{0,16}}?(问题|任务|事项)\s*([{_CN}]+|\d{{1,3}})\s*】\s*$")
_PIPE = re.compile(r"^\|?\s*([^|]{2,16}?)\s*\|\s*(.*?)\s*\|?\s*$")
_PHONE = re.compile(
    r"(?:(?:\(?0\d{2,3}\)?[-—－ ]?)?\d{7,8}(?:[-—－]\d{1,4})?"  # 0434-3515228, 12345678
    r"|1[3-9]\d{9}"  # a mobile number
    r"|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"  # an e-mail address
)
_SENTENCE_END = re.compile(r"[。！!？?]\s*(?=\S)")
_CONTACT_WORD = re.compile(r"(?:电话|热线|手机|邮箱|信箱|联系方式)")
# the notice's own closing words: the item has ended
CLOSING = re.compile(
    r"^(?:特此(?:公示|公告|通报)|公示(?:时间|期|日期|期间)|如(?:对.{0,30})?有异议|如有疑问|"
    r"以上(?:整改)?(?:情况|内容)(?:向社会|予以|进行)?公示|欢迎社会各界|"
    r"请\S{0,20}?(?:开展|进行|组织)?\S{0,4}(?:现场)?(?:调查|核查|处理|整改)\S{0,30}(?:报告|反馈)|"
    r"附表[：:]|附件[：:]|相关阅读|相关文章|相关新闻|责任编辑|下一步[,，])"
)
# the web site around the document: navigation and buttons (dropped), page details (kept: the
# publication date is read from them) — both end a field
NAVIGATION = re.compile(
    r"^(?:您(?:当前)?(?:所在|的)?(?:的)?位置|当前位置|首页\s*[>》]|分享到|扫一扫|打印(?:本页)?$|"
    r"关闭(?:窗口)?$|政务$|微信$|微博$|网站标识码|.{0,20}ICP备|.{0,20}公网安备|版权所有|"
    r"关于我们|网站地图|使用帮助|网站声明|IE版本过低|关爱版$|无障碍|返回(?:顶部|首页)|上一篇|下一篇|"
    r"【(?:打印|关闭)|图片$|视频$|文章二维码|手机扫码)"
)
FURNITURE = re.compile(
    NAVIGATION.pattern[:-1]
    + r"|发布(?:日期|时间)[：:]|来源[：:]|浏览(?:次数|量)|点击(?:数|量|率)|字号|【?\s*字体"
    + r"|主办[：:]|承办[：:])"
)
_DATE_ONLY = re.compile(r"^(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_SIGNATURE = re.compile(
    r"^[\u4e00-\u9fa5]{2,24}(?:局|委|办|办公室|政府|中心|委员会|指挥部|领导小组|管委会)$"
)
_QUOTED_PROBLEM = re.compile(
    r"“((?=[^“”]*[\u4e00-\u9fa5]{4})[^“”]{10,400})”\s*(?:问题|整改工作|的问题|等问题|的?整改(?:落实|完成)?(?:任务|情况))"
)
# a report's answer to a numbered problem opens with the problem's state: 该问题已完成整改。…
_STATUS = re.compile(
    r"^(?:(?:该|此|本)项?(?:问题|任务|事项)(?:已经?|已基本|已全面|基本|正在|仍在|尚未|未)"
    r"|已经?(?:全面|基本)?(?:完成整改|整改完成|整改到位|整改完毕|销号)"
    r"|(?:目前)?整改(?:已完成|已到位|工作已完成|正在推进|进行中)[，,。；;])"
)
_UNDERTAKES = re.compile(
    r"^([\u4e00-\u9fa5]{2,14}?(?:区|县|市|旗|镇|街道|局|委|办|政府|管委会))承担的"
)


def is_stop(line: str) -> bool:
    """Does this line end whatever field is being read (a closing, the site, a date, a
    signature)?"""
    text = line.strip()
    return bool(
        CLOSING.match(text)
        or FURNITURE.match(text)
        or _DATE_ONLY.match(re.sub(r"\s+", "", text))
        or "@" in text
        and not _PHONE.search(text)
    )


_OCR_HEADING = re.compile(r"^[^\s、.．]{1,2}\s*[、.．]\s*")


def _heading_label(text: str, ocr: bool = False) -> str | None:
    """``二、整改实施主体`` → ``整改实施主体``; None for other lines. In OCR text the number
    may be misread (``入、`` for 六) and the label off by one character."""
    bare = text.strip().rstrip("：: ")
    heading = _HEADING.match(bare) or (_OCR_HEADING.match(bare) if ocr else None)
    if not heading:
        return None
    rest = bare[heading.end() :].strip()
    if BARE_LABEL.match(rest):
        return rest
    return near_label(rest) if ocr else None


def headings_are_fields(lines: list[str], ocr: bool = False) -> bool:
    """Are the document's numbered headings its fields (一、整改问题 二、整改实施主体 …), rather
    than a plan's parts that happen to share a name (二、整改目标 in a plan's body)?"""
    pattern = _OCR_HEADING if ocr else _HEADING
    headings = [line.strip() for line in lines if pattern.match(line.strip())]
    labelled = [(h, label) for h, label in ((h, _heading_label(h, ocr)) for h in headings) if label]
    labels = [label for _, label in labelled]
    fields = {field_of(label) for label in labels}
    # compared with the headings of their own level: （一）… lists under 一、整改问题 don't count
    levels = {h[:1] in "（(" for h, _ in labelled}
    peers = [h for h in headings if (h[:1] in "（(") in levels]
    return (
        len(labels) >= 3
        and len(labels) >= 0.6 * len(peers)
        and bool(fields & {"problem", "responsible", "progress"})
    )


def _label_line(text: str, headings: bool = True) -> tuple[str | None, str, str]:
    """(field, label, value) of a line that opens a field in any of the layouts, else
    (None, "", text). ``headings``: numbered headings may be labels."""
    match = LABEL.match(text)
    if match:
        return field_of(match.group()), match.group().rstrip("：: "), text[match.end() :].strip()
    bracket = _BRACKET.match(text)
    if bracket and field_of(bracket.group(1)):
        return field_of(bracket.group(1)), bracket.group(1), text[bracket.end() :].strip()
    bare = text.rstrip("：: ")
    label = _heading_label(text, ocr=headings == "ocr") if headings else None
    if label:
        return field_of(label), label, ""
    if BARE_LABEL.match(bare):
        return field_of(bare), bare, ""
    pipe = _PIPE.match(text)
    if pipe and "|" in text and field_of(pipe.group(1)):
        return field_of(pipe.group(1)), pipe.group(1).strip(), pipe.group(2).strip()
    return None, "", text


def _split_inline(line: str) -> list[str]:
    """One paragraph holding several labels → one line per label; a closing with a telephone
    number at the end becomes its own line."""
    cuts = [
        m.start() for m in INLINE_LABEL.finditer(line) if m.start() > 0 and _free(line, m.start())
    ]
    # the notice's closing sentence written on at the end of a field (…已完成整改。如对…有异议…)
    cuts += [m.end() for m in _SENTENCE_END.finditer(line) if CLOSING.match(line[m.end() :])]
    before_contact = re.compile(r"(?<=[。；;！!\s])[^\s。；;，,]{0,10}?" + _CONTACT_WORD.pattern)
    for match in before_contact.finditer(line):
        if _PHONE.search(line, match.end(), match.end() + 30):
            cuts.append(match.start())
    if not cuts:
        return [line]
    parts, start = [], 0
    for cut in sorted(set(cuts)):
        parts.append(line[start:cut].strip())
        start = cut
    parts.append(line[start:].strip())
    return [p for p in parts if p]


def _free(line: str, at: int) -> bool:
    """May a field start at ``at``: outside brackets, after a sentence or a space (not inside
    ``牵头单位：A；责任单位：B``, where one clause lists the units of one task)?"""
    before = line[:at]
    if any(before.count(a) > before.count(b) for a, b in ("（）", "()", "〔〕", "【】", "“”")):
        return False
    return bool(re.search(r"[。！!？?]\s*$|[^；;，,、\s]\s+$", before))


def contact_line(text: str) -> str | None:
    """``联系电话：0434-3515228`` for a closing line that gives a telephone number or e-mail."""
    if not _CONTACT_WORD.search(text):
        return None
    found = _PHONE.findall(text)
    if not found:
        return None
    word = "电子邮箱" if "@" in found[0] else "联系电话"
    return f"{word}：" + "、".join(found)


def normalise(lines: list[str], *, ocr: bool = False) -> list[str]:
    """Physical lines → lines where every field label starts a line as ``标签：值``."""
    split: list[str] = []
    for line in lines:
        if NAVIGATION.match(line.strip()):
            continue
        if ocr:  # a label read with a stray mark before its colon (整改时限;: …)
            line = OCR_LABEL.sub(r"\1：", line.strip())
        split.extend(_split_inline(line) if line.strip() else [line])
    out: list[str] = []
    i = 0
    seen_labels = False
    headings = headings_are_fields(split, ocr) and ("ocr" if ocr else True)
    while i < len(split):
        text = split[i].strip()
        header = _ITEM_HEADER.match(text)
        if header:
            out.append(f"{header.group(1)}{header.group(2)}、")
            i += 1
            continue
        field, label, value = _label_line(text, headings)
        if field is None and _STATUS.match(text) and _after_number(out):
            field, label, value = "progress", "整改情况", text
        if field is None:
            contact = contact_line(text) if seen_labels or is_stop(text) else None
            out.append(contact if contact else split[i])
            i += 1
            continue
        seen_labels = True
        i += 1
        values = [value] if value else []
        gathered, i = _gather(split, i, field, has_value=bool(value), headings=headings)
        if field in ("measures", "progress") and gathered:
            out.append(f"{label}：{value}" if value else f"{label}：")
            out.extend(gathered)
            continue
        values.extend(gathered)
        entries = _complaints(label, values)
        if entries:
            i = _share_fields(split, i, entries, out, headings)
            continue
        out.append(f"{label}：" + "".join(values))
    return _with_lead_in(out)


def _after_number(out: list[str]) -> bool:
    """Is the last line written a numbered paragraph without a label (a problem heading)?"""
    last = next((line.strip() for line in reversed(out) if line.strip()), "")
    numbered = _HEADING.match(last) or _LIST_ITEM.match(last)
    return bool(numbered) and _label_line(last[numbered.end() :].strip(), False)[0] is None


# a notice of complaints handed over (举报事项：1. … 2. …) lists several problems, then the
# unit and the time limit that apply to each of them
_COMPLAINT_LABELS = ("举报事项", "举报内容", "信访事项", "信访问题", "交办问题")


def _complaints(label: str, values: list[str]) -> list[str] | None:
    if label not in _COMPLAINT_LABELS or len(values) < 2:
        return None
    numbers = [re.match(r"^(\d{1,2})\s*[.．、)）]\s*", v) for v in values]
    if not all(numbers) or [int(n.group(1)) for n in numbers] != list(range(1, len(values) + 1)):
        return None
    return [v[n.end() :] for v, n in zip(values, numbers, strict=True)]


def _share_fields(lines: list[str], i: int, entries: list[str], out: list[str], headings) -> int:
    """Write one item per complaint, each with the field lines that follow the list."""
    shared: list[str] = []
    while i < len(lines):
        text = lines[i].strip()
        if not text:
            i += 1
            continue
        field, label, value = _label_line(text, headings)
        if field is None or field == "problem":
            break
        shared.append(f"{label}：{value}")
        i += 1
    for number, entry in enumerate(entries, start=1):
        out.append(f"{number}、{entry}")
        out.extend(shared)
    return i


def _gather(lines, i: int, field: str | None, *, has_value: bool, headings: bool) -> tuple:
    """The lines after a label that still belong to its value, and the index after them."""
    out: list[str] = []
    short = field in SINGLE_LINE or is_place(field)
    while i < len(lines):
        text = lines[i].strip()
        if not text:
            i += 1
            continue
        if _label_line(text, headings)[0] or _ITEM_HEADER.match(text) or is_stop(text):
            break
        if _HEADING.match(text) and not (out and _HEADING.match(out[0])):
            if not (out or has_value) and field in MULTI_LINE and text[:1] in "（(":
                out.append(text)  # 一、整改问题 then （一）… （二）…: the value is a list
                i += 1
                continue
            break  # the document's next part (三、下步计划)
        if short and (has_value or out) and not (out or [""])[-1].endswith(("、", "，", ",")):
            break  # a unit list, date or place is one line
        if field not in MULTI_LINE and not short:
            break
        if contact_line(text) and not _LIST_ITEM.match(text):
            break
        out.append(text)
        i += 1
    return out, i


def _with_lead_in(lines: list[str]) -> list[str]:
    """A problem quoted in the lead-in, and the unit that 承担 it, when no label gives them."""
    fields = [field_of(m.group()) for m in (LABEL.match(line.strip()) for line in lines) if m]
    if not fields:  # a notice that only names its problem in quotes (关于“…问题”整改情况的公示)
        for k, line in enumerate(lines):
            quoted = _QUOTED_PROBLEM.search(line)
            if quoted and not _LIST_ITEM.match(line.strip()):
                return [*lines[: k + 1], "反馈问题：" + quoted.group(1), *lines[k + 1 :]]
        return lines
    first = next(k for k, line in enumerate(lines) if LABEL.match(line.strip()))
    extra: list[str] = []
    lead_in = lines[:first]
    if "problem" not in fields and not any(_LIST_ITEM.match(line.strip()) for line in lead_in):
        for line in lead_in:
            quoted = _QUOTED_PROBLEM.search(line)
            if quoted:
                extra.append("反馈问题：" + quoted.group(1))
                break
    if not {"responsible", "lead"} & set(fields):
        for line in lead_in:
            undertakes = _UNDERTAKES.match(line.strip())
            if undertakes:
                extra.append("责任单位：" + undertakes.group(1))
                break
    return lines[:first] + extra + lines[first:]
