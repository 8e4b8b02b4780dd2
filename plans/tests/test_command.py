"""``lantian plan parse`` — the command-line contract."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import EXAMPLES_DIR

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {"title", "doc_no", "issued", "year", "kind", "items", "warnings"}
ITEM_KEYS = {
    "no",
    "section",
    "title",
    "problem",
    "text",
    "responsible",
    "lead",
    "participants",
    "implementers",
    "acceptance",
    "acceptance_lead",
    "target",
    "deadline_raw",
    "deadline",
    "immediate",
    "ongoing",
    "measures",
    "deadlines",
    "targets",
}


def _lantian(*args):
    return subprocess.run(
        [sys.executable, "-c", "from lantian.cli import main; raise SystemExit(main())", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_parse_prints_one_json_object_with_the_contract_keys(capsys):
    call_command("plan", "parse", str(EXAMPLES_DIR / "xianyang_2022_blue_sky_plan.txt"))
    out = json.loads(capsys.readouterr().out)
    assert CONTRACT_KEYS <= set(out)
    assert out["kind"] == "work_plan" and len(out["items"]) == 45
    item = out["items"][0]
    assert ITEM_KEYS <= set(item)
    assert {"no", "district", "text", "milestones"} <= set(item["measures"][0])
    for d in out["items"][1]["deadlines"]:
        assert {"date", "raw"} <= set(d)
    for t in out["items"][10]["targets"]:
        assert {"what", "value", "unit", "cmp", "by"} <= set(t)


def test_year_and_issued_options(capsys, tmp_path):
    text = (EXAMPLES_DIR / "xianyang_2022_blue_sky_plan.txt").read_text(encoding="utf-8")
    path = tmp_path / "plan.txt"
    path.write_text(
        text.replace("2022年5月30日", "").replace("蓝天保卫战2022年工作方案", "蓝天保卫战工作方案")
    )
    call_command("plan", "parse", str(path), "--year", "2023", "--issued", "2023-04-01")
    out = json.loads(capsys.readouterr().out)
    assert out["year"] == 2023 and out["issued"] == "2023-04-01"
    assert out["items"][1]["deadlines"][0]["date"] == "2023-04-30"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "空"), (b"\x00\xff\x00binary" * 50, "docx"), (b"PK\x03\x04xx", "损坏")],
)
def test_unreadable_input_exits_2_with_one_line(tmp_path, content, reason):
    path = tmp_path / "bad.docx"
    path.write_bytes(content)
    result = _lantian("plan", "parse", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lantian plan parse: ")
    assert any(word in lines[0] for word in reason.split("|"))


def test_missing_file_exits_2():
    result = _lantian("plan", "parse", "/nonexistent.txt")
    assert result.returncode == 2 and "不存在" in result.stderr


def test_success_exits_0():
    result = _lantian(
        "plan", "parse", "--compact", str(EXAMPLES_DIR / "xian_2023_rectification_plan.txt")
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip().splitlines()) == 1
    assert len(json.loads(result.stdout)["items"]) == 29
