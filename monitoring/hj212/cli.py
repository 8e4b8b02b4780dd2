"""``lantian hj212 parse``: HJ 212 frames on stdin (one per line) → one JSON object per line.

A pure command, run without starting Django (``lantian/cli.py``); the management command
``hj212 parse`` calls the same ``parse_lines``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO, TextIO


def add_parse_arguments(parser) -> None:
    parser.add_argument("--profile", default="tolerant", help="容错配置：tolerant strict …")


def parse_lines(lines: BinaryIO, out: TextIO, profile_name: str) -> None:
    from monitoring.hj212 import FrameError, get_profile, parse_frame

    profile = get_profile(profile_name)
    for line in lines:
        line = line.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")  # a BOM from Windows tools
        if not line.strip():
            continue
        try:
            result = parse_frame(line, profile).as_json()
        except FrameError as err:
            result = {"ok": False, "error": err.reason, "detail": err.detail}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()


def main(argv: list[str]) -> int:
    """``lantian hj212 parse …`` (``argv`` after ``hj212``: ``["parse", …]``)."""
    parser = argparse.ArgumentParser(
        prog="lantian hj212 parse", description="从标准输入逐行解析报文，每行输出一个 JSON"
    )
    add_parse_arguments(parser)
    options = parser.parse_args(argv[1:])
    parse_lines(sys.stdin.buffer, sys.stdout, options.profile)
    return 0
