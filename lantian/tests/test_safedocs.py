"""Decompression bombs and over-large documents end with the usual clear message, in bounded
memory and time, through every reader: the CLI, the web import, the Excel imports, evidence."""

from __future__ import annotations

import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lantian.lib import safedocs
from lantian.tests import bombs
from lantian.tests.test_cli import run_cli

SIZE = 160 * bombs.MB  # over every default limit, quick to make


@pytest.fixture(scope="module")
def docx_bomb():
    return bombs.docx_bomb(SIZE)


@pytest.fixture(scope="module")
def xlsx_bomb():
    return bombs.xlsx_bomb(SIZE)


@pytest.fixture(scope="module")
def pdf_bomb():
    return bombs.pdf_bomb(SIZE)


def test_zip_checks_count_and_inflated_size_before_opening(docx_bomb, xlsx_bomb):
    for bomb in (docx_bomb, xlsx_bomb):
        assert len(bomb) < 2 * bombs.MB
        with pytest.raises(safedocs.UnsafeDocument, match="解压后过大"):
            safedocs.check_zip(bomb)
    with pytest.raises(safedocs.UnsafeDocument, match="条目过多"):
        safedocs.check_zip(bombs.many_entries_zip(6000))
    safedocs.check_zip(b"PK\x03\x04 not really a zip")  # the reader names that problem


def test_pdf_streams_are_inflated_only_up_to_the_limit(pdf_bomb):
    started = time.process_time()
    with pytest.raises(safedocs.UnsafeDocument, match="压缩炸弹"):
        safedocs.check_pdf(pdf_bomb)
    assert time.process_time() - started < 5  # stops at the limit, never inflates it all
    small = bombs.pdf_bomb(2 * bombs.MB)
    safedocs.check_pdf(small)
    with pytest.raises(safedocs.UnsafeDocument, match="页数过多"):
        safedocs.check_pdf_pages(10_000)


def _hog(megabytes):
    return len(bytearray(megabytes * bombs.MB))


def _sleep(seconds):
    time.sleep(seconds)


def _fail():
    raise KeyError("无此工作表")


def test_the_child_process_is_limited_in_memory_and_time():
    tight = safedocs.Limits(memory=64 * bombs.MB, seconds=2)
    assert safedocs.run_limited(_hog, 8, limit=tight) == 8 * bombs.MB
    with pytest.raises(safedocs.UnsafeDocument, match="内存超过 64 MB"):
        safedocs.run_limited(_hog, 512, limit=tight)
    started = time.monotonic()
    with pytest.raises(safedocs.UnsafeDocument, match="2 秒内未能读完"):
        safedocs.run_limited(_sleep, 60, limit=tight)
    assert time.monotonic() - started < 10
    with pytest.raises(KeyError, match="无此工作表"):  # the reader's own errors come back as-is
        safedocs.run_limited(_fail, limit=tight)


def test_a_workbook_reads_as_before_through_the_guard():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "点位"
    book.active.append(["名称", "比例"])
    book.active.append(["工地", 0.25])
    book.active["B2"].number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    read = safedocs.load_workbook(io.BytesIO(buffer.getvalue()))
    assert read.sheetnames == ["点位"]
    assert list(read["点位"].iter_rows(values_only=True)) == [("名称", "比例"), ("工地", 0.25)]
    assert list(read.worksheets[0].iter_rows())[1][1].number_format == "0%"


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_plan_parse_refuses_a_bomb_with_exit_status_2(tmp_path, kind, docx_bomb, pdf_bomb):
    path = tmp_path / f"bomb.{kind}"
    path.write_bytes(docx_bomb if kind == "docx" else pdf_bomb)
    started = time.monotonic()
    result = run_cli("plan", "parse", str(path))
    assert result.returncode == 2, result.stderr
    assert "压缩炸弹" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < 60  # start-up included, on a busy machine


@pytest.mark.django_db
def test_the_web_import_refuses_a_bomb_and_stores_nothing(client, world, docx_bomb):
    from plans.models import ImportDraft

    client.force_login(world.office)
    upload = SimpleUploadedFile("方案.docx", docx_bomb)
    response = client.post(reverse("plan-import"), {"file": upload})
    assert response.status_code == 200
    assert "压缩炸弹" in response.content.decode()
    assert not ImportDraft.objects.exists()


@pytest.mark.django_db
def test_every_excel_import_refuses_a_bomb(world, xlsx_bomb):
    from emergency import listfile
    from ledger import excel
    from monitoring.importing import ImportRefused, import_registry

    with pytest.raises(excel.WorkbookError, match="压缩炸弹"):
        excel.read_rows(xlsx_bomb)
    reading = listfile.read_workbook(
        io.BytesIO(xlsx_bomb), districts={}, resolve_unit=lambda n: None
    )
    assert "压缩炸弹" in reading.problems[0].message
    with pytest.raises(ImportRefused, match="压缩炸弹"):
        import_registry(io.BytesIO(xlsx_bomb), acting_user=world.office)
    from airquality.importing import ImportFileError, _read_excel

    with pytest.raises(ImportFileError, match="压缩炸弹"):
        _read_excel(xlsx_bomb)


@pytest.mark.django_db
def test_evidence_refuses_a_bomb_and_stores_nothing(world, docx_bomb, pdf_bomb):
    from evidence.models import EvidenceFile
    from evidence.services import attach_evidence

    unit = world.unit("鄠邑区政府")
    for name, data in (("佐证.docx", docx_bomb), ("佐证.pdf", pdf_bomb)):
        with pytest.raises(ValidationError, match="压缩炸弹"):
            attach_evidence(SimpleUploadedFile(name, data), to=unit, acting_user=world.office)
    assert not EvidenceFile.objects.exists()


def png(width: int, height: int, rows: int | None = None) -> bytes:
    """A greyscale PNG declaring ``width`` × ``height`` black pixels (kilobytes for millions);
    ``rows`` of them actually there (all by default)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    count = height if rows is None else rows
    data = b"".join(pixels.compress(row) for _ in range(count)) + pixels.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [10_000, 60_000])  # 100 Mpx (Pillow only warns), 3.6 Gpx
def test_an_image_plan_of_too_many_pixels_is_refused_from_its_header(side, monkeypatch):
    from PIL import Image

    from plans.extract import ocr
    from plans.extract.text import ExtractError

    def decoded(self):
        raise AssertionError("pixels decoded before the size was checked")

    monkeypatch.setattr(Image.Image, "load", decoded)

    # the 3.6 Gpx one is a header and one row: nobody builds 3.6 GB of pixels to test this
    bomb = png(side, side, rows=1 if side > 20_000 else None)
    with pytest.raises(ExtractError, match="图片过大"):
        ocr.ocr_image(bomb)  # what read_bytes runs, in its guarded child, for a .png


def test_a_report_template_that_is_a_zip_bomb_is_refused_before_it_is_opened(docx_bomb):
    from reports import document
    from reports.sample import SAMPLE_HEADER, sample_snapshot

    with pytest.raises(document.TemplateRefused, match="解压后过大|条目过多"):
        document.check_template(docx_bomb, sample_snapshot(), SAMPLE_HEADER)
