import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.services import attach_evidence, evidence_for
from evidence.validation import classify

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%..." + b"0" * 64


@pytest.fixture
def unit(world):
    return world.unit("鄠邑区政府")


def test_a_valid_file_is_stored_and_listed(world, unit):
    evidence = attach_evidence(
        SimpleUploadedFile("现场照片.png", PNG), to=unit, acting_user=world.office
    )
    assert evidence.kind == "image" and evidence.size == len(PNG)
    assert list(evidence_for(unit)) == [evidence]
    assert evidence.file.read() == PNG


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("x.png", b"MZ\x90\x00 not a png", "mismatch"),
        ("x.exe", b"MZ\x90\x00", "type"),
        ("x.pdf", b"", "empty"),
        ("noext", b"%PDF-1.4", "type"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(world, unit, name, content, code):
    with pytest.raises(ValidationError) as excinfo:
        attach_evidence(SimpleUploadedFile(name, content), to=unit, acting_user=world.office)
    assert excinfo.value.code == code
    assert not evidence_for(unit).exists()


def test_size_is_capped(settings):
    settings.LANTIAN_MAX_EVIDENCE_BYTES = 10
    with pytest.raises(ValidationError) as excinfo:
        classify("a.pdf", b"%PDF-", 11)
    assert excinfo.value.code == "too_large"


def test_download_follows_access_to_the_object(client, world, unit):
    evidence = attach_evidence(SimpleUploadedFile("a.pdf", PDF), to=unit, acting_user=world.office)
    url = f"/evidence/{evidence.pk}/"
    assert client.get(url).status_code == 302
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    client.force_login(world.huyi)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_photos_are_shown_as_thumbnails_to_those_who_may_see_them(client, world, unit):
    import io

    from django.template.loader import render_to_string
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 140, 200)).save(buffer, format="PNG")
    photo = attach_evidence(
        SimpleUploadedFile("现场.png", buffer.getvalue()), to=unit, acting_user=world.office
    )
    html = render_to_string("evidence/_file.html", {"e": photo})
    assert f'src="/evidence/{photo.pk}/?thumb=1"' in html and 'alt="现场.png"' in html
    client.force_login(world.outsider)
    assert client.get(f"/evidence/{photo.pk}/?thumb=1").status_code == 404
    client.force_login(world.huyi)
    response = client.get(f"/evidence/{photo.pk}/?thumb=1")
    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(response.content)).size == (240, 180)
    broken = attach_evidence(SimpleUploadedFile("b.png", PNG), to=unit, acting_user=world.office)
    assert client.get(f"/evidence/{broken.pk}/?thumb=1").status_code == 200  # the original
