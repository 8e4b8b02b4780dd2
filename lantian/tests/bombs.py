"""Decompression bombs for the tests and ``bench/document_bombs.py``: small files that inflate
to hundreds of megabytes (or a gibibyte) when a reader opens them naively."""

from __future__ import annotations

import io
import zipfile
import zlib

MB = 1024 * 1024
_PARAGRAPH = b"<w:p><w:r><w:t>" + "整改措施落实到位".encode() * 8 + b"</w:t></w:r></w:p>"
_ROW = b'<row><c t="inlineStr"><is><t>' + b"x" * 64 + b"</t></is></c></row>"


def _deflated_entry(target: zipfile.ZipFile, name: str, parts) -> None:
    with target.open(name, "w", force_zip64=True) as entry:
        for part in parts:
            entry.write(part)


def docx_bomb(size: int = 1024 * MB) -> bytes:
    """A .docx whose word/document.xml inflates to ``size`` bytes."""
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("关于印发整改方案的通知")
    document.save(buffer)
    return _zip_replacing(
        buffer.getvalue(),
        "word/document.xml",
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>",
        _PARAGRAPH,
        b"</w:body></w:document>",
        size,
    )


def xlsx_bomb(size: int = 1024 * MB) -> bytes:
    """An .xlsx whose first sheet inflates to ``size`` bytes."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    book = Workbook()
    book.active.append(["企业名称", "统一社会信用代码"])
    book.save(buffer)
    return _zip_replacing(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>",
        _ROW,
        b"</sheetData></worksheet>",
        size,
    )


def _zip_replacing(base: bytes, name: str, head: bytes, unit: bytes, tail: bytes, size: int):
    out = io.BytesIO()
    block = unit * max(1, MB // len(unit))
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                _deflated_entry(target, info.filename, [source.read(info.filename)])

        def parts():
            yield head
            for _ in range(max(1, size // len(block))):
                yield block
            yield tail

        _deflated_entry(target, name, parts())
    return out.getvalue()


def many_entries_zip(count: int = 20_000) -> bytes:
    """A .docx-looking zip with ``count`` tiny entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("word/document.xml", b"<w:document/>")
        for n in range(count):
            target.writestr(f"word/media/{n}.xml", b"")
    return out.getvalue()


def pdf_bomb(size: int = 1024 * MB) -> bytes:
    """A one-page PDF with a content stream that inflates to ``size`` bytes of spaces."""
    inflater = zlib.compressobj(1)
    block = b" " * MB
    compressed = b"".join(inflater.compress(block) for _ in range(size // MB))
    compressed += inflater.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(compressed)
        + compressed
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
