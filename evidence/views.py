from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse

from accounts.access import can_view
from evidence.models import EvidenceFile
from evidence.previews import pdf_preview


@login_required
def download(request, pk: int):
    """Serve an evidence file to a user who may see the object it is attached to; else 404."""
    evidence = EvidenceFile.objects.filter(pk=pk).select_related("content_type").first()
    if evidence is None:
        raise Http404
    target = evidence.attached_to
    if target is None or not can_view(request.user, target):
        raise Http404
    if evidence.kind == "pdf" and request.GET.get("thumb"):
        # the first page, rendered once under limits; a file that cannot be read gives the
        # placeholder (evidence.previews)
        try:
            png = pdf_preview(evidence)
        except FileNotFoundError:
            raise Http404 from None
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, max-age=86400"
        return response
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if evidence.kind == "image" and request.GET.get("thumb"):
        small = _thumbnail(handle)
        if small is not None:
            return HttpResponse(small, content_type="image/jpeg")
        handle.seek(0)
    inline = evidence.kind in ("image", "pdf")
    return FileResponse(handle, as_attachment=not inline, filename=evidence.original_name)


THUMB_SIZE = (240, 180)


def _thumbnail(handle) -> bytes | None:
    """A small JPEG of a photo for lists of evidence; ``None`` when it cannot be read (the
    original is served instead)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(handle) as image:
            image.thumbnail(THUMB_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        return None
