"""Real public plans (excerpts, sources in testdata/plans/real/README.md) against expectations
written by hand from their text (testdata/plans/real/expected/*.json)."""

import json
from pathlib import Path

import pytest

from plans.accuracy import compare_expected
from plans.extract import parse_file

REAL = Path(__file__).resolve().parents[2] / "testdata" / "plans" / "real"
EXPECTED = sorted((REAL / "expected").glob("*.json"))


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.stem)
def test_real_plan_matches_hand_written_expectation(expected_path):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    out = parse_file(REAL / expected["file"])
    out = json.loads(json.dumps(out, ensure_ascii=False))  # what the command prints
    wrong = [
        f"{field}: want {want!r}, got {got!r}"
        for field, ok, want, got in compare_expected(out, expected)
        if not ok
    ]
    assert not wrong, "\n".join(wrong)


def test_every_real_fixture_has_an_expectation():
    documents = {p.name for p in REAL.iterdir() if p.suffix in (".txt", ".docx", ".pdf")}
    covered = {json.loads(p.read_text(encoding="utf-8"))["file"] for p in EXPECTED}
    assert documents == covered
