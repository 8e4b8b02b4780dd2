"""An import in progress: the uploaded document, what the extractor read, and the office's
corrections, kept server-side until the office commits it to the ledger."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("待确认")
    COMMITTED = "committed", _("已导入")
    DISCARDED = "discarded", _("已放弃")


class ImportDraft(models.Model):
    source_name = models.CharField(_("文件名"), max_length=255)
    source_file = models.FileField(_("原始文件"), upload_to="plans/sources/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    extracted = models.JSONField(_("解析结果"), help_text=_("解析器的原始输出，不做修改"))
    extraction = models.JSONField(_("校正后的内容"))
    corrections = models.JSONField(default=list, blank=True)
    city = models.ForeignKey(
        "accounts.District", verbose_name=_("城市"), on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    plan_id = models.PositiveBigIntegerField(_("台账方案"), null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("方案导入草稿")
        verbose_name_plural = _("方案导入草稿")
        ordering = ["-created_at"]

    def __str__(self):
        return self.extraction.get("title") or self.source_name
