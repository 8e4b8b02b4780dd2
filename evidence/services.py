"""Storing evidence. Callers attach files to their own objects inside their own transaction."""

from __future__ import annotations

import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from audit.log import record
from evidence.models import EvidenceFile
from evidence.validation import classify
from lantian.lib import safedocs


@transaction.atomic
def attach_evidence(
    upload: UploadedFile, *, to: models.Model, acting_user, description: str = ""
) -> EvidenceFile:
    """Validate ``upload`` (type by content, size) and store it attached to ``to``.

    Raises ``django.core.exceptions.ValidationError`` and stores nothing when the file is refused.
    """
    upload.seek(0)
    head = upload.read(16)
    kind = classify(upload.name or "", head, upload.size or 0)
    upload.seek(0)
    if kind in ("word", "excel", "pdf"):  # previews open them later: no bombs on file
        try:
            safedocs.check(upload.read())
        except safedocs.UnsafeDocument as exc:
            raise ValidationError(str(exc), code="unsafe") from None
        upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = EvidenceFile(
        content_type=ContentType.objects.get_for_model(to),
        object_id=str(to.pk),
        original_name=(upload.name or "file")[:255],
        kind=kind,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description,
        uploaded_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    # The file is written before the row; a rolled-back transaction can leave an orphan file
    # (harmless, never a row without its file).
    evidence.file.save(evidence.original_name, upload, save=False)
    evidence.save()
    record(
        acting_user,
        "evidence.attached",
        to,
        changes={"evidence": [None, evidence.original_name]},
        reason=description,
    )
    return evidence


def evidence_for(obj: models.Model):
    return EvidenceFile.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    )
