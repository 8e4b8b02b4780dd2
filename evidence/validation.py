"""What an evidence upload may be: a few document and image types, checked by content and size."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# kind → (extensions, leading bytes that such a file starts with)
KINDS: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "image": (
        (".jpg", ".jpeg", ".png", ".gif", ".webp"),
        (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF"),
    ),
    "pdf": ((".pdf",), (b"%PDF-",)),
    "word": ((".docx", ".doc"), (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")),
    "excel": ((".xlsx", ".xls"), (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")),
}


def max_bytes() -> int:
    return getattr(settings, "LANTIAN_MAX_EVIDENCE_BYTES", 20 * 1024 * 1024)


def classify(name: str, head: bytes, size: int) -> str:
    """The kind of an upload, or ``ValidationError`` saying what is wrong with it."""
    if size == 0:
        raise ValidationError(_("文件为空。"), code="empty")
    if size > max_bytes():
        raise ValidationError(
            _("文件过大：%(size)s MB，上限 %(max)s MB。"),
            params={"size": round(size / 1048576, 1), "max": max_bytes() // 1048576},
            code="too_large",
        )
    suffix = PurePosixPath(name).suffix.lower()
    for kind, (extensions, magics) in KINDS.items():
        if suffix in extensions:
            if not any(head.startswith(m) for m in magics):
                raise ValidationError(
                    _("文件内容与扩展名 %(suffix)s 不符。"),
                    params={"suffix": suffix},
                    code="mismatch",
                )
            if kind == "image" and head.startswith(b"RIFF") and head[8:12] != b"WEBP":
                raise ValidationError(_("不是有效的图片文件。"), code="mismatch")
            return kind
    raise ValidationError(
        _("不支持的文件类型 %(suffix)s：仅限图片、PDF、Word、Excel。"),
        params={"suffix": suffix or "（无扩展名）"},
        code="type",
    )
