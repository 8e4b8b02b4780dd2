"""``lantian aqi compute|table``: the HJ 633 calculator, run without starting Django.

``compute`` reads CSV on stdin and writes it back with the sub-indices and the AQI
(``airquality.aqi_csv``); ``table`` prints the breakpoint table in force on a day. Both read
the regulation versions through ``regulations.lookup`` (the packaged files when Django is not
set up). The management command ``aqi`` reuses these functions.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
from typing import TextIO

DAILY, MODES = "daily", ("daily", "hourly")


def add_arguments(sub) -> None:
    compute = sub.add_parser("compute", help="计算 AQI：CSV 从标准输入读入，结果写到标准输出")
    compute.add_argument("--mode", choices=MODES, default=DAILY, help="日报或实时报")
    compute.add_argument(
        "--standard",
        default="auto",
        help="auto（按数据日期：2026-03-01 前用 HJ633-2012，此后用 HJ633-2026）或指定版本",
    )
    table = sub.add_parser("table", help="打印某日适用（或指定版本）的 IAQI 分级浓度表")
    table.add_argument("--on", type=dt.date.fromisoformat, default=None, help="日期，默认今天")
    table.add_argument("--standard", default="auto")


def compute(stdin: TextIO, stdout: TextIO, stderr: TextIO, *, mode: str, standard: str) -> int:
    from airquality import aqi_csv

    try:
        status = aqi_csv.run(stdin, stdout, stderr, mode=mode, standard=standard)
        stdout.flush()
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return aqi_csv.EXIT_ROW_ERRORS
    return status


def table_lines(standard: str, on: dt.date) -> list[str]:
    """The table as printed; ``LookupError`` when none is in force."""
    from airquality import aqi

    table = aqi.load_table(standard, on=on)
    flag = "" if table.verified else "（未逐项核对原文）"
    lines = [f"{table.code}{flag}，适用于 {on}"]
    lines.append("IAQI".ljust(10) + "".join(str(i).rjust(7) for i in table.iaqi))
    for key in aqi.TABLE_KEYS:
        nodes = "".join(str(aqi._plain(b)).rjust(7) for b in table.breakpoints[key])
        lines.append(key.ljust(10) + nodes)
    for key, rule in table.over_top.items():
        lines.append(f"{key} 高于上限：{rule}")
    return lines


def main(argv: list[str]) -> int:
    """``lantian aqi …`` (``argv`` after ``aqi``: ``["compute", …]`` or ``["table", …]``)."""
    parser = argparse.ArgumentParser(prog="lantian aqi", description="空气质量指数（HJ 633）")
    add_arguments(parser.add_subparsers(dest="action", required=True))
    options = parser.parse_args(argv)
    if options.action == "table":
        try:
            lines = table_lines(options.standard, options.on or dt.date.today())
        except LookupError as exc:
            sys.stderr.write(f"lantian aqi table: {exc}\n")
            return 2
        sys.stdout.write("\n".join(lines) + "\n")
        return 0
    return compute_bytes(sys.stdin.buffer.read(), mode=options.mode, standard=options.standard)


def compute_bytes(data: bytes, *, mode: str, standard: str) -> int:
    """The whole of stdin: in bulk when the file is plain, else row by row (which explains
    every row it cannot compute). Both write the same bytes."""
    from airquality import aqi_csv_bulk

    try:
        sys.stdout.flush()
        status = aqi_csv_bulk.run(data, sys.stdout.buffer, sys.stderr, mode=mode, standard=standard)
        if status is not None:
            sys.stdout.buffer.flush()
            return status
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        sys.stderr.write(f"lantian aqi: 输入不是 UTF-8 编码的文本（第 {exc.start} 字节）\n")
        return 2
    return compute(io.StringIO(text), sys.stdout, sys.stderr, mode=mode, standard=standard)
