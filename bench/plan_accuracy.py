"""Score the plan importer against a gold annotation: per-field precision, recall and F1.

Usage::

    python bench/plan_accuracy.py PLAN_FILE GOLD_JSON [--year YYYY] [--issued YYYY-MM-DD]
    python bench/plan_accuracy.py --output PARSED_JSON GOLD_JSON  # saved `plan parse` output
    python bench/plan_accuracy.py --seeds                         # both seeds in examples/plans/

``PLAN_FILE`` is parsed by the function ``lantian plan parse`` runs (``plans.extract.parse_file``),
timed in-process (best of 3, Django start-up excluded). Texts are compared with all whitespace
removed, as the gold README says. Field groups:

items            item numbers
titles           (item, title)
lead units       (item, unit) of 牵头 units (task lists: marked in 整改责任单位;
                 work plans: each bracket's leads)
responsible      (item, unit): task lists 整改责任单位 as split; work plans every unit a
                 bracket names
acceptance       (item, unit) of 督导验收单位, and acceptance leads (task lists only)
participants / implementers   (item, unit), work plans only
deadlines        task lists: (item, deadline date or none);
                 work plans: (item, date, date expression)
immediate/ongoing  (item, flag) for every true flag
measures         (item, district, measure no, text); work plans: (item, paragraph text)
milestones       task lists: (item, district, measure no, date, date expression);
                 work plans: the same as deadlines
targets          (item, value, unit, comparator, by)
problem numbers  (item, value, unit)
A group missing from the gold annotation is not scored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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


def score(out: dict, gold: dict, *, verbose: bool = False) -> list[tuple]:
    g, p = gold_groups(gold), pred_groups(out, gold)
    rows = []
    for name, gold_counter in g.items():
        pred_counter = p.get(name, Counter())
        if name == "immediate/ongoing flags" and _is_work_plan(gold):
            continue
        rows.append((name, *prf(gold_counter, pred_counter)))
        if verbose:
            missing = gold_counter - pred_counter
            extra = pred_counter - gold_counter
            for key in list(missing)[:12]:
                print(f"    - {name} missing: {str(key)[:140]}")
            for key in list(extra)[:12]:
                print(f"    + {name} extra:   {str(key)[:140]}")
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


def run(plan: Path | None, gold_path: Path, *, output: Path | None, year, issued, verbose) -> float:
    from plans.extract import parse_file

    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    elapsed = None
    if output:
        out = json.loads(output.read_text(encoding="utf-8"))
    else:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            out = parse_file(plan, year=year, issued=issued)
            times.append(time.perf_counter() - start)
        elapsed = min(times)
        out = json.loads(json.dumps(out, ensure_ascii=False))  # exactly what the command prints
    name = (plan or output).name
    print(f"== {name} vs {gold_path.name}: kind {out['kind']}, {len(out['items'])} items")
    if elapsed is not None:
        print(f"   parse time {elapsed * 1000:.0f} ms (best of 3)")
    print(
        f"   {'field group':<26}{'precision':>10}{'recall':>8}{'F1':>8}"
        f"{'match':>8}{'gold':>6}{'found':>7}"
    )
    worst = 1.0
    for name_, precision, recall, f1, hit, g, p in score(out, gold, verbose=verbose):
        print(f"   {name_:<26}{precision:>10.3f}{recall:>8.3f}{f1:>8.3f}{hit:>8}{g:>6}{p:>7}")
        worst = min(worst, f1)
    print("   metadata:")
    for line in meta_report(out, gold):
        print("  " + line)
    print(f"   lowest F1: {worst:.3f}")
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plan", nargs="?", type=Path, help="plan document (.txt/.docx/.pdf)")
    parser.add_argument("gold", nargs="?", type=Path, help="gold JSON")
    parser.add_argument(
        "--output", type=Path, help="score this saved `lantian plan parse` output instead"
    )
    parser.add_argument("--seeds", action="store_true", help="score both seed plans")
    parser.add_argument("--year", type=int)
    parser.add_argument("--issued")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the differences")
    args = parser.parse_args(argv)
    if args.seeds:
        pairs = [
            (
                ROOT / "examples/plans/xian_2023_rectification_plan.txt",
                ROOT / "testdata/gold/seed000.gold.json",
            ),
            (
                ROOT / "examples/plans/xianyang_2022_blue_sky_plan.txt",
                ROOT / "testdata/gold/seed001.gold.json",
            ),
        ]
        worst = min(
            run(p, g, output=None, year=None, issued=None, verbose=args.verbose) for p, g in pairs
        )
        print(f"lowest F1 over both seeds: {worst:.3f}")
        return 0
    if args.output:
        gold = args.gold or args.plan
        run(None, gold, output=args.output, year=None, issued=None, verbose=args.verbose)
        return 0
    if not (args.plan and args.gold):
        parser.error("give PLAN_FILE GOLD_JSON, --output PARSED_JSON GOLD_JSON, or --seeds")
    run(args.plan, args.gold, output=None, year=args.year, issued=args.issued, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
