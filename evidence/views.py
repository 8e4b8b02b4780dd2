from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from accounts.access import can_view
from evidence.models import EvidenceFile


@login_required
def download(request, pk: int):
    """Serve an evidence file to a user who may see the object it is attached to; else 404."""
    evidence = EvidenceFile.objects.filter(pk=pk).select_related("content_type").first()
    if evidence is None:
        raise Http404
    target = evidence.attached_to
    if target is None or not can_view(request.user, target):
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = evidence.kind in ("image", "pdf")
    return FileResponse(handle, as_attachment=not inline, filename=evidence.original_name)
