"""Evidence files (佐证材料): one storage path for reports, acceptance, alarms and inspections."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _storage_path(instance: EvidenceFile, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class EvidenceFile(models.Model):
    """A file attached to one object. It is served only to users who may see that object."""

    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.CharField(max_length=64)
    attached_to = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("文件"), upload_to=_storage_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("类型"), max_length=16)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        indexes = [models.Index(fields=["content_type", "object_id"], name="evidence_target")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


def _pending_path(instance: PendingUpload, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"pending/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class PendingUpload(models.Model):
    """A file chosen in a form whose submission failed, kept for that user and that form so
    it need not be chosen again (``evidence.pending``). Removed once the form succeeds, when
    the user takes it off the list, or after ``pending.KEEP_HOURS``."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    form_key = models.CharField(max_length=120)
    file = models.FileField(upload_to=_pending_path, max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待提交的附件")
        verbose_name_plural = _("待提交的附件")
        indexes = [models.Index(fields=["owner", "form_key"], name="pending_upload_form")]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
