"""The extractor's public entry points: ``parse_file`` and ``parse_text``."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from . import flattened, layout, meta
from .errors import ExtractError
from .fields import LABEL, field_of
from .tasks import detect_kind, parse_task_list, parse_work_plan
from .text import MAX_BYTES, MAX_CHARS, join_lines, prepare, read_bytes

SCHEMA_VERSION = 1


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ExtractError(f"发文日期格式应为 YYYY-MM-DD：{value!r}") from exc


def parse_file(path_or_bytes, *, filename: str | None = None, year=None, issued=None) -> dict:
    """Read a ``.txt``/``.docx``/``.pdf`` (path, bytes or a binary file object) and parse it."""
    try:
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            data = bytes(path_or_bytes)
        elif hasattr(path_or_bytes, "read"):
            data = path_or_bytes.read(MAX_BYTES + 1)
            if isinstance(data, str):
                data = data.encode("utf-8")
            filename = filename or getattr(path_or_bytes, "name", None)
        else:
            path = Path(os.fspath(path_or_bytes))
            filename = filename or path.name
            if not path.is_file():
                raise ExtractError(f"文件不存在或不可读：{path}")
            if path.stat().st_size > MAX_BYTES:
                raise ExtractError(
                    f"文件过大（{path.stat().st_size / 1024 / 1024:.1f} MB，"
                    f"上限 {MAX_BYTES // 1024 // 1024} MB）"
                )
            data = path.read_bytes()
    except ExtractError:
        raise
    except (OSError, TypeError, ValueError) as exc:
        raise ExtractError(f"无法读取文件：{type(exc).__name__}") from exc
    lines = read_bytes(data, filename)
    return _parse_lines(lines, year=year, issued=issued)


def parse_text(text: str, *, year=None, issued=None) -> dict:
    """Parse pasted text."""
    if not isinstance(text, str):
        raise ExtractError("输入不是文本")
    if len(text) > MAX_CHARS:
        raise ExtractError(f"文本过长（{len(text)} 字，上限 {MAX_CHARS} 字）")
    return _parse_lines(text.splitlines(), year=year, issued=issued)


def _parse_lines(raw_lines: list[str], *, year=None, issued=None) -> dict:
    try:
        return _parse(raw_lines, year=year, issued=issued)
    except ExtractError:
        raise
    except RecursionError as exc:  # pragma: no cover - defensive
        raise ExtractError("文档结构过深，无法解析") from exc
    except Exception as exc:  # noqa: BLE001 - the contract: nothing but ExtractError escapes
        raise ExtractError(f"解析失败（{type(exc).__name__}: {exc}）") from exc


def _parse(raw_lines: list[str], *, year=None, issued=None) -> dict:
    if sum(len(line) for line in raw_lines) > MAX_CHARS:
        raise ExtractError(f"文本过长（上限 {MAX_CHARS} 字）")
    ocr = bool(getattr(raw_lines, "ocr", False))
    lines = layout.normalise(flattened.tables_in(prepare(raw_lines)), ocr=ocr)
    if not any(line.strip() for line in lines):
        raise ExtractError("文档为空（没有可读的文字）")
    if not re.search(r"[\u4e00-\u9fa5]", "".join(lines[:2000])):
        raise ExtractError("文档不含中文文字，不像是方案文件")
    lines, warnings = meta.strip_lead_in(lines)
    title, title_raw, title_at = meta.title_of(lines)
    notice = meta.notice_of(lines)
    doc_no = meta.doc_no_of(lines)
    issued_found, signed = meta.issued_of(lines)
    issued_date = _as_date(issued) or issued_found
    paragraphs = join_lines(lines)
    period, feedback = meta.inspection_of(paragraphs)
    plan_year = (
        int(year) if year else meta.year_of(title, issued_date, period, feedback, paragraphs)
    )
    if not plan_year:
        warnings.append("无法确定方案年度，未写年份的日期无法换算（可用 --year 指定）")
    issuer = meta.issuer_of(notice, title, signed)
    city = meta.city_of(issuer, title, notice)

    kind = detect_kind(paragraphs)
    if kind == "task_list":
        items, used = parse_task_list(paragraphs, plan_year, issued_date)
        if not items:
            kind = "work_plan"
    if kind == "work_plan":
        items, used, more = parse_work_plan(paragraphs, plan_year, issued_date)
        warnings.extend(more)
    if not items:
        raise ExtractError("未找到任务：文档中没有编号的任务清单或带责任单位的任务")
    used_set = set(used)
    if kind == "task_list" and len(items) == 1:
        # a notice's closing lines (联系电话：…) belong to its one item: personal data, kept apart
        _add_contacts(items[0], [p for i, p in enumerate(paragraphs) if i not in used_set])
    body = [p for i, p in enumerate(paragraphs) if i not in used_set]
    rules = meta.rules_of(body, plan_year, issued_date)
    _check_numbering(items, warnings)
    for item in items:
        if not item["responsible"] and not item["lead"] and not item["implementers"]:
            warnings.append(f"第 {item['no']} 项未找到责任单位")
        if ocr:  # text read from an image: every field to be checked against the scan
            item["ocr"] = True
            item["uncertain"] = list(dict.fromkeys([*item.get("uncertain", []), "ocr"]))
    if ocr:
        warnings.insert(0, "本文件为扫描件，文字经 OCR 识别，可能有误，请逐项核对原件")
    return {
        "title": title,
        "title_raw": title_raw,
        "doc_no": doc_no,
        "issued": issued_date.isoformat() if issued_date else None,
        "year": plan_year,
        "kind": kind,
        "issuer": issuer,
        "city": city,
        "notice_title": notice if notice and notice != title else None,
        "inspection_period": period,
        "feedback_date": feedback,
        "rules": rules,
        "items": items,
        "warnings": warnings,
        "ocr": ocr,
        "schema": SCHEMA_VERSION,
    }


def _add_contacts(item: dict, paragraphs: list[str]) -> None:
    contacts = item.setdefault("contacts", [])
    for paragraph in paragraphs:
        match = LABEL.match(paragraph)
        if match and field_of(match.group()) == "contact":
            label, value = match.group().rstrip("：: "), paragraph[match.end() :].strip()
            entry = {"label": label, "value": value}
            if entry["value"] and entry not in contacts:
                contacts.append(entry)
            continue
        said = layout.contact_line(paragraph)  # …发送至电子邮箱x@y.cn in a closing sentence
        if said:
            label, value = said.split("：", 1)
            entry = {"label": label, "value": value}
            if entry not in contacts:
                contacts.append(entry)


def _check_numbering(items: list[dict], warnings: list[str]) -> None:
    numbers = [item["no"] for item in items]
    expected = list(range(numbers[0], numbers[0] + len(numbers))) if numbers else []
    if numbers != expected:
        warnings.append("任务编号不连续：" + "、".join(str(n) for n in numbers[:60]))
