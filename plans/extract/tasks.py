"""Paragraphs → tasks, for the two kinds of plan.

* **task_list** (督察整改任务清单): numbered problems, each followed by field labels
  (整改责任单位/督导验收单位/整改目标/整改时限/整改措施) and its measures, possibly in
  per-district sub-sections (``鄠邑区：``) or inline district lines (``西咸新区：对…``).
* **work_plan** (工作方案): numbered tasks under sections, each paragraph ending in a
  responsibility bracket (〔A牵头，B参与，C落实〕, (A牵头，B配合，C负责落实)), or followed by
  ``牵头单位：…；责任单位：…`` lines; defaults such as "以下各项工作均需…落实，不再列出" apply
  to every later task.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from . import units as unitlists
from .dates import DateHit, clause_after, clause_around, cn_int, find_dates, year_only_commitments
from .fields import LABEL, field_of, is_place
from .layout import is_stop
from .quantities import problem_numbers, targets
from .text import DISTRICT_HEADER, STRUCTURAL, inline_numbered, is_heading, squash

_CN_NUM = "一二三四五六七八九十百零〇"

_STYLES = [
    ("part", re.compile(rf"^第(?P<n>[{_CN_NUM}\d]+)(?:部分|章|篇)\s*")),
    ("cn", re.compile(rf"^(?P<n>[{_CN_NUM}]+)\s*[、.．]\s*")),
    ("paren_cn", re.compile(rf"^[（(]\s*(?P<n>[{_CN_NUM}]+)\s*[）)]\s*")),
    ("arabic", re.compile(r"^(?P<n>\d{1,3})\s*(?:[、．]|\.(?!\d)|\.(?=\d{4}\s*年))\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*(?P<n>\d{1,3})\s*[）)]\s*")),
    ("circled", re.compile(r"^(?P<n>[①-⑳])\s*")),
    # 问题1：… / 问题一、… / 任务3. … : items numbered with a word before the number
    (
        "worded",
        re.compile(
            rf"^(?:反馈问题|问题|整改任务|整改事项|任务|事项)\s*(?P<n>\d{{1,3}}|[{_CN_NUM}]+)"
            r"\s*[：:、.．]\s*"
        ),
    ),
]


_RANK = {
    "part": -1,
    "cn": 0,
    "paren_cn": 1,
    "worded": 1.5,
    "arabic": 2,
    "paren_arabic": 3,
    "circled": 4,
}


def _higher(style: str | None, than: str) -> bool:
    """Is a paragraph of ``style`` a level above items numbered in ``than`` (a section)?"""
    return style is not None and _RANK[style] < _RANK.get(than, 99)


def marker(text: str) -> tuple[str | None, int | None, str]:
    """(style, number, text without the marker) of a paragraph."""
    for style, pattern in _STYLES:
        match = pattern.match(text)
        if match:
            raw = match["n"]
            if style == "circled":
                number = ord(raw) - ord("①") + 1
            else:
                number = cn_int(raw) if not raw.isdigit() else int(raw)
            if number is None:
                continue
            return style, number, text[match.end() :]
    return None, None, text


def label_of(text: str) -> tuple[str | None, str]:
    match = LABEL.match(text)
    if not match:
        return None, text
    return field_of(match.group()), text[match.end() :].strip()


def detect_kind(paragraphs: list[str]) -> str:
    labels = Counter(label_of(p)[0] for p in paragraphs)
    inline = sum(1 for p in paragraphs if marker(p)[0] and _FIELD_BRACKET.search(p))
    labels["deadline"] += (
        sum(1 for p in paragraphs if marker(p)[0] and re.search(r"[（(][^（）()]*时限", p))
        if labels["measures"]
        else 0
    )
    labels["responsible"] += inline if labels["measures"] else 0
    unit_labels = labels["responsible"] + labels["lead"] + labels["acceptance"]
    time_labels = labels["deadline"] + labels["measures"] + labels["target"]
    described = labels["problem"] + labels["progress"] + labels["target"] + labels["measures"]
    headed = [  # the field right after a numbered paragraph: an item and its fields
        label_of(p)[0]
        for before, p in zip(paragraphs, paragraphs[1:], strict=False)
        if marker(before)[0] and not label_of(before)[0] and label_of(p)[0] not in (None, "contact")
    ]
    kinds = {f for f in labels if f and f != "contact"}
    if labels["problem"] == 1 and not any(marker(p)[0] for p in paragraphs):
        return "task_list"  # a notice about one problem, nothing numbered
    if kinds == {"progress"} and "progress" in headed:
        return "task_list"  # a report: numbered problems, each followed by what was done
    if (labels["problem"] or headed) and len(kinds) >= 2 and described >= 1:
        return "task_list"  # a notice: one or more problems given by labels
    if len(headed) >= 2 and set(headed) - {"lead", "participants"}:
        return "task_list"  # numbered items, each followed by its 责任主体/整改时限 …
    if unit_labels >= 1 and time_labels >= 1 and unit_labels + time_labels >= 3:
        # 牵头单位/责任单位 lines alone after each task are a work plan's variant
        if labels["deadline"] + labels["measures"] + labels["acceptance"] == 0:
            return "work_plan"
        return "task_list"
    return "work_plan"


# --- shared helpers --------------------------------------------------------------------------


def _title(text: str) -> str:
    """The first sentence; for a problem written as a list (``1.…；2.…``) its first entry."""
    listed = re.match(r"^(?:[（(]?1\s*[.．、)）]|[（(]一[）)])\s*", text)
    if listed:
        return re.split(r"[。；;]", text[listed.end() :], maxsplit=1)[0].strip()
    head = re.split(r"[。]", text, maxsplit=1)[0]
    # a copy that turned 。 into a half-width stop ends its sentence with "." (kept inside)
    return head.strip().removesuffix(".").removesuffix("．").strip()


def _flags(raw: str) -> tuple[bool, bool]:
    immediate = bool(re.search(r"立行立改|立即整改|即知即改|立查立改|马上就改", raw))
    ongoing = bool(re.search(r"长期坚持|持续推进|长期|持续|常态化|久久为功", raw))
    return immediate, ongoing


def _deadline(raw: str | None, year: int | None, issued) -> dict:
    out = {
        "deadline_raw": raw,
        "deadline": None,
        "immediate": False,
        "ongoing": False,
        "deadlines": [],
        "uncertain": [],
        "deadline_note": None,
    }
    if not raw:
        return out
    out["immediate"], out["ongoing"] = _flags(raw)
    if re.search(r"即日起|^\s*立即", raw):  # a deadline field that says "from today"
        out["immediate"] = True
    found = find_dates(raw, year, issued)
    hits = [h for h in found if h.kind != "recurring"]
    dated = [h for h in hits if h.date]
    if not dated:
        # in a deadline field a year stands for its end: 2024年度 / 2024年 → 2024-12-31
        for match in re.finditer(r"((?:19|20)\d{2})\s*年度?(?![\d\s]*[月季])", raw):
            date = dt.date(int(match.group(1)), 12, 31)
            dated.append(DateHit(match.start(), match.end(), match.group(), date, "year", True))
    if any(h.kind == "recurring" for h in found):
        out["ongoing"] = True  # 每季度末 / 每月底前: a recurring duty
    for h in dated:
        out["deadlines"].append({"date": h.iso, "raw": h.raw.strip(), "what": "", "clause": raw})
    if dated:
        chosen = dated[0] if len(dated) == 1 else max(dated, key=lambda h: h.date)
        out["deadline"] = chosen.iso
        if len(dated) > 1:
            out["uncertain"].append("deadline")
        if re.search(r"阶段性|初见成效|取得.{0,4}进展", raw):
            out["deadline_note"] = "阶段性成效"
            out["uncertain"].append("deadline")
        if not chosen.explicit_year and chosen.kind != "relative":
            out["uncertain"].append("deadline")
    elif not (out["immediate"] or out["ongoing"]):
        out["uncertain"].append("deadline")
    return out


def _unit_entries(items: list[tuple[str, str, set[str], str, bool]]) -> list[dict]:
    """Merge expanded mentions by name: (name, raw, roles, note, open_ended)."""
    merged: dict[str, dict] = {}
    for name, raw, roles, note, open_ended in items:
        entry = merged.setdefault(
            name, {"name": name, "raw": raw, "roles": [], "note": note, "open_ended": open_ended}
        )
        for role in sorted(roles, key=_ROLE_ORDER.index):
            if role not in entry["roles"]:
                entry["roles"].append(role)
        entry["note"] = entry["note"] or note
        entry["open_ended"] = entry["open_ended"] or open_ended
    for entry in merged.values():
        entry["roles"].sort(key=_ROLE_ORDER.index)
    return list(merged.values())


_ROLE_ORDER = ["responsible", "lead", "participant", "implementer", "acceptance", "acceptance_lead"]


def _expanded(raw: str, role: str, lead_role: str | None) -> list[tuple]:
    out = []
    for m in unitlists.expand(raw):
        roles = {role}
        if m.lead and lead_role:
            roles.add(lead_role)
        out.append((m.name, m.raw, roles, m.note, m.open_ended))
    return out


def _dated_commitments(text: str, year: int | None, issued) -> list[dict]:
    """Milestones of one measure: every dated commitment, with its clause."""
    out = []
    hits = [
        h
        for h in find_dates(text, year, issued)
        if h.kind in ("day", "month", "year", "relative") and h.date
    ]
    hits += [
        h
        for h in year_only_commitments(text)
        if not any(h.start < x.end and x.start < h.end for x in hits)
    ]
    for hit in sorted(hits, key=lambda h: h.start):
        if _not_a_deadline(text, hit) or _an_event(text, hit):
            continue
        raw = clause_after(text, hit)
        date_raw = _date_raw(hit)
        raw = raw[raw.index(date_raw) :] if date_raw in raw else raw
        what = raw[len(date_raw) :].lstrip("，, ") if raw.startswith(date_raw) else raw
        milestone = {"date": hit.iso, "raw": raw, "date_raw": date_raw, "what": what}
        if hit.kind == "year_only":
            milestone["uncertain"] = True
        out.append(milestone)
    return out


def _an_event(text: str, hit: DateHit) -> bool:
    """A day or month that dates what happened (``2020年7月12日，…进行约谈``, ``8月初``), not a
    promise: no 前/底/末/内 with it and no 完成/达到 … after it."""
    if hit.kind not in ("day", "month"):
        return False
    if re.search(r"[前底末内]", hit.raw):
        return False
    promise = r"\s*(?:前|之前|以前|底|末|内|完成|建成|达到|实现|全部|基本|全面)"
    return not re.match(promise, text[hit.end :])


def _not_a_deadline(text: str, hit: DateHit) -> bool:
    after = text[hit.end : hit.end + 6]
    before = text[max(0, hit.start - 4) : hit.start]
    if re.match(r"\s*(?:以来|起|开始|期间|至今|调整|发布)", after):
        return True
    if re.search(r"(?:自|从|截至|截止)\s*$", before):
        return True
    return False


# --- task lists ------------------------------------------------------------------------------


def parse_task_list(
    paragraphs: list[str], year: int | None, issued
) -> tuple[list[dict], list[int]]:
    """Items of a field-labelled task list, and the indexes of the paragraphs they used."""
    labelled = [i for i, p in enumerate(paragraphs) if label_of(p)[0]]
    # the item headers: the numbered paragraph nearest before each run of labels, unless it
    # continues a run of measures (fields written after a measure belong to that measure);
    # a run that opens with 反馈问题：/问题描述： and has no number before it is an item too
    header_styles: Counter = Counter()
    heads: list[int] = []
    label_heads: list[int] = []
    # a report whose only fields are what was done: each numbered problem before one is an item
    report = {label_of(paragraphs[i])[0] for i in labelled} <= {"progress", "contact"}
    for i in labelled:
        if i > 0 and label_of(paragraphs[i - 1])[0]:
            continue
        field = label_of(paragraphs[i])[0]
        if field == "progress" and not (report and i > 0 and marker(paragraphs[i - 1])[0]):
            continue
        found = None
        for j in range(i - 1, -1, -1):
            if label_of(paragraphs[j])[0]:
                break
            style, number, _ = marker(paragraphs[j])
            if style:
                found = j
                break
        if found is not None and field == "problem" and is_heading(paragraphs[found]):
            found = None  # 二、整改情况 / 问题描述：… — a part's heading, then the item by labels
        if found is not None and not _continues_measures(paragraphs, found):
            heads.append(found)
            header_styles[marker(paragraphs[found])[0]] += 1
        elif field == "problem" or _run_has_problem(paragraphs, i):
            label_heads.append(i)  # an item given by labels alone (【点位名称】…【存在问题】…)
    if not header_styles and not label_heads:
        return [], []
    if header_styles:
        style = header_styles.most_common(1)[0][0]
        starts = sorted({j for j in heads if marker(paragraphs[j])[0] == style})
    else:
        style = "label"
        starts = sorted(label_heads)
    sections = {
        i: re.sub(r"[。.]$", "", marker(p)[2].strip())
        for i, p in enumerate(paragraphs)
        if _higher(marker(p)[0], style) and (is_heading(p) or marker(p)[0] == "part")
    }
    items = []
    used: list[int] = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(paragraphs)
        end = _trim_tail(paragraphs, start, end)
        end = min([i for i in sections if start < i < end] or [end])
        used.extend(range(start, end))
        item = _task_item(
            paragraphs[start:end], year, issued, number=k + 1 if style == "label" else None
        )
        before = [i for i in sections if i < start and (k == 0 or i > starts[k - 1])]
        previous = items[-1]["section"] if items else None
        item["section"] = sections[max(before)] if before else previous
        items.append(item)
    return items, used


def _run_has_problem(paragraphs: list[str], i: int) -> bool:
    """Does the run of labelled paragraphs starting at ``i`` name a problem?"""
    for paragraph in paragraphs[i:]:
        field = label_of(paragraph)[0]
        if field is None:
            return False
        if field == "problem":
            return True
    return False


def _continues_measures(paragraphs: list[str], j: int) -> bool:
    """Is numbered paragraph ``j`` the next measure of a list that follows a 整改措施： label
    (same numbering style, the number before it one less)?"""
    style, number, _ = marker(paragraphs[j])
    for i in range(j - 1, -1, -1):
        field = label_of(paragraphs[i])[0]
        if field:
            return False
        p_style, p_number, _ = marker(paragraphs[i])
        if p_style == style:
            if p_number != (number or 0) - 1:
                return False
            for k in range(i - 1, -1, -1):
                field = label_of(paragraphs[k])[0]
                if field:
                    return field in ("measures", "progress")
                if marker(paragraphs[k])[0] not in (None, style):
                    return False
            return False
    return False


def _label_in_block(paragraphs, heads, i) -> bool:
    """Is label paragraph ``i`` inside the block of the last found head (no new head between)?"""
    if not heads:
        return False
    last = heads[-1]
    between = paragraphs[last + 1 : i]
    return any(label_of(p)[0] for p in between)


_TAIL = re.compile(
    r"^(?:抄送|抄报|主送|印发|（此件|\(此件|联系人|附件\s*\d*[：:]?$|附\s*件\s*\d*$)"
)


def _trim_tail(paragraphs: list[str], start: int, end: int) -> int:
    for i in range(start + 1, end):
        if (
            _TAIL.match(paragraphs[i])
            or re.match(r"^附\s*件\s*\d*\s*$", paragraphs[i])
            or is_stop(paragraphs[i])
        ):
            return i
    return end


_UNIT_FIELDS = ("responsible", "lead", "participants", "acceptance", "acceptance_lead")


def _task_item(block: list[str], year: int | None, issued, *, number: int | None = None) -> dict:
    head_field, head_value = label_of(block[0])
    i = 1
    if head_field == "problem":  # an item without a number: 反馈问题：…
        first = head_value
    elif head_field is not None:  # an item by labels, the problem among them
        first, i = "", 0
    else:
        _, written, first = marker(block[0])
        number = written if written is not None else number
    problem_parts = [first]
    fields: dict[str, str] = {}
    measures: list[dict] = []
    while i < len(block) and not label_of(block[i])[0]:
        problem_parts.append(block[i])
        i += 1
    in_measures = False
    in_progress = False
    district = None
    progress: list[str] = []
    contacts: list[dict] = []
    place: dict[str, str] = {}
    for text in block[i:]:
        field, value = label_of(text)
        if field and not (in_measures and field in ("problem",)):
            in_progress = field == "progress"
            if in_progress:  # 整改完成情况：what was done (a claim), not what is to be done
                progress.extend([value] if value else [])
                continue
            if field == "contact":  # personal data: kept apart, never a measure or a unit
                contacts.append({"label": LABEL.match(text).group().rstrip("：: "), "value": value})
                in_measures = False
                continue
            if is_place(field):
                place[field.split(":", 1)[1]] = value
                in_measures = False
                continue
            if field == "measures":
                in_measures = True
                if value:
                    measures.extend(_measure_lines([value], district))
                continue
            in_measures = False
            if field in fields and value:  # the field again (主体责任单位 then 监管责任单位)
                glue = "、" if field in _UNIT_FIELDS and fields[field] else ""
                fields[field] = fields[field] + glue + value
            else:
                fields[field] = fields.get(field) or value
            continue
        if in_progress:
            progress.append(text)
            continue
        numbered = bool(marker(text)[0] or DISTRICT_HEADER.match(text))
        if in_measures or ("measures" not in fields and numbered):
            # measures follow their label, or come numbered after the other fields; a notice's
            # prose after its last field (…责成相关单位…, a signature) is not a measure
            in_measures = True
            header = DISTRICT_HEADER.match(text)
            if header and not text[header.end() :].strip():
                district = re.sub(r"\s|[：:]", "", header.group())
                continue
            measures.extend(_measure_lines([text], district))
            if measures and measures[-1].get("_inline"):
                district_after = None
                district = district_after
            continue
    problem = "".join(problem_parts).strip() or fields.get("problem", "").strip()
    title = _title(problem)
    responsible_raw = fields.get("responsible", "")
    lead_raw = fields.get("lead", "")
    acceptance_raw = fields.get("acceptance", "")
    acceptance_lead_raw = fields.get("acceptance_lead", "")
    participants_raw = fields.get("participants", "")
    resp = unitlists.literal_list(responsible_raw)
    lead_list = unitlists.literal_list(lead_raw)
    acc = unitlists.literal_list(acceptance_raw)
    acc_lead = unitlists.literal_list(acceptance_lead_raw)
    part = unitlists.literal_list(participants_raw)
    responsible = resp.names + [n for n in lead_list.names if n not in resp.names]
    lead = resp.leads + [n for n in lead_list.names if n not in resp.leads]
    for m in measures:  # units a measure names for itself (a table row, an inline bracket)
        for key, bucket in (("responsible", responsible), ("lead", lead)):
            for name in m.get(key) or []:
                if name not in bucket:
                    bucket.append(name)
        if m.get("lead"):
            for name in m["lead"]:
                if name not in responsible:
                    responsible.append(name)
    acceptance = acc_lead.names + [n for n in acc.names if n not in acc_lead.names]
    acceptance_lead = acc_lead.names + [n for n in acc.leads if n not in acc_lead.names]
    target = fields.get("target") or fields.get("requirements")
    dl = _deadline(fields.get("deadline"), year, issued)
    measure_deadlines = [m["deadline_raw"] for m in measures if m.get("deadline_raw")]
    if not fields.get("deadline") and measure_deadlines:
        # the task's deadline is the latest of its measures' (each row of a table has one)
        parts = [_deadline(raw, year, issued) for raw in measure_deadlines]
        dl = _deadline("；".join(measure_deadlines), year, issued)
        dated = [p for p in parts if p["deadline"]]
        dl["deadline"] = max((p["deadline"] for p in dated), default=None)
        dl["deadline_raw"] = "；".join(dict.fromkeys(measure_deadlines))
        dl["uncertain"] = [u for u in dl["uncertain"] if u != "deadline"] + (
            ["deadline"] if len(dated) > 1 else []
        )
    elif not fields.get("deadline") and target:
        # no 整改时限: a date the target sets ("2025年12月31日前…达到70%") is the deadline
        dated = [h for h in find_dates(target, year, issued) if h.date and h.kind != "recurring"]
        if dated:
            chosen = max(dated, key=lambda h: h.date)
            dl["deadline"] = chosen.iso
            dl["deadline_raw"] = chosen.raw.strip()
            dl["deadlines"] = [
                {"date": h.iso, "raw": h.raw.strip(), "what": "", "clause": target} for h in dated
            ]
            dl["uncertain"] = list(dict.fromkeys([*dl["uncertain"], "deadline"]))
            dl["deadline_note"] = "整改目标中的时间"
    unit_rows = (
        _expanded(responsible_raw, "responsible", "lead")
        + [
            (n, r, roles | {"lead", "responsible"}, note, oe)
            for n, r, roles, note, oe in _expanded(lead_raw, "lead", None)
        ]
        + _expanded(participants_raw, "participant", None)
        + _expanded(acceptance_raw, "acceptance", "acceptance_lead")
        + [
            (n, r, roles | {"acceptance"}, note, oe)
            for n, r, roles, note, oe in _expanded(acceptance_lead_raw, "acceptance_lead", None)
        ]
    )
    for m in measures:
        for name in m.get("responsible") or []:
            for u in unitlists.expand(name):
                unit_rows.append(
                    (u.name, u.raw, {"responsible"} | ({"lead"} if u.lead else set()), "", False)
                )
        for name in m.get("lead") or []:
            for u in unitlists.expand(name):
                unit_rows.append((u.name, u.raw, {"responsible", "lead"}, "", False))
    for m in measures:
        m.pop("_inline", None)
        m["milestones"] = _dated_commitments(m["text"], year, issued)
        if m.get("deadline_raw"):
            own = _deadline(m["deadline_raw"], year, issued)
            if own["deadline"] and not any(ms["date"] == own["deadline"] for ms in m["milestones"]):
                m["milestones"].append(
                    {
                        "date": own["deadline"],
                        "raw": m["deadline_raw"],
                        "date_raw": m["deadline_raw"],
                        "what": m["text"],
                    }
                )
            m["deadline"] = own["deadline"]
            m["immediate"], m["ongoing"] = own["immediate"], own["ongoing"]
    uncertain = list(dict.fromkeys(dl["uncertain"]))
    if not responsible:
        uncertain.append("responsible")
    if any(ms.get("uncertain") for m in measures for ms in m["milestones"]):
        uncertain.append("milestones")
    if len(resp.leads) > 1 and any(unitlists._PAIR_BODY.match(n) for n in resp.leads):
        uncertain.append("lead")
    item = {
        "no": number,
        "section": None,
        "title": title,
        "problem": problem,
        "text": problem,
        "responsible": responsible,
        "lead": lead,
        "participants": part.names,
        "implementers": [],
        "acceptance": acceptance,
        "acceptance_lead": acceptance_lead,
        "target": target,
        "deadline_raw": dl["deadline_raw"],
        "deadline": dl["deadline"],
        "immediate": dl["immediate"],
        "ongoing": dl["ongoing"],
        "measures": measures,
        "deadlines": dl["deadlines"],
        "targets": targets(target, find_dates(target, year, issued)) if target else [],
        "numbers": problem_numbers(problem),
        "units": _unit_entries(unit_rows),
        "uncertain": uncertain,
        "responsible_raw": responsible_raw,
        "acceptance_raw": acceptance_raw,
    }
    if resp.note:
        item["responsible_note"] = resp.note
    if acc.note:
        item["acceptance_note"] = acc.note
    if dl["deadline_note"]:
        item["deadline_note"] = dl["deadline_note"]
    if fields.get("leaders"):
        item["leaders"] = fields["leaders"]
    item["progress"] = "\n".join(progress) or None
    item["contacts"] = contacts
    item["place"] = place
    return item


_FIELD_BRACKET = re.compile(
    r"[（(](?P<b>(?:[^（）()]|[（(][^（）()]*[）)])*?"
    r"(?:责任单位|牵头单位|配合单位|牵头部门|责任部门|配合部门|主责单位|整改时限|完成时限|时限要求|"
    r"完成时间|整改期限)\s*[：:](?:[^（）()]|[（(][^（）()]*[）)])*)[）)]\s*[。.；;]?\s*$"
)


def _measure_fields(text: str) -> tuple[str, dict]:
    """A measure with its own fields in a closing bracket (``…（完成时限：2024年底；责任单位：X）``)
    → (text without the bracket, {"responsible": [...], "lead": [...], "deadline_raw": ...})."""
    match = _FIELD_BRACKET.search(text)
    if not match:
        return text, {}
    out: dict = {}
    for part in re.split(r"[；;]", match["b"]):
        field, value = label_of(part.strip())
        if not field or not value:
            continue
        if field == "deadline":
            out["deadline_raw"] = value.strip("。")
        elif field in ("responsible", "lead", "participants"):
            lit = unitlists.literal_list(value)
            out.setdefault(field, []).extend(lit.names)
            if lit.leads:
                out.setdefault("lead", []).extend(n for n in lit.leads if n not in out["lead"])
    ended = "。" if re.search(r"[）)]\s*。\s*$", text) else ""
    return text[: match.start()].rstrip() + ended, out


def _measure_lines(texts: list[str], district: str | None) -> list[dict]:
    out = []
    texts = [part for text in texts for part in inline_numbered(text)]  # 1、…；2、… in one line
    for text in texts:
        text, own = _measure_fields(text)
        style, number, rest = marker(text)
        if style in ("paren_cn", "paren_arabic", "arabic", "circled", "cn"):
            out.append({"no": number, "district": district, "text": rest.strip(), **own})
            continue
        header = DISTRICT_HEADER.match(text)
        if header:
            name = re.sub(r"\s|[：:]", "", header.group())
            out.append(
                {
                    "no": None,
                    "district": name,
                    "text": text[header.end() :].strip(),
                    "_inline": True,
                    **own,
                }
            )
            continue
        out.append({"no": None, "district": district, "text": text.strip(), **own})
    return out


# --- work plans ------------------------------------------------------------------------------

_BRACKET_END = re.compile(r"〔(?P<b>[^〔〕]*)〕\s*[。.]?\s*$")
_PAREN_END = re.compile(
    r"[（(](?P<b>[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]\s*[。.]?\s*$"
)
_UNIT_LINE = re.compile(
    r"^[（(]?\s*(?:牵头单位|责任单位|配合单位|参与单位|落实单位|主办单位|协办单位|责任部门|牵头部门|配合部门)\s*[：:]"
)
_DEFAULT = re.compile(
    r"(?:以下|下列|本方案|各项|所有|其他|其余)[^。〔〕]{0,12}?(?:(?:工作|任务|措施)[^。〔〕]{0,6}?)?"
    r"(?:均|都|皆)(?:需|须|由|要)?"
    r"(?P<units>[^。，,〔〕]{2,60}?)(?P<verb>负责落实|落实|负责|牵头|实施|承担)[^。]{0,6}?不再(?:一一)?列出"
)
_SKIP_SECTIONS = re.compile(r"目标|指导思想|总体要求|基本原则|工作原则|编制依据|适用范围")


_ANY_BRACKET = re.compile(
    r"〔(?P<b1>[^〔〕]*)〕|[（(](?P<b2>[^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*)[）)]"
)


def _is_role_bracket(content: str, kind: str) -> bool:
    content = unitlists.without_defaults(content)
    if not unitlists.looks_like_units(content):
        return False
    return kind == "〔〕" or _role_clause(content)


_TIME_LABEL = re.compile(
    r"^(?:完成时限|完成时间|时限要求|整改时限|时限|时间节点|进度安排)\s*[：:]\s*"
)
_TIME_WORDS = re.compile(
    r"持续|长期|常态|立行立改|立即|年底|年末|月底|月末|季度|半年|\d+\s*月|\d{4}\s*年|[一二三四]季度"
    r"|[上下]半年|工作日|前完成|以前|之前"
)
_UNIT_WORDS = re.compile(r"局|委|办|政府|管委会|党工委|中心|公司|单位|部门|法院|检察院|支队|集团")


def peel_time(content: str) -> tuple[str, str | None]:
    """A responsibility bracket's units without the time stated next to them:
    ``责任单位：A、B，2024年12月底前完成`` → (``责任单位：A、B``, ``2024年12月底前完成``);
    ``A牵头，B落实；完成时限：持续推进`` → (``A牵头，B落实``, ``持续推进``)."""
    parts = re.split(r"([，,；;])", content)
    kept: list[str] = []
    times: list[str] = []
    for i in range(0, len(parts), 2):
        segment = parts[i].strip()
        labelled = _TIME_LABEL.match(segment)
        if labelled:
            times.append(segment[labelled.end() :])
        elif segment and _TIME_WORDS.search(segment) and not _UNIT_WORDS.search(segment):
            times.append(segment)
        else:
            if kept:  # the separator before a kept segment
                kept.append(parts[i - 1])
            kept.append(parts[i])
    if not times or not "".join(kept).strip():
        return content, None
    return "".join(kept).strip(), "；".join(t for t in times if t) or None


def _segments(text: str) -> list[tuple[str, str | None, str, str | None]]:
    """A paragraph cut after each responsibility bracket: ``A。〔units〕B。(units)`` gives two
    parts, each (text, bracket content, kind, time stated in the bracket). Text after the last
    bracket that is only punctuation (``〕。``) is dropped; other text is a part without a
    bracket."""
    out: list[tuple[str, str | None, str, str | None]] = []
    pos = 0
    for match in _ANY_BRACKET.finditer(text):
        kind = "〔〕" if match["b1"] is not None else "()"
        content, when = peel_time(match["b1"] if match["b1"] is not None else match["b2"])
        if not _is_role_bracket(content, kind):
            continue
        before = text[pos : match.start()].strip()
        if not before and out and out[-1][1] is None:
            before = out.pop()[0]
        if not before and out:
            continue  # two brackets in a row: keep the first
        out.append((before, content, kind, when))
        pos = match.end()
    rest = text[pos:].strip()
    if rest.strip("。.;；,， ") or not out:
        out.append((rest, None, "", None))
    return out


def _split_bracket(text: str) -> tuple[str, str | None, str]:
    """(text without bracket, bracket content or None, kind) of a paragraph."""
    match = _BRACKET_END.search(text)
    if match and unitlists.looks_like_units(peel_time(match["b"])[0]):
        return text[: match.start()].rstrip(), match["b"], "〔〕"
    match = _PAREN_END.search(text)
    if match:
        content = peel_time(match["b"])[0]
        if unitlists.looks_like_units(content) and _role_clause(content):
            return text[: match.start()].rstrip(), match["b"], "()"
    return text, None, ""


def _bracket_units(bracket: str, when: str | None) -> dict:
    units = _unit_line(bracket) or unitlists.bracket_literal(bracket)
    if when and not units.get("deadline_raw"):
        units["deadline_raw"] = when
    return units


def _role_clause(body: str) -> bool:
    return bool(
        unitlists._CLAUSE_ROLE.search(squash(body).rstrip("。."))
        or re.search(r"(?:牵头单位|责任单位|配合单位)[：:]", body)
    )


def _unit_line(text: str) -> dict | None:
    """``牵头单位：A；责任单位：B、C`` (also in brackets) → bracket-literal dict."""
    body = text.strip().rstrip("。")
    if body[:1] in "（(" and body[-1:] in "）)":
        body = body[1:-1]
    if not re.search(r"(?:牵头|责任|配合|参与|落实|主办|协办|督导)(?:单位|部门)\s*[：:]", body):
        return None
    out = {
        "lead": [],
        "participants": [],
        "implementers": [],
        "acceptance": [],
        "by_duty": False,
        "open_ended": [],
    }
    for part in re.split(r"[；;。]|\s{2,}", body):
        when = re.match(
            r"\s*(?:完成时限|完成时间|时限要求|整改时限|时限|时间节点)\s*[：:](.*)", part
        )
        if when:
            out["deadline_raw"] = when.group(1).strip()
            continue
        match = re.match(
            r"\s*(牵头|责任|配合|参与|落实|主办|协办|督导)(?:单位|部门)\s*[：:](.*)", part
        )
        if not match:
            continue
        role = {
            "牵头": "lead",
            "主办": "lead",
            "配合": "participants",
            "参与": "participants",
            "协办": "participants",
            "督导": "acceptance",
        }.get(match.group(1), "implementers")
        lit = unitlists.literal_list(match.group(2))
        out[role].extend(lit.names)
        out["lead"].extend(n for n in lit.leads if n not in out["lead"])
        if lit.open_ended:
            out["open_ended"].append(role)
    return out


def parse_work_plan(
    paragraphs: list[str], year: int | None, issued
) -> tuple[list[dict], list[int], list[str]]:
    styles: Counter = Counter()
    for p in paragraphs:
        style, _, _ = marker(p)
        if style and (_split_bracket(p)[1] is not None):
            styles[style] += 1
    if not styles:
        # no brackets: tasks carry 牵头单位 lines or defaults. Tasks read "title。body"; the
        # most frequent style of such paragraphs, else of any paragraph that is no heading.
        for p in paragraphs:
            style, _, rest = marker(p)
            if style and re.search(r"。.", rest):
                styles[style] += 1
    if not styles:
        for p in paragraphs:
            style, _, _ = marker(p)
            if style and not is_heading(p):
                styles[style] += 1
    if not styles:
        return [], [], []
    style = styles.most_common(1)[0][0]
    warnings: list[str] = []
    items: list[dict] = []
    used: list[int] = []
    section = None
    defaults: list[tuple[str, str]] = []  # (role, units raw)
    current: dict | None = None
    skip_section = False
    for i, text in enumerate(paragraphs):
        default = _DEFAULT.search(text)
        p_style, number, rest = marker(text)
        in_task = (p_style == style and not skip_section) or current is not None
        if default and not in_task:
            defaults.append((default["verb"], default["units"]))
            default = None  # stated before the tasks: it applies to all of them
        if _higher(p_style, style):
            if is_heading(text) or len(rest) <= 40 and not _split_bracket(text)[1]:
                section = re.sub(r"[。.]$", "", rest.strip())
                skip_section = bool(_SKIP_SECTIONS.search(section))
                current = None
                continue
        if p_style == style and not skip_section:
            current = {
                "no": number,
                "section": section,
                "paragraphs": [],
                "defaults": list(defaults),
            }
            items.append(current)
            body = rest
        elif current is not None and not _TAIL.match(text):
            body = text
        else:
            continue
        used.append(i)
        if default:
            # stated in a task ("以下各项工作均需…落实，不再列出"): applies to the tasks after it
            defaults.append((default["verb"], default["units"]))
        line_units = _unit_line(body)
        if line_units is not None and current["paragraphs"]:
            prev = current["paragraphs"][-1]
            if prev["units"] is None:
                prev["units"] = line_units
                prev["bracket"] = body
                prev["bracket_kind"] = "line"
                continue
        segments = _segments(body)
        for stripped, bracket, kind, when in segments:
            if not stripped and bracket is not None and current["paragraphs"]:
                # a bracket on a line of its own belongs to the paragraph before it
                prev = current["paragraphs"][-1]
                if prev["units"] is None:
                    prev["units"] = _bracket_units(bracket, when)
                    prev["bracket"] = bracket
                    prev["bracket_kind"] = kind
                    continue
            units = None
            if bracket is not None:
                units = _bracket_units(bracket, when)
            current["paragraphs"].append(
                {
                    "text": stripped.strip(),
                    "bracket": bracket,
                    "units": units,
                    "raw": body if len(segments) == 1 else _segment_raw(stripped, bracket, kind),
                    "bracket_kind": kind,
                }
            )
    out = [_work_item(item, year, issued) for item in items if item["paragraphs"]]
    return out, used, warnings


def _segment_raw(text: str, bracket: str | None, kind: str) -> str:
    if bracket is None:
        return text
    return text + ("〔" + bracket + "〕" if kind == "〔〕" else "（" + bracket + "）")


def _work_item(item: dict, year: int | None, issued) -> dict:
    paragraphs = item["paragraphs"]
    text = "\n".join(p["raw"] for p in paragraphs)
    first = paragraphs[0]["text"]
    title = _title(first)
    lead: list[str] = []
    participants: list[str] = []
    implementers: list[str] = []
    acceptance: list[str] = []
    unit_rows: list[tuple] = []
    measures = []
    all_deadlines = []
    uncertain: list[str] = []
    all_targets = []
    deadline_flags: list[str] = []
    by_duty = False
    for p in paragraphs:
        units = p["units"]
        if units is None and not item["defaults"]:
            uncertain.append("responsible")
        if units:
            by_duty = by_duty or units.get("by_duty", False)
            for role, bucket in (
                ("lead", lead),
                ("participants", participants),
                ("implementers", implementers),
                ("acceptance", acceptance),
            ):
                for name in units.get(role, ()):
                    if name not in bucket:
                        bucket.append(name)
        if p["bracket"] is not None and p.get("bracket_kind") != "line":
            for m in unitlists.parse_bracket(p["bracket"]):
                roles = {("participant" if r == "participant" else r) for r in m.roles}
                unit_rows.append((m.name, m.raw, roles, m.note, m.open_ended))
        elif units:
            for role, key in (
                ("lead", "lead"),
                ("participant", "participants"),
                ("implementer", "implementers"),
                ("acceptance", "acceptance"),
            ):
                for name in units.get(key, ()):
                    for m in unitlists.expand(name):
                        unit_rows.append((m.name, m.raw, {role}, m.note, m.open_ended))
        hits = [
            h
            for h in find_dates(p["text"], year, issued)
            if h.kind in ("day", "month", "year", "relative")
        ]
        stated = (units or {}).get("deadline_raw")
        if stated:  # 完成时限：… in the task's own unit bracket or line
            for h in find_dates(stated, year, issued):
                if h.date and h.kind in ("day", "month", "year", "relative"):
                    entry = {"date": h.iso, "raw": _date_raw(h), "clause": stated, "what": stated}
                    all_deadlines.append(entry)
            deadline_flags.append(stated)
        milestones = []
        for hit in hits:
            if not hit.date or _not_a_deadline(p["text"], hit):
                continue
            clause = clause_around(p["text"], hit)
            entry = {"date": hit.iso, "raw": _date_raw(hit), "clause": clause, "what": clause}
            all_deadlines.append(entry)
            milestones.append(
                {"date": hit.iso, "raw": clause, "date_raw": _date_raw(hit), "what": clause}
            )
        measures.append({"no": None, "district": None, "text": p["text"], "milestones": milestones})
        all_targets.extend(targets(p["text"], find_dates(p["text"], year, issued)))
    for verb, raw in item["defaults"]:
        role = "lead" if verb == "牵头" else "implementer"
        bucket = lead if role == "lead" else implementers
        for name in unitlists.literal_list(raw).names:
            if name not in bucket:
                bucket.append(name)
        for m in unitlists.expand(raw):
            unit_rows.append((m.name, m.raw, {role}, "默认（不再列出）", m.open_ended))
    responsible = list(dict.fromkeys(lead + participants + implementers))
    for row in unit_rows:
        row[2].add("responsible") if ("lead" in row[2] or "implementer" in row[2]) else None
    dates = [d for d in all_deadlines if d["date"]]
    deadline = max(dates, key=lambda d: d["date"]) if dates else None
    immediate, ongoing = _flags(text)
    for stated in deadline_flags:
        now, always = _flags(stated)
        immediate, ongoing = immediate or now, ongoing or always
    if not lead and not implementers:
        uncertain.append("responsible")
    result = {
        "no": item["no"],
        "section": item["section"],
        "title": title,
        "problem": None,
        "text": text,
        "responsible": responsible,
        "lead": lead,
        "participants": participants,
        "implementers": implementers,
        "acceptance": acceptance,
        "acceptance_lead": [],
        "target": None,
        "deadline_raw": deadline["raw"] if deadline else None,
        "deadline": deadline["date"] if deadline else None,
        "immediate": immediate,
        "ongoing": ongoing,
        "measures": measures,
        "deadlines": all_deadlines,
        "targets": all_targets,
        "numbers": [],
        "units": _unit_entries(unit_rows),
        "uncertain": list(dict.fromkeys(uncertain)),
        "by_duty": by_duty,
        "paragraphs": [
            {
                "text": p["text"],
                "bracket": p["bracket"],
                **(
                    p["units"]
                    or {
                        "lead": [],
                        "participants": [],
                        "implementers": [],
                        "by_duty": False,
                        "open_ended": [],
                    }
                ),
            }
            for p in paragraphs
        ],
    }
    if len(dates) > 1:
        result["uncertain"].append("deadline")
    return result


def _date_raw(hit: DateHit) -> str:
    raw = hit.raw.strip()
    return re.sub(r"^(?:于|在|至|截至|截止到|截止|最迟于|最晚于|不晚于)\s*", "", raw)


__all__ = ["detect_kind", "parse_task_list", "parse_work_plan", "dt", "STRUCTURAL"]
