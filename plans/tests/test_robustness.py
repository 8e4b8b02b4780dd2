"""Unreadable input ends in ExtractError with a clear one-line reason, and nothing else."""

import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.extract import ExtractError, parse_file, parse_text
from plans.tests.test_variants import TASK_LIST, WORK_PLAN

TESTDATA = Path(__file__).resolve().parents[2] / "testdata" / "plans"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "a.txt", "空"),
        (b"   \n\n  ", "a.txt", "空"),
        (os.urandom(4096), "a.txt", "不是文本|编码"),
        (b"\x00\x01\x02binary\x00" * 100, "a.bin", "二进制|不是文本"),
        (b"hello world, no plan here", "a.txt", "中文"),
        ("今天天气很好，我们去公园散步。".encode(), "a.txt", "未找到任务"),
        (b"PK\x03\x04garbage", "a.docx", "损坏|不完整"),
        (b"%PDF-1.7\n garbage", "a.pdf", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "old.doc", "doc"),
        (b"not a pdf", "x.pdf", "PDF"),
    ],
)
def test_unreadable_inputs_raise_extract_error(data, name, reason):
    with pytest.raises(ExtractError, match=reason) as info:
        parse_file(data, filename=name)
    assert "\n" not in str(info.value)


def test_a_zip_that_is_not_a_word_document(tmp_path):
    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ExtractError, match="Word"):
        parse_file(path)


@pytest.mark.parametrize("fixture", ["task_table.docx", "task_table.pdf"])
@pytest.mark.parametrize("keep", [0.3, 0.7, 0.95])
def test_truncated_files(fixture, keep):
    data = (TESTDATA / fixture).read_bytes()
    with pytest.raises(ExtractError):
        parse_file(data[: int(len(data) * keep)], filename=fixture)


def test_a_truncated_text_still_parses_what_is_there():
    out = parse_text(TASK_LIST[: len(TASK_LIST) // 2])
    assert out["items"] and out["items"][0]["no"] == 1


def test_huge_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.seek(50 * 1024 * 1024)
        f.write(b"x")
    with pytest.raises(ExtractError, match="过大"):
        parse_file(path)
    with pytest.raises(ExtractError, match="过大"):
        parse_file(b"a" * (50 * 1024 * 1024), filename="huge.txt")
    with pytest.raises(ExtractError, match="过长"):
        parse_text("整改" * 1_500_000)


def test_missing_file():
    with pytest.raises(ExtractError, match="不存在"):
        parse_file("/nonexistent/plan.txt")


def test_bad_issue_date():
    with pytest.raises(ExtractError, match="YYYY-MM-DD"):
        parse_text(TASK_LIST, issued="30/05/2022")


_PLAN_ALPHABET = st.sampled_from(
    list("一二三四五六七八九十、（）()〔〕：:，。；年月日底前内牵头参与落实负责市区县政府局委")
    + [
        "整改责任单位：",
        "整改时限：",
        "整改措施：",
        "\n",
        "1.",
        "2024年6月底",
        "鄠邑区：",
        "%",
        "0",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PLAN_ALPHABET, max_size=120).map("".join))
def test_plan_like_text_never_raises_anything_but_extract_error(text):
    try:
        out = parse_text(text)
    except ExtractError:
        return
    assert isinstance(out["items"], list) and out["items"]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_text_never_raises_anything_but_extract_error(text):
    try:
        parse_text(text)
    except ExtractError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.docx", "a.pdf", None]))
def test_any_bytes_never_raise_anything_but_extract_error(data, name):
    try:
        parse_file(data, filename=name)
    except ExtractError:
        pass


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=len(WORK_PLAN)), st.integers(min_value=0, max_value=30))
def test_mutilated_plans_never_raise_anything_but_extract_error(cut, drop):
    text = WORK_PLAN[:cut] + WORK_PLAN[cut + drop :]
    try:
        parse_text(text)
    except ExtractError:
        pass
