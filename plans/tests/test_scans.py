"""Scans (issue 14, item 4): a PDF or a page image without a text layer is read by Tesseract
when it is installed, every item flagged for review; without it, one line naming what to
install."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from plans.extract import ExtractError, ocr, parse_file

ROOT = Path(__file__).resolve().parents[2]
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
NOTICE = [
    "反馈问题：城区道路扬尘污染问题突出。",
    "整改责任单位：市城管局",
    "整改时限：2024年9月底",
    "整改措施：",
    "1.增加道路洒水频次。",
]
needs_tesseract = pytest.mark.skipif(
    ocr.tesseract() is None or not os.path.exists(FONT), reason="Tesseract (chi_sim) not installed"
)


def _scan(lines: list[str], kind: str = "PDF") -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, 40)
    image = Image.new("L", (1400, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for k, line in enumerate(lines):
        draw.text((60, 60 + 70 * k), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, kind, resolution=250) if kind == "PDF" else image.save(buffer, kind)
    return buffer.getvalue()


@needs_tesseract
def test_a_scanned_notice_is_read_and_every_item_flagged_for_review():
    out = parse_file(_scan(NOTICE), filename="scan.pdf")
    assert out["ocr"] is True
    (item,) = out["items"]
    assert item["responsible"] == ["市城管局"] and item["deadline"] == "2024-09-30"
    assert item["ocr"] is True and "ocr" in item["uncertain"]
    assert "OCR" in out["warnings"][0]


@needs_tesseract
def test_a_photographed_page_is_read_too():
    out = parse_file(_scan(NOTICE, "PNG"), filename="photo.png")
    assert out["items"][0]["responsible"] == ["市城管局"] and out["ocr"] is True


def test_without_tesseract_the_message_names_what_to_install(monkeypatch):
    monkeypatch.setattr(ocr, "tesseract", lambda: None)
    blank = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF"
    )
    with pytest.raises(ExtractError) as caught:
        parse_file(blank, filename="scan.pdf")
    message = str(caught.value)
    assert "tesseract-ocr tesseract-ocr-chi-sim" in message and "\n" not in message


def test_the_command_says_it_in_one_line_and_exits_2(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF"
    )
    env = {"PATH": "/nonexistent", "HOME": str(tmp_path)}  # no tesseract on the path
    done = subprocess.run(
        [sys.executable, "-m", "lantian.cli", "plan", "parse", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("lantian plan parse: ") and "apt-get install tesseract-ocr" in line


def test_tesseract_reads_outside_the_readers_time_limited_child(monkeypatch):
    # recognising a page takes seconds (ten on a busy machine): inside the reader's 15 s child
    # most scans were refused as "too complex"; the child only decodes and renders the pages
    from plans.extract import text

    seen = []

    def read_pages(pages):
        seen.append((os.getpid(), len(pages), pages[0][:4]))
        return ocr.Lines(NOTICE)

    monkeypatch.setattr(ocr, "tesseract", lambda: "/usr/bin/tesseract")
    monkeypatch.setattr(ocr, "read_pages", read_pages)
    lines = text.read_bytes(_scan(NOTICE[:2]) if os.path.exists(FONT) else _blank_png(), "s.pdf")
    assert lines == NOTICE
    assert seen == [(os.getpid(), 1, b"\x89PNG")]


def _blank_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buffer, "PDF", resolution=100)
    return buffer.getvalue()


def test_ocr_punctuation_takes_the_form_the_document_uses():
    lines = [
        "一、存在问题",
        "北环路两侧,裸土未覆盖,渣土车带泥上路,夜间施工扬尘明显，群众反映强烈。",
        '要求施工单位"立即整改”并建立台账,落实“六个百分百”。',
    ]
    out = ocr.consistent_punctuation(lines)
    assert out[1] == "北环路两侧,裸土未覆盖,渣土车带泥上路,夜间施工扬尘明显,群众反映强烈。"
    assert out[2] == "要求施工单位“立即整改”并建立台账,落实“六个百分百”。"
    # a document that mixes the widths on purpose keeps them
    mixed = ["甲，乙，丙,丁,戊"]
    assert ocr.consistent_punctuation(mixed) == mixed
