import datetime as dt
import io
import sys

import pytest
from django.core.management import CommandError, call_command

from emergency.models import Enterprise
from emergency.tests.conftest import draw_days, make_enterprises, orange_episode

pytestmark = pytest.mark.django_db


def run(*args, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    old, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("emergency", *args, stdout=out, stderr=err)
    finally:
        sys.stdin = old
    return out.getvalue(), err.getvalue()


def test_sample_import_and_export_round_trip(city, tmp_path):
    path = tmp_path / "list.xlsx"
    out, _ = run("sample", str(path), "--count", "60")
    assert "60 行" in out
    out, _ = run("import", str(path), "--check")
    assert "校验通过" in out and not Enterprise.objects.exists()
    out, _ = run("import", str(path))
    assert "已导入 60 行" in out and Enterprise.objects.count() == 60
    exported = tmp_path / "out.xlsx"
    run("export", str(exported))
    out, _ = run("import", str(exported))
    assert "新增 0，更新 60，等级变化 0，移出 0" in out


def test_a_bad_file_exits_with_the_rows(city, tmp_path):
    from emergency import listfile, sample

    rows = sample.generate(3, ["鄠邑区"])
    rows[1]["name"] = ""
    path = tmp_path / "bad.xlsx"
    path.write_bytes(listfile.write_workbook(rows))
    with pytest.raises(CommandError):
        run("import", str(path))


def test_propose_reads_stdin(city):
    out, _ = run("propose", stdin="2024-01-12,230\n2024-01-13,240\n")
    assert out.startswith("建议：yellow")
    with pytest.raises(CommandError):
        run("propose", stdin="2024-01-12,x\n")


def test_verify_redraws_every_day(city, world):
    make_enterprises(city, 200)
    days = [dt.date(2024, 1, 11)]
    _, rounds = orange_episode(city, world.office, days)
    draw_days(rounds, world.office, days)
    out, _ = run("verify")
    assert out.startswith("OK 2024-01-11")
