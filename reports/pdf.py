"""PDF through LibreOffice headless (``soffice --convert-to pdf``), when it is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

INSTALL_HINT = (
    "生成 PDF 需要 LibreOffice：请安装 Debian 软件包 libreoffice-writer"
    "（sudo apt-get install libreoffice-writer），并安装中文字体 fonts-noto-cjk；"
    "或设置 LANTIAN_SOFFICE 指向 soffice 程序"
)
TIMEOUT = 120


class PdfUnavailable(RuntimeError):
    """LibreOffice is missing or failed; the message says what to install or what went wrong."""


def soffice() -> str | None:
    configured = os.environ.get("LANTIAN_SOFFICE", "")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes) -> bytes:
    """Convert a .docx to PDF in a private LibreOffice profile (runs never share state)."""
    program = soffice()
    if not program:
        raise PdfUnavailable(INSTALL_HINT)
    with tempfile.TemporaryDirectory(prefix="lantian-pdf-") as tmp:
        source = Path(tmp) / "report.docx"
        source.write_bytes(docx)
        profile = Path(tmp) / "profile"
        try:
            done = subprocess.run(
                [
                    program,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    tmp,
                    str(source),
                ],
                capture_output=True,
                timeout=TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(f"LibreOffice 转换超过 {TIMEOUT} 秒未完成") from None
        target = Path(tmp) / "report.pdf"
        if done.returncode != 0 or not target.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[:300]
            raise PdfUnavailable(f"LibreOffice 转换失败：{detail or '没有生成 PDF'}")
        return target.read_bytes()
