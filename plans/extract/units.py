"""Split a unit list as plans write it into unit mentions with their roles.

Plans compress lists: ``临潼区、鄠邑区委、区政府`` means the party committee and government
of both 临潼区 and 鄠邑区; ``西咸新区、各开发区党工委、管委会`` means both bodies of 西咸新区
and of every development zone. ``expand`` undoes that compression; role markers
(``（牵头）``), notes glued to the last unit (``按职责分工分别验收``) and a trailing ``等`` are
kept as attributes, never as names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Bodies that stand for "the X of the area before them". Longest first.
_BODY_FORMS: list[tuple[str, str]] = [
    ("政府（管委会）", "政府（管委会）"),
    ("人民政府", "政府"),
    ("党工委", "党工委"),
    ("管委会", "管委会"),
    ("区政府", "政府"),
    ("县政府", "政府"),
    ("市政府", "政府"),
    ("政府", "政府"),
    ("党委", "党委"),
    ("区委", "党委"),
    ("县委", "党委"),
]
_BODY_ONLY = {form for form, _ in _BODY_FORMS} | {"委"}
_AREA_END = re.compile(r"(?:新区|开发区|区县|县市区|县市|区|县|市)(?:（[^）]*）)?$")
_MARKER = re.compile(r"[（(]\s*(牵头|主责|配合|参与)\s*[)）]")
_NOTE = re.compile(r"(按照?(?:责任|职责)?分工.*|分别(?:牵头|负责|组织|验收).*|负责落实$|牵头落实$)")
_SEPARATORS = re.compile(r"[，,；;]")
# a trailing 等 / 等部门 / 等有关单位 ends an open list
_ETC = re.compile(r"等(?:有关|相关|其他)?(?:市级|县级|区级)?(?:部门|单位)?$")
_LIST_SEPARATORS = re.compile(r"[、]|及(?=(?:市|各|相关|有关))")


@dataclass
class UnitMention:
    """One unit (or group phrase) named in a list, after expansion."""

    name: str
    raw: str
    lead: bool = False
    note: str = ""
    open_ended: bool = False
    roles: set[str] = field(default_factory=set)


def normalise(text: str) -> str:
    """Remove whitespace and unify the brackets plans mix freely."""
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）")


_PROTECT = {
    "、": "\ue001",
    "，": "\ue002",
    ",": "\ue003",
    "；": "\ue004",
    ";": "\ue005",
    "及": "\ue006",
}
_RESTORE = {v: k for k, v in _PROTECT.items()}


def protect(text: str) -> str:
    """Hide separators inside brackets (``各县（市、区）政府`` is one unit)."""
    out, depth = [], 0
    for c in text:
        if c in "（(":
            depth += 1
        elif c in "）)":
            depth = max(0, depth - 1)
        out.append(_PROTECT.get(c, c) if depth else c)
    return "".join(out)


def restore(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text)


def _classify(token: str) -> tuple[str, str, str]:
    """Return (kind, area, body): kind is 'body', 'area_body', 'area' or 'name'."""
    if token in _BODY_ONLY:
        return "body", "", "党委" if token == "委" else dict(_BODY_FORMS).get(token, token)
    for form, body in _BODY_FORMS:
        if token.endswith(form) and len(token) > len(form):
            area = token[: -len(form)]
            if form in ("区政府", "县政府", "市政府", "区委", "县委"):
                area += form[0]
            if _AREA_END.search(area):
                return "area_body", area, body
    if token.endswith("委") and _AREA_END.search(token[:-1]) and len(token) > 2:
        return "area_body", token[:-1], "党委"
    if _AREA_END.search(token) and not token.startswith("市"):
        return "area", token, ""
    return "name", "", ""


def _strip_attributes(token: str) -> tuple[str, bool, str, bool]:
    lead = bool(_MARKER.search(token))
    token = _MARKER.sub("", token)
    note = ""
    match = _NOTE.search(token)
    if match and match.start() > 0:
        note = match.group(1)
        token = token[: match.start()]
    open_ended = False
    trailing = _ETC.search(token)
    if trailing and trailing.start() > 0:
        token, open_ended = token[: trailing.start()], True
    return token, lead, note, open_ended


def split_literal(raw: str) -> list[str]:
    """The list as written, split on its separators, markers removed (no expansion)."""
    out = []
    for token in re.split(r"[、，,；;]", normalise(raw)):
        token, _, _, _ = _strip_attributes(token)
        if token:
            out.append(token)
    return out


def expand(raw: str) -> list[UnitMention]:
    """Split and expand a unit list; see the module docstring for what that means."""
    mentions: list[UnitMention] = []
    for clause in _SEPARATORS.split(protect(normalise(raw))):
        mentions.extend(_expand_clause(clause))
    for mention in mentions:
        mention.name, mention.raw, mention.note = (
            restore(mention.name),
            restore(mention.raw),
            restore(mention.note),
        )
    return mentions


def _expand_clause(clause: str) -> list[UnitMention]:
    out: list[UnitMention] = []
    pending: list[str] = []
    group: tuple[list[str], list[str], list[str]] | None = None  # areas, bodies, raw tokens
    lead = False

    def flush_group() -> None:
        nonlocal group, lead
        if group:
            areas, bodies, raws = group
            for area in areas:
                for body in bodies:
                    out.append(UnitMention(f"{area}{body}", "、".join(raws), lead=lead))
        group, lead = None, False

    def flush_pending() -> None:
        for area in pending:
            out.append(UnitMention(area, area))
        pending.clear()

    for token in _LIST_SEPARATORS.split(clause):
        if not token:
            continue
        name, marked, note, open_ended = _strip_attributes(token)
        kind, area, body = _classify(name)
        if kind == "body" and (group or pending):
            if group is None:
                group = (list(pending), [], list(pending))
                pending.clear()
            group[1].append(body)
            group[2].append(token)
        elif kind == "area_body":
            flush_group()
            group = ([*pending, area], [body], [*pending, token])
            pending.clear()
        elif kind == "area" and not marked and not note:
            flush_group()
            pending.append(area)
            continue
        else:
            flush_group()
            flush_pending()
            out.append(UnitMention(name, token, lead=marked, note=note, open_ended=open_ended))
            continue
        lead = lead or marked
        if note or open_ended:
            flush_group()
            out[-1].note, out[-1].open_ended = note, open_ended
    flush_group()
    flush_pending()
    return out


# Work-plan brackets end each clause with the role its units play: 〔A牵头，B、C参与，D落实〕.
_CLAUSE_ROLE = re.compile(
    r"(按照?(?:职责|责任)分工(?:分别)?(?:负责|落实)|负责落实|牵头(?:督导|负责|落实|推进)?|"
    r"参与|配合(?:落实)?|协助|协同|落实|负责|具体实施|实施|督导|督促指导|指导|监督)$"
)


def _role_of(verb: str) -> str:
    """lead / participant / implementer for a clause verb."""
    if verb.startswith("牵头"):
        return "lead"
    if verb.startswith(("参与", "配合", "协助", "协同")):
        return "participant"
    if verb in ("督导", "督促指导", "指导", "监督"):  # supervises and checks: the acceptance unit
        return "acceptance"
    return "implementer"


_ROLE_OF_VERB = {"牵头": "lead", "参与": "participant", "配合": "participant"}


_DEFAULT_SENTENCE = re.compile(r"(?:以下|下列|其他|其余)[^。〔〕]*?不再(?:一一)?列出[。.]?")


def without_defaults(text: str) -> str:
    """A bracket without the default it states for later tasks
    (``以下各项工作均需…落实，不再列出``)."""
    return _DEFAULT_SENTENCE.sub("", text).strip().rstrip("。.，,；;")


def _clause_verbs(clauses: list[str]) -> list[str | None]:
    """The role verb ending each clause; a leading ``X负责`` is the lead when no clause says 牵头
    (or 按职责分工负责) and a later clause names the implementers (``Y负责落实``/``Y落实``)."""
    verbs = []
    for clause in clauses:
        match = _CLAUSE_ROLE.search(clause)
        verbs.append(match.group(1) if match else None)
    has_lead = any(v and (v.startswith("牵头") or "分工" in v) for v in verbs)
    if not has_lead and verbs and verbs[0] == "负责":
        if any(v in ("落实", "负责落实") for v in verbs[1:]):
            verbs[0] = "牵头"
    return verbs


def parse_bracket(text: str) -> list[UnitMention]:
    """Units and roles of a work-plan responsibility bracket (without the 〔〕).

    A clause without a verb joins the next clause's role (``A牵头，B，C落实``: B implements).
    ``按职责分工负责`` makes its units leads that each act within their own duties.
    """
    mentions: list[UnitMention] = []
    waiting: list[UnitMention] = []
    clauses = [
        restore(c) for c in re.split(r"[，,；;。]", protect(normalise(without_defaults(text)))) if c
    ]
    for clause, verb in zip(clauses, _clause_verbs(clauses), strict=True):
        match = _CLAUSE_ROLE.search(clause)
        body = clause[: match.start()] if match else clause
        open_ended = body.endswith("等")
        body = body[:-1] if open_ended else body
        found = expand(body)
        if open_ended and found:
            found[-1].open_ended = True
        if not match:
            waiting.extend(found)
            continue
        role = _role_of(verb)
        if "分工" in verb:
            role = "lead"
        for mention in [*waiting, *found]:
            mention.roles.add(role)
            if "分工" in verb:
                mention.note = verb
            mention.lead = mention.lead or role == "lead"
        mentions.extend([*waiting, *found])
        waiting = []
    for mention in waiting:
        mention.roles.add("implementer")
    return [*mentions, *waiting]


# --- literal lists, as written (what the CLI prints) -----------------------------------------

_LEAD_MARK = re.compile(r"[（(]\s*(?:牵头|主责|牵头单位)\s*[)）]")
_PAIR_BODY = re.compile(r"^(?:区|县|市)?(?:政府|人民政府|委|党委|管委会|党工委)$")


@dataclass
class Literal:
    """A unit list split as written: the names, the ones marked lead, and a note if any."""

    names: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    note: str = ""
    open_ended: bool = False


def literal_list(raw: str) -> Literal:
    """Split a 整改责任单位/督导验收单位 list on 、，,；; as written.

    The ``（牵头）`` marker is removed and its unit listed in ``leads``; a marker after a pair
    (``周至县委、县政府（牵头）``) marks both halves of the pair. A note glued to the last unit
    (``市生态环境局按职责分工分别验收``) stays on the unit, as written, and is also returned in
    ``note``; a trailing ``等`` is dropped and ``open_ended`` set.
    """
    out = Literal()
    text = protect(re.sub(r"\s+", "", raw.replace("(", "（").replace(")", "）")))
    tokens = [restore(t) for t in re.split(r"[、，,；;]", text) if t]
    for i, token in enumerate(tokens):
        marked = bool(_LEAD_MARK.search(token))
        name = _LEAD_MARK.sub("", token)
        note_match = _NOTE.search(name)
        if note_match and note_match.start() > 0:
            out.note = note_match.group(1)
        trailing = _ETC.search(name)
        if trailing and trailing.start() > 0 and i == len(tokens) - 1:
            name, out.open_ended = name[: trailing.start()], True
        if not name:
            continue
        out.names.append(name)
        if marked:
            if _PAIR_BODY.match(name) and out.names[:-1]:
                partner = out.names[-2]
                kind, area, _ = _classify(partner)
                if kind == "area_body" and (name[0] not in "区县市" or area.endswith(name[0])):
                    if partner not in out.leads:
                        out.leads.append(partner)
            out.leads.append(name)
    return out


def bracket_literal(text: str) -> dict:
    """A work-plan bracket split as written: ``{"lead": [...], "participants": [...],
    "implementers": [...], "by_duty": bool, "open_ended": [roles]}``.

    Units are split on 、 and on 及 joining two units; ``X按(照)职责分工负责`` makes X leads;
    a clause without a verb belongs to the next verb; ``等`` before the verb is dropped.
    """
    out: dict = {
        "lead": [],
        "participants": [],
        "implementers": [],
        "acceptance": [],
        "by_duty": False,
        "open_ended": [],
    }
    waiting: list[str] = []
    waiting_open = False
    clauses = [c for c in re.split(r"[，,；;。]", protect(normalise(without_defaults(text)))) if c]
    for clause, verb in zip(clauses, _clause_verbs(clauses), strict=True):
        match = _CLAUSE_ROLE.search(clause)
        body = clause[: match.start()] if match else clause
        open_ended = body.endswith("等")
        if open_ended:
            body = body[:-1]
        names = [restore(n) for n in _LIST_SEPARATORS.split(body) if n]
        if not match:
            waiting.extend(names)
            waiting_open = waiting_open or open_ended
            continue
        if "分工" in verb:
            role = "lead"
            out["by_duty"] = True
        else:
            role = {
                "lead": "lead",
                "participant": "participants",
                "acceptance": "acceptance",
            }.get(_role_of(verb), "implementers")
        out[role].extend([*waiting, *names])
        if (open_ended or waiting_open) and role not in out["open_ended"]:
            out["open_ended"].append(role)
        waiting, waiting_open = [], False
    if waiting:
        out["implementers"].extend(waiting)
    return out


def looks_like_units(text: str) -> bool:
    """Does a bracket's content name units with roles (rather than being an aside)?"""
    body = normalise(text)
    if not body or len(body) > 300:
        return False
    has_role = bool(
        re.search(r"(牵头|参与|配合|落实|负责|分工|责任单位|责任部门|主责单位|承办单位)", body)
    )
    has_unit = bool(
        re.search(r"(局|委|办|政府|管委会|中心|公司|部|院|厅|支队|单位|部门|区|县)", body)
    )
    return has_role and has_unit
