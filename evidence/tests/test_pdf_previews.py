"""PDF evidence shows its first page as a small PNG, rendered once under limits and kept by
content hash; a file that cannot be rendered shows a placeholder (issue 12, item 5)."""

import dataclasses
import datetime as dt
import io
import time
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from PIL import Image

from evidence import previews
from evidence.services import attach_evidence, evidence_for
from lantian.lib import safedocs
from ledger import services

pytestmark = pytest.mark.django_db

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def real_pdf() -> bytes:
    """A one-page A4 PDF (PIL writes a real one): a red band on white."""
    page = Image.new("RGB", (595, 842), "white")
    page.paste((200, 30, 30), (0, 0, 595, 200))
    out = io.BytesIO()
    page.save(out, format="PDF")
    return out.getvalue()


def bomb_pdf(inflated: int = 40 * 1024 * 1024) -> bytes:
    stream = zlib.compress(b"\0" * inflated, 9)
    return (
        b"%%PDF-1.4\n1 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n"
    )


@pytest.fixture
def unit(world):
    return world.unit("鄠邑区政府")


def _attach(unit, world, name, data):
    return attach_evidence(SimpleUploadedFile(name, data), to=unit, acting_user=world.office)


def test_a_real_pdf_gets_a_png_of_its_first_page(client, world, unit):
    pdf = _attach(unit, world, "整改报告.pdf", real_pdf())
    html = render_to_string("evidence/_file.html", {"e": pdf})
    assert f'src="/evidence/{pdf.pk}/?thumb=1"' in html and 'alt="整改报告.pdf"' in html
    client.force_login(world.huyi)
    response = client.get(f"/evidence/{pdf.pk}/?thumb=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG_MAGIC)
    assert response.content != previews.placeholder()
    image = Image.open(io.BytesIO(response.content))
    assert image.size == previews.SIZE
    # the page (portrait) is drawn in the middle: red band on top, white below
    red = image.getpixel((120, 20))
    assert red[0] > 150 and red[1] < 100, red
    assert image.getpixel((120, 150)) == (255, 255, 255)
    # kept by content hash: the same file attached again is not rendered again
    assert default_storage.exists(previews.storage_name(pdf.sha256))
    # without ?thumb the file itself is served, inline
    assert client.get(f"/evidence/{pdf.pk}/")["Content-Type"] == "application/pdf"


def test_a_kept_preview_is_not_rendered_again(world, unit, monkeypatch):
    first = _attach(unit, world, "a.pdf", real_pdf())
    png = previews.pdf_preview(first)
    again = _attach(unit, world, "b.pdf", real_pdf())
    assert again.sha256 == first.sha256

    def refuse(*_args, **_kwargs):
        raise AssertionError("rendered twice")

    monkeypatch.setattr(previews, "render_first_page", refuse)
    assert previews.pdf_preview(again) == png


def test_a_malformed_pdf_gets_the_placeholder(client, world, unit):
    broken = _attach(unit, world, "损坏.pdf", b"%PDF-1.4\n" + b"0" * 64)
    client.force_login(world.huyi)
    response = client.get(f"/evidence/{broken.pk}/?thumb=1")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == previews.placeholder()
    assert response.content.startswith(PNG_MAGIC)
    assert Image.open(io.BytesIO(response.content)).size == previews.SIZE


def test_a_bomb_or_a_hung_renderer_gives_the_placeholder_in_bounded_time(monkeypatch):
    started = time.monotonic()
    assert previews.render_first_page(bomb_pdf()) is None  # refused before any rendering
    assert time.monotonic() - started < 5

    def hang(_data):
        time.sleep(30)

    monkeypatch.setattr(previews, "_render", hang)
    tight = dataclasses.replace(safedocs.limits(), seconds=1)
    started = time.monotonic()
    assert previews.render_first_page(real_pdf(), limit=tight) is None
    assert time.monotonic() - started < 5


def test_a_renderer_out_of_memory_gives_the_placeholder(monkeypatch):
    def greedy(_data):
        return bytearray(512 * 1024 * 1024)

    monkeypatch.setattr(previews, "_render", greedy)
    small = dataclasses.replace(safedocs.limits(), memory=64 * 1024 * 1024, seconds=10)
    assert previews.render_first_page(real_pdf(), limit=small) is None


def test_who_may_not_see_the_evidence_cannot_fetch_its_preview(client, world):
    from ledger.models import Assignment
    from ledger.tests.factories import import_sample

    plan = import_sample(world.office).plan
    line = Assignment.objects.get(task__plan=plan, task__no=6, unit__name="鄠邑区政府")
    report = services.submit_report(
        line,
        period=dt.date(2024, 5, 1),
        narrative="整改报告见附件",
        percent=100,
        files=[SimpleUploadedFile("整改报告.pdf", real_pdf())],
        acting_user=world.huyi,
    )
    (pdf,) = evidence_for(report)
    client.force_login(world.huyi)
    assert client.get(f"/evidence/{pdf.pk}/?thumb=1").status_code == 200
    default_storage.delete(previews.storage_name(pdf.sha256))
    for who in (world.lintong, world.inspector, world.outsider):  # another district, no role
        client.force_login(who)
        assert client.get(f"/evidence/{pdf.pk}/?thumb=1").status_code == 404, who
    client.logout()
    assert client.get(f"/evidence/{pdf.pk}/?thumb=1").status_code == 302  # to the login page
    # nothing was rendered for them
    assert not default_storage.exists(previews.storage_name(pdf.sha256))
