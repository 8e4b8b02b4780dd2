"""Uploads of a failed form submission, kept so that they need not be chosen again.

A browser forgets the files of a file input when the page comes back with an error. The view
keeps the files that passed the evidence checks (``keep``), lists them under the file field
(``evidence/_kept.html``, each with a box to take it off), and on the next submission hands
the ones still ticked to the service with the new ones (``files_for``). Each kept file belongs
to one user and one form (``form_key``, e.g. ``report:12``); no one else can use it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files import File

from evidence.models import PendingUpload
from evidence.validation import classify
from lantian.lib import tz

FIELD = "kept_upload"  # the checkbox name of a kept file in the form
KEEP_HOURS = 24


def keep(user, form_key: str, uploads) -> tuple[list[PendingUpload], list[str]]:
    """Store ``uploads`` for the next try; files the evidence checks refuse are not kept and
    their reasons returned (to show beside the file field)."""
    kept, refused = [], []
    if not getattr(user, "is_authenticated", False):
        return kept, refused
    for upload in uploads:
        try:
            upload.seek(0)
            classify(upload.name or "", upload.read(16), upload.size or 0)
            upload.seek(0)
        except ValidationError as exc:
            refused.append(f"{upload.name}：{'；'.join(exc.messages)}")
            continue
        pending = PendingUpload(
            owner=user, form_key=form_key, original_name=(upload.name or "file")[:255]
        )
        pending.size = upload.size or 0
        pending.file.save(pending.original_name, upload, save=False)
        pending.save()
        kept.append(pending)
    return kept, refused


def chosen(user, form_key: str, data) -> list[PendingUpload]:
    """The kept files still ticked in the submitted ``data``; unticked ones are dropped."""
    if not getattr(user, "is_authenticated", False):
        return []
    mine = PendingUpload.objects.filter(owner=user, form_key=form_key)
    ticked = {int(v) for v in data.getlist(FIELD) if str(v).isdigit()}
    out = []
    for pending in mine:
        if pending.pk in ticked:
            out.append(pending)
        else:
            _drop(pending)
    return out


def files_for(pending: list[PendingUpload]) -> list[File]:
    """Kept files as uploads a service can store (``attach_evidence``)."""
    out = []
    for item in pending:
        handle = item.file.open("rb")
        out.append(File(handle, name=item.original_name))
    return out


def listed(user, form_key: str) -> list[PendingUpload]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(PendingUpload.objects.filter(owner=user, form_key=form_key))


def release(user, form_key: str) -> None:
    """The form succeeded: its kept files are now evidence (or not wanted)."""
    if getattr(user, "is_authenticated", False):
        for pending in PendingUpload.objects.filter(owner=user, form_key=form_key):
            _drop(pending)
    purge()


def purge(now: dt.datetime | None = None) -> int:
    """Forget files kept longer than ``KEEP_HOURS`` (forms people walked away from)."""
    cutoff = (now or tz.now()) - dt.timedelta(hours=KEEP_HOURS)
    old = list(PendingUpload.objects.filter(created_at__lt=cutoff))
    for pending in old:
        _drop(pending)
    return len(old)


def _drop(pending: PendingUpload) -> None:
    pending.file.delete(save=False)
    pending.delete()
