"""The corpus of real notices and plans (testdata/plans/corpus/): every tuning document with a
text layer reads exactly as annotated; held-out documents only have to be read without an
error (their scores are reported by bench/plan_accuracy.py --corpus heldout, never tuned on)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plans.accuracy import score
from plans.extract import ExtractError, parse_file

CORPUS = Path(__file__).resolve().parents[2] / "testdata" / "plans" / "corpus"
GOLDS = sorted((CORPUS / "gold").glob("*.gold.json"))


def _gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_varied_enough():
    golds = [_gold(p) for p in GOLDS]
    assert len(golds) >= 20
    assert len({g["layout"] for g in golds}) >= 6
    for gold in golds:
        assert (CORPUS / gold["file"]).is_file() and gold["split"] in ("tune", "heldout")
        assert gold["source"].startswith("http")


@pytest.mark.parametrize(
    "path",
    [p for p in GOLDS if _gold(p)["split"] == "tune" and "scan" not in _gold(p)["layout"]],
    ids=lambda p: p.name.removesuffix(".gold.json"),
)
def test_each_tuning_document_reads_as_annotated(path):
    gold = _gold(path)
    out = json.loads(json.dumps(parse_file(CORPUS / gold["file"], year=gold.get("year"))))
    problems = [diff for row in score(out, gold) for diff in row[-1]]
    assert problems == []


@pytest.mark.parametrize(
    "path",
    [p for p in GOLDS if _gold(p)["split"] == "heldout"],
    ids=lambda p: p.name.removesuffix(".gold.json"),
)
def test_held_out_documents_read_without_an_error_other_than_extract_error(path):
    gold = _gold(path)
    try:
        parse_file(CORPUS / gold["file"], year=gold.get("year"))
    except ExtractError as exc:
        assert "\n" not in str(exc)
