"""First-page previews of PDF evidence: a small PNG rendered once and kept by content hash.

An uploaded PDF was checked for bombs when it was attached (``services.attach_evidence``), but
the renderer (pdfium, through ``pypdfium2``, which pdfplumber already brings) is C code reading
a stranger's file: it runs in a forked child limited in memory and time
(``safedocs.run_limited``), behind the same bounded inflation check. Whatever goes wrong (a
malformed file, a bomb, a renderer that runs out of time or memory) gives the placeholder
image, never an error page or a hung request. The result, placeholder included, is stored as
``previews/pdf/<sha256>.png`` so that each distinct file is judged once; the view that serves
it is the evidence download itself, with its access check.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
from functools import cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from lantian.lib import safedocs

log = logging.getLogger(__name__)

SIZE = (240, 180)  # as the photo thumbnails; shown at 120×90
BACKGROUND = (238, 240, 243)
MAX_PDF_BYTES = 64 * 1024 * 1024  # far above the upload limit: a file larger is not previewed


def _seconds() -> int:
    try:
        return max(1, int(os.environ.get("LANTIAN_PREVIEW_SECONDS", 8)))
    except ValueError:
        return 8


def preview_limits() -> safedocs.Limits:
    """The document limits, with a wall clock short enough for a page to wait on."""
    base = safedocs.limits()
    return dataclasses.replace(base, seconds=min(base.seconds, _seconds()))


def storage_name(sha256: str) -> str:
    return f"previews/pdf/{sha256[:2]}/{sha256}.png"


def pdf_preview(evidence) -> bytes:
    """The PNG preview of a PDF evidence file (rendered on first request, then kept)."""
    name = storage_name(evidence.sha256)
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as kept:
            return kept.read()
    png = None
    if evidence.size <= MAX_PDF_BYTES:
        with evidence.file.open("rb") as handle:
            png = render_first_page(handle.read())
    png = png or placeholder()
    saved = default_storage.save(name, ContentFile(png))
    if saved != name:  # another request rendered the same file meanwhile
        default_storage.delete(saved)
    return png


def render_first_page(data: bytes, *, limit: safedocs.Limits | None = None) -> bytes | None:
    """The first page as a PNG of ``SIZE``, or ``None`` when the file cannot be rendered
    safely (refused by the inflation check, malformed, over the child's time or memory)."""
    limit = limit or preview_limits()
    try:
        safedocs.check_pdf(data, limit=limit)
        png = safedocs.run_limited(_render, data, limit=limit)
    except Exception as exc:  # noqa: BLE001 - any failure of a hostile file is a placeholder
        log.info("PDF preview not rendered: %s: %s", type(exc).__name__, exc)
        return None
    return png if isinstance(png, bytes) and png.startswith(b"\x89PNG") else None


def _render(data: bytes) -> bytes | None:
    """In the limited child: pdfium renders page 1 to fit ``SIZE``, centred on a canvas."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(data)
    try:
        if len(document) < 1:
            return None
        page = document[0]
        width, height = page.get_size()
        if not (width > 0 and height > 0):
            return None
        # fit the page in the box; the bitmap is never larger than SIZE whatever the page says
        scale = min(SIZE[0] / width, SIZE[1] / height)
        bitmap = page.render(scale=scale, may_draw_forms=False)
        image = bitmap.to_pil().convert("RGB")
        image.thumbnail(SIZE)
        canvas = Image.new("RGB", SIZE, BACKGROUND)
        canvas.paste(image, ((SIZE[0] - image.width) // 2, (SIZE[1] - image.height) // 2))
        out = io.BytesIO()
        canvas.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


@cache
def placeholder() -> bytes:
    """A grey card with a page outline and “PDF”: the file is there, its preview is not."""
    from PIL import Image, ImageDraw

    canvas = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = 85, 30, 155, 150
    draw.polygon(
        [(left, top), (right - 20, top), (right, top + 20), (right, bottom), (left, bottom)],
        fill="white",
        outline=(150, 155, 165),
        width=2,
    )
    draw.line([(right - 20, top), (right - 20, top + 20), (right, top + 20)], fill=(150, 155, 165))
    draw.rectangle([left + 8, 98, right - 8, 122], fill=(192, 57, 43))
    draw.text((left + 24, 103), "PDF", fill="white")
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()
