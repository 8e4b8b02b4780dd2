"""Score the plan importer against a gold annotation: per-field precision, recall and F1.

Usage::

    python bench/plan_accuracy.py PLAN_FILE GOLD_JSON [--year YYYY] [--issued YYYY-MM-DD]
    python bench/plan_accuracy.py --output PARSED_JSON GOLD_JSON  # saved `plan parse` output
    python bench/plan_accuracy.py --seeds                         # both seeds in examples/plans/
    python bench/plan_accuracy.py --real                          # real plans vs hand expectations

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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plans.accuracy import agreement, compare_expected, meta_report, score  # noqa: E402

REAL = ROOT / "testdata/plans/real"


def run_real(verbose: bool) -> float:
    """Each real plan excerpt against the expectation written by hand from its text."""
    from plans.extract import ExtractError, parse_file

    total_ok = total = 0
    worst = 1.0
    print(f"   {'document':<48}{'agree':>7}{'fields':>8}")
    for path in sorted((REAL / "expected").glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        try:
            out = json.loads(json.dumps(parse_file(REAL / expected["file"]), ensure_ascii=False))
            rows = compare_expected(out, expected)
        except ExtractError as exc:
            rows = [("parse", False, "items", str(exc))]
        share = agreement(rows)
        worst = min(worst, share)
        total_ok += sum(1 for row in rows if row[1])
        total += len(rows)
        print(f"   {expected['file']:<48}{share:>7.3f}{len(rows):>8}")
        if verbose:
            for field, ok, want, got in rows:
                if not ok:
                    print(f"      {field}: want {want!r}, got {got!r}"[:220])
    print(f"   all fields: {total_ok}/{total} = {total_ok / max(total, 1):.3f}; lowest {worst:.3f}")
    return worst


CORPUS = ROOT / "testdata/plans/corpus"


def run_corpus(split: str, verbose: bool) -> dict[str, tuple]:
    """Every corpus document of ``split`` (tune / heldout / all) against its gold annotation;
    the field groups are pooled over the documents (matches, gold and found counts summed)."""
    from collections import Counter

    from plans.accuracy import score
    from plans.extract import ExtractError, parse_file

    pooled: dict[str, dict[str, Counter]] = {"text": {}, "ocr": {}}
    letters: Counter = Counter()
    print(f"   {'document':<52}{'split':>8}{'items':>7}{'lowest F1':>11}")
    for gold_path in sorted((CORPUS / "gold").glob("*.gold.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if split != "all" and gold.get("split") != split:
            continue
        try:
            out = parse_file(CORPUS / gold["file"], year=gold.get("year"))
            out = json.loads(json.dumps(out, ensure_ascii=False))
        except ExtractError as exc:
            out = {"items": [], "error": str(exc)}
        rows = score(out, gold)
        worst = min((row[3] for row in rows), default=1.0)
        note = f"  ({out['error']})" if out.get("error") else ""
        name = gold["file"]
        print(f"   {name:<52}{gold.get('split', ''):>8}{len(out['items']):>7}{worst:>11.3f}{note}")
        # a scan that failed to read is still a scan: pooled with the scans, not the texts
        medium = "ocr" if out.get("ocr") or "scan" in gold.get("layout", "") else "text"
        if medium == "ocr":
            agree, chars = characters(out, gold)
            letters["agree"] += agree
            letters["chars"] += chars
        for name, _p, _r, _f, hit, g, found, diffs in rows:
            bucket = pooled[medium].setdefault(name, Counter())
            bucket.update({"hit": hit, "gold": g, "found": found})
            if verbose and diffs:
                for line in diffs[:12]:
                    print("      " + line[:200])
    result = {}
    for medium, groups in pooled.items():
        if not groups:
            continue
        title = "documents with text" if medium == "text" else "scans read by OCR"
        print(
            f"   {title + ' (pooled)':<30}{'precision':>10}{'recall':>8}{'F1':>8}"
            f"{'match':>8}{'gold':>6}{'found':>7}"
        )
        rows = {}
        for name, c in groups.items():
            precision, recall, f1, hit, g, found = prf_counts(c["hit"], c["gold"], c["found"])
            rows[name] = (precision, recall, f1, hit, g, found)
            print(
                f"   {name:<30}{precision:>10.3f}{recall:>8.3f}{f1:>8.3f}{hit:>8}{g:>6}{found:>7}"
            )
        lowest = min((r[2] for r in rows.values()), default=1.0)
        print(f"   lowest pooled F1 ({split}, {title}): {lowest:.3f}")
        if medium == "ocr" and letters["chars"]:
            share = letters["agree"] / letters["chars"]
            print(
                f"   scans: characters of titles, problems, targets and claims read right: "
                f"{letters['agree']}/{letters['chars']} = {share:.3f} (the groups above need "
                "every character)"
            )
        result[medium] = rows
    return result


def characters(out: dict, gold: dict) -> tuple[int, int]:
    """Characters of the gold texts an OCR reading matched (difflib, whitespace removed): how
    close a scan's texts come when one wrong character fails them in the exact groups."""
    import difflib

    from plans.accuracy import sq

    found = {item.get("no"): item for item in out.get("items", [])}
    agree = chars = 0
    for item in gold["items"]:
        for key in ("title", "problem", "target", "progress"):
            want = sq(item.get(key))
            if not want:
                continue
            got = sq((found.get(item["no"]) or {}).get(key))
            matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
            agree += sum(block.size for block in matcher.get_matching_blocks())
            chars += len(want)
    return agree, chars


def prf_counts(hit: int, gold: int, found: int) -> tuple:
    precision = hit / found if found else (1.0 if not gold else 0.0)
    recall = hit / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, hit, gold, found


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
    for name_, precision, recall, f1, hit, g, p, diffs in score(out, gold):
        print(f"   {name_:<26}{precision:>10.3f}{recall:>8.3f}{f1:>8.3f}{hit:>8}{g:>6}{p:>7}")
        if verbose:
            for line in diffs[:24]:
                print("      " + line)
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
    parser.add_argument(
        "--real", action="store_true", help="real plan excerpts vs hand-written expectations"
    )
    parser.add_argument(
        "--corpus",
        choices=("tune", "heldout", "all"),
        help="the corpus of real documents (testdata/plans/corpus/) against its gold annotations",
    )
    parser.add_argument("--year", type=int)
    parser.add_argument("--issued")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the differences")
    args = parser.parse_args(argv)
    if args.real:
        run_real(args.verbose)
        return 0
    if args.corpus:
        run_corpus(args.corpus, args.verbose)
        return 0
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
