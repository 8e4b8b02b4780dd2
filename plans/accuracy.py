"""Scoring an extraction against a gold annotation (used by ``bench/plan_accuracy.py`` and tests).

Pure Python. Texts are compared with all whitespace removed. See the bench for the field groups.
"""

from __future__ import annotations

import re
from collections import Counter


def sq(text) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def prf(gold: Counter, pred: Counter) -> tuple[float, float, float, int, int, int]:
    hit = sum((gold & pred).values())
    g, p = sum(gold.values()), sum(pred.values())
    precision = hit / p if p else (1.0 if not g else 0.0)
    recall = hit / g if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, hit, g, p


def _is_work_plan(doc: dict) -> bool:
    items = doc.get("items") or []
    return bool(items) and "paragraphs" in items[0] and "measures" not in items[0]


def _uniq(seq):
    return list(dict.fromkeys(seq))


def gold_groups(gold: dict) -> dict[str, Counter]:
    groups: dict[str, Counter] = {}
    items = gold["items"]
    work = _is_work_plan(gold)
    groups["items"] = Counter(it["no"] for it in items)
    groups["titles"] = Counter((it["no"], sq(it["title"])) for it in items)
    if work:
        lead, resp, part, impl = Counter(), Counter(), Counter(), Counter()
        measures, deadlines = Counter(), Counter()
        for it in items:
            paras = it["paragraphs"]
            le = _uniq(sq(u) for p in paras for u in p["lead"])
            pa = _uniq(sq(u) for p in paras for u in p["participants"])
            im = _uniq(sq(u) for p in paras for u in p["implementers"])
            lead.update((it["no"], u) for u in le)
            part.update((it["no"], u) for u in pa)
            impl.update((it["no"], u) for u in im)
            resp.update((it["no"], u) for u in _uniq(le + pa + im))
            measures.update((it["no"], None, sq(p["text"])) for p in paras)
            deadlines.update((it["no"], d["date"], sq(d["raw"])) for d in it["deadlines"])
        groups.update(
            {
                "lead units": lead,
                "responsible units": resp,
                "participants": part,
                "implementers": impl,
                "deadlines": deadlines,
                "measures with district": measures,
                "milestones": deadlines,
            }
        )
        groups["immediate/ongoing flags"] = Counter()
    else:
        groups["lead units"] = Counter((it["no"], sq(u)) for it in items for u in it["lead"])
        groups["responsible units"] = Counter(
            (it["no"], sq(u)) for it in items for u in it["responsible"]
        )
        groups["acceptance units"] = Counter(
            (it["no"], sq(u)) for it in items for u in it["acceptance"]
        )
        groups["acceptance lead"] = Counter(
            (it["no"], sq(u)) for it in items for u in it["acceptance_lead"]
        )
        groups["deadlines"] = Counter((it["no"], it["deadline"]) for it in items)
        flags = Counter()
        for it in items:
            if it.get("immediate"):
                flags[(it["no"], "immediate")] += 1
            if it.get("ongoing"):
                flags[(it["no"], "ongoing")] += 1
        groups["immediate/ongoing flags"] = flags
        groups["measures with district"] = Counter(
            (it["no"], m["district"], m["no"], sq(m["text"]))
            for it in items
            for m in it["measures"]
        )
        groups["milestones"] = Counter(
            (it["no"], m["district"], m["no"], ms["date"], sq(ms["date_raw"]))
            for it in items
            for m in it["measures"]
            for ms in m["milestones"]
        )
        if any("numbers" in it for it in items):
            groups["problem numbers"] = Counter(
                (it["no"], _num(n["value"]), sq(n["unit"]))
                for it in items
                for n in it.get("numbers", [])
            )
    if any("targets" in it for it in items):
        groups["targets"] = Counter(
            (it["no"], _num(t["value"]), sq(t["unit"]), t["cmp"], t["by"])
            for it in items
            for t in it["targets"]
        )
    groups.update(_notice_groups(items, gold=True))
    return groups


# Groups of the corpus annotations (testdata/plans/corpus/gold/): scored only when the gold
# items carry the key, so the seeds' annotations are scored as before.
NOTICE_KEYS = {
    "problem": "problem texts",
    "target": "target texts",
    "progress": "completion claims",
    "contacts": "personal data",
    "place": "places",
}


def _notice_groups(items: list[dict], *, gold: bool, keys=None) -> dict[str, Counter]:
    keys = keys if keys is not None else [k for k in NOTICE_KEYS if any(k in it for it in items)]
    if not gold and not keys:
        return {}
    groups: dict[str, Counter] = {}
    for key in keys:
        counter: Counter = Counter()
        for it in items:
            value = it.get(key)
            if key == "contacts":
                values = [c["value"] if isinstance(c, dict) else c for c in value or []]
                counter.update((it["no"], sq(v)) for v in values)
            elif key == "place":
                counter.update((it["no"], k, sq(v)) for k, v in (value or {}).items())
            elif value:
                counter[(it["no"], sq(value))] += 1
        groups[NOTICE_KEYS[key]] = counter
    return groups


def _num(value) -> float:
    return round(float(value), 3)


def pred_groups(out: dict, gold: dict) -> dict[str, Counter]:
    groups: dict[str, Counter] = {}
    items = out["items"]
    work = _is_work_plan(gold)
    groups["items"] = Counter(it["no"] for it in items)
    groups["titles"] = Counter((it["no"], sq(it["title"])) for it in items)
    if work:
        groups["lead units"] = Counter((it["no"], sq(u)) for it in items for u in _uniq(it["lead"]))
        groups["participants"] = Counter(
            (it["no"], sq(u)) for it in items for u in _uniq(it["participants"])
        )
        groups["implementers"] = Counter(
            (it["no"], sq(u)) for it in items for u in _uniq(it["implementers"])
        )
        groups["responsible units"] = Counter(
            (it["no"], sq(u))
            for it in items
            for u in _uniq(it["lead"] + it["participants"] + it["implementers"])
        )
        groups["deadlines"] = Counter(
            (it["no"], d["date"], sq(d["raw"])) for it in items for d in it["deadlines"]
        )
        groups["milestones"] = Counter(
            (it["no"], ms["date"], sq(ms.get("date_raw") or ms["raw"]))
            for it in items
            for m in it["measures"]
            for ms in m["milestones"]
        )
        groups["measures with district"] = Counter(
            (it["no"], m["district"], sq(m["text"])) for it in items for m in it["measures"]
        )
        flags = Counter()
    else:
        groups["lead units"] = Counter((it["no"], sq(u)) for it in items for u in it["lead"])
        groups["responsible units"] = Counter(
            (it["no"], sq(u)) for it in items for u in it["responsible"]
        )
        groups["acceptance units"] = Counter(
            (it["no"], sq(u)) for it in items for u in it["acceptance"]
        )
        groups["acceptance lead"] = Counter(
            (it["no"], sq(u)) for it in items for u in it["acceptance_lead"]
        )
        groups["deadlines"] = Counter((it["no"], it["deadline"]) for it in items)
        groups["measures with district"] = Counter(
            (it["no"], m["district"], m["no"], sq(m["text"]))
            for it in items
            for m in it["measures"]
        )
        groups["milestones"] = Counter(
            (it["no"], m["district"], m["no"], ms["date"], sq(ms.get("date_raw") or ms["raw"]))
            for it in items
            for m in it["measures"]
            for ms in m["milestones"]
        )
        groups["problem numbers"] = Counter(
            (it["no"], _num(n["value"]), sq(n["unit"]))
            for it in items
            for n in it.get("numbers", [])
        )
        flags = Counter()
    for it in items:
        if it.get("immediate"):
            flags[(it["no"], "immediate")] += 1
        if it.get("ongoing"):
            flags[(it["no"], "ongoing")] += 1
    groups["immediate/ongoing flags"] = flags
    groups["targets"] = Counter(
        (it["no"], _num(t["value"]), sq(t["unit"]), t["cmp"], t["by"])
        for it in items
        for t in it.get("targets", [])
    )
    notice_keys = [k for k in NOTICE_KEYS if any(k in it for it in gold["items"])]
    groups.update(_notice_groups(items, gold=False, keys=notice_keys))
    return groups


META_FIELDS = ("title", "doc_no", "issued", "year", "issuer", "inspection_period", "feedback_date")


def score(out: dict, gold: dict) -> list[tuple]:
    """Rows of (group, precision, recall, f1, matched, gold count, found count, differences)."""
    g, p = gold_groups(gold), pred_groups(out, gold)
    rows = []
    for name, gold_counter in g.items():
        pred_counter = p.get(name, Counter())
        if name == "immediate/ongoing flags" and _is_work_plan(gold):
            continue
        missing = [f"- {name} missing: {str(key)[:140]}" for key in gold_counter - pred_counter]
        extra = [f"+ {name} extra:   {str(key)[:140]}" for key in pred_counter - gold_counter]
        rows.append((name, *prf(gold_counter, pred_counter), missing + extra))
    return rows


def meta_report(out: dict, gold: dict) -> list[str]:
    lines = []
    for key in META_FIELDS:
        if key in gold:
            want, got = gold[key], out.get(key)
            ok = (sq(want) == sq(got)) if isinstance(want, str) else want == got
            lines.append(
                f"  {'ok ' if ok else 'BAD'} {key}: {got!r}" + ("" if ok else f" (gold {want!r})")
            )
    return lines


# --- hand-written expectations of real plans (testdata/plans/real/expected/) ----------------

_UNIT_FIELDS = (
    "lead",
    "participants",
    "implementers",
    "responsible",
    "acceptance",
    "acceptance_lead",
)


def norm(text) -> str:
    """Whitespace removed, brackets and trailing full stops unified, for comparing texts."""
    text = sq(text).replace("（", "(").replace("）", ")")
    return text.rstrip("。.")


def _item_values(item: dict, field: str):
    if field in _UNIT_FIELDS:
        return sorted(dict.fromkeys(norm(u) for u in item.get(field) or []))
    if field == "measures":
        return len(item.get("measures") or [])
    if field == "deadlines":
        return sorted(d["date"] for d in item.get("deadlines") or [] if d.get("date"))
    if field == "milestones":
        return sorted(
            ms["date"] for m in item.get("measures") or [] for ms in m.get("milestones") or []
        )
    if field in ("title", "section"):
        return norm(item.get(field)) if item.get(field) is not None else None
    return item.get(field)


def compare_expected(out: dict, expected: dict) -> list[tuple[str, bool, object, object]]:
    """Every field a hand-written expectation states, checked: (field, ok, want, got)."""
    rows: list[tuple[str, bool, object, object]] = []
    for key, want in (expected.get("meta") or {}).items():
        got = out.get(key)
        if isinstance(want, str) and isinstance(got, str):
            ok = norm(want) == norm(got)
        else:
            ok = want == got
        rows.append((f"meta.{key}", ok, want, got))
    found = {item["no"]: item for item in out.get("items") or []}
    want_nos = [item["no"] for item in expected["items"]]
    rows.append(
        (
            "items",
            want_nos == [item["no"] for item in out.get("items") or []],
            want_nos,
            list(found),
        )
    )
    for want_item in expected["items"]:
        got_item = found.get(want_item["no"])
        for field, want in want_item.items():
            if field == "no":
                continue
            if field in _UNIT_FIELDS:
                want_value = sorted(dict.fromkeys(norm(u) for u in want))
            elif field == "deadlines" or field == "milestones":
                want_value = sorted(want)
            elif field in ("title", "section"):
                want_value = norm(want) if want is not None else None
            else:
                want_value = want
            got_value = _item_values(got_item, field) if got_item else None
            rows.append(
                (f"{want_item['no']}.{field}", want_value == got_value, want_value, got_value)
            )
    return rows


def agreement(rows) -> float:
    return sum(1 for row in rows if row[1]) / len(rows) if rows else 1.0
