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
    parser.add_argument(
        "--sm4-key",
        action="append",
        default=[],
        metavar="HEX",
        help="HJ 212-2025 加密报文的 SM4 密钥（32 位十六进制或 16 个字符）；可给多个，依次尝试",
    )


def parse_keys(texts: list[str]) -> list[bytes]:
    """The ``--sm4-key`` values as keys; ``ValueError`` naming the option otherwise."""
    from monitoring.hj212.sm4 import parse_key

    try:
        return [parse_key(text) for text in texts]
    except ValueError as err:
        raise ValueError(f"--sm4-key：{err}") from None


def parse_lines(lines: BinaryIO, out: TextIO, profile_name: str, keys: list[bytes] = ()) -> None:
    from monitoring.hj212 import FrameError, get_profile, parse_frame

    profile = get_profile(profile_name)
    for line in lines:
        line = line.rstrip(b"\r\n").removeprefix(b"\xef\xbb\xbf")  # a BOM from Windows tools
        if not line.strip():
            continue
        try:
            result = parse_frame(line, profile, keys=keys).as_json()
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
    try:
        keys = parse_keys(options.sm4_key)
    except ValueError as err:
        parser.error(str(err))
    parse_lines(sys.stdin.buffer, sys.stdout, options.profile, keys)
    return 0
