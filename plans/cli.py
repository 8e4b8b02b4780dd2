"""``lantian plan parse``: read a plan and print its structure as one JSON object.

A pure command: it needs no database, so ``lantian`` runs it without starting Django
(``lantian/cli.py``); the management command ``plan`` reuses the same arguments and code.
Exit status 0 and one JSON object on stdout, or 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from plans.extract import ExtractError, parse_file

READ_LIMIT = 64 * 1024 * 1024


def year(value: str) -> int:
    if not value.isdigit() or not 1990 <= int(value) <= 2100:
        raise ValueError(value)
    return int(value)


def date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def add_parse_arguments(parser) -> None:
    parser.add_argument("file", help="方案文件路径（- 表示标准输入）")
    parser.add_argument("--year", type=year, help="方案年度（未写年份的日期按此年换算）")
    parser.add_argument("--issued", type=date, help="发文日期 YYYY-MM-DD（工作日期限由此起算）")
    parser.add_argument("--compact", action="store_true", help="输出单行 JSON")


def read_input(path: str) -> tuple[bytes, str]:
    """The document's bytes and name; ``-`` is standard input."""
    if path == "-":
        return sys.stdin.buffer.read(), "stdin.txt"
    file = Path(path)
    if not file.is_file():
        raise ExtractError(f"文件不存在或不可读：{path}")
    try:
        size = file.stat().st_size
        if size > READ_LIMIT:
            raise ExtractError(f"文件过大（{size / 1024 / 1024:.1f} MB）")
        return file.read_bytes(), file.name
    except OSError as exc:
        raise ExtractError(f"无法读取文件：{exc.strerror or exc}") from exc


def parse_options(options: dict) -> tuple[dict, str, bytes]:
    """(extraction, file name, bytes) for the ``file``/``year``/``issued`` options."""
    data, name = read_input(options["file"])
    extraction = parse_file(
        data, filename=name, year=options.get("year"), issued=options.get("issued")
    )
    return extraction, name, data


def dump(extraction: dict, *, compact: bool) -> str:
    return json.dumps(extraction, ensure_ascii=False, indent=None if compact else 2)


def main(argv: list[str]) -> int:
    """``lantian plan parse …`` without Django (``argv`` after ``plan``: ``["parse", …]``)."""
    parser = argparse.ArgumentParser(
        prog="lantian plan parse", description="解析方案文件（.txt/.docx/.pdf/.xlsx），输出 JSON"
    )
    add_parse_arguments(parser)
    options = vars(parser.parse_args(argv[1:]))
    try:
        extraction, _, _ = parse_options(options)
    except ExtractError as exc:
        sys.stderr.write(f"lantian plan parse: {exc}\n")
        return 2
    sys.stdout.write(dump(extraction, compact=options["compact"]) + "\n")
    return 0
