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
