"""Scans: a PDF without a text layer (or a photo of a page) read by Tesseract.

Tesseract with its Simplified Chinese data (Debian: ``tesseract-ocr tesseract-ocr-chi-sim``)
runs as a child process on each page rendered at 300 dpi. Without it the reader says what to
install, in one line. OCR text is never taken on trust: the extraction is marked ``ocr`` and
every item it gives is flagged for review in the import preview.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess

from .errors import ExtractError

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
MAX_PIXELS = 80_000_000  # a 600 dpi A3 scan is ~70 Mpx
MAX_PAGES = 60
PAGE_TIMEOUT = 120  # seconds for one page on a slow machine
RESOLUTION = 300


class Lines(list):
    """Lines of a document, remembering whether they come from OCR."""

    ocr = False


@functools.lru_cache(maxsize=1)
def tesseract() -> str | None:
    """The tesseract executable when it can read Simplified Chinese, else None."""
    path = shutil.which("tesseract")
    if not path:
        return None
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return path if "chi_sim" in (listed.stdout + listed.stderr).split() else None


def missing_message(what: str = "PDF 没有文字层（扫描件）") -> str:
    return f"{what}：需要文字识别（OCR），请安装 Tesseract 中文识别（{INSTALL}）后重试"


def _read_image(png: bytes, executable: str) -> list[str]:
    try:
        done = subprocess.run(
            [executable, "stdin", "stdout", "-l", "chi_sim", "--psm", "6"],
            input=png,
            capture_output=True,
            timeout=PAGE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractError("文字识别超时（页面过大或图片过于复杂）") from exc
    except OSError as exc:
        raise ExtractError(f"无法运行 Tesseract：{exc.strerror or exc}") from exc
    if done.returncode != 0:
        raise ExtractError("文字识别失败：" + done.stderr.decode("utf-8", "replace").strip()[:120])
    return [tidy(line) for line in done.stdout.decode("utf-8", "replace").splitlines()]


def tidy(line: str) -> str:
    """OCR puts spaces between Chinese characters and before punctuation: remove them."""
    line = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])", "", line)
    line = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[，。；：、！？（）,.;:()])", "", line)
    line = re.sub(r"(?<=[，。；：、！？（）,.;:()])\s+(?=[\u4e00-\u9fff])", "", line)
    return line.strip()


def ocr_pdf(pdf) -> Lines:
    """The text of an open pdfplumber document's pages, by OCR."""
    executable = tesseract()
    if executable is None:
        raise ExtractError(missing_message())
    if len(pdf.pages) > MAX_PAGES:
        raise ExtractError(f"扫描件页数过多（{len(pdf.pages)} 页，文字识别上限 {MAX_PAGES} 页）")
    lines = Lines()
    lines.ocr = True
    for page in pdf.pages:
        image = page.to_image(resolution=RESOLUTION).original
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="PNG")
        lines.extend(_read_image(buffer.getvalue(), executable))
    return lines


def ocr_image(data: bytes) -> Lines:
    """The text of a photographed or scanned page (.png/.jpg/.tif)."""
    try:
        from PIL import Image

        image = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError:
        raise ExtractError("图片过大（像素过多），请缩小后重试") from None
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds
        raise ExtractError(f"无法读取图片：{type(exc).__name__}") from exc
    # Refused from the header, before a pixel is decoded: a few kilobytes of PNG can declare
    # gigapixels (the decompression bomb of images).
    if image.width * image.height > MAX_PIXELS:
        raise ExtractError("图片过大（像素过多），请缩小后重试")
    executable = tesseract()
    if executable is None:
        raise ExtractError(missing_message("图片中的文字"))
    try:
        image.load()
    except Exception as exc:  # noqa: BLE001
        raise ExtractError(f"无法读取图片：{type(exc).__name__}") from exc
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG")
    lines = Lines(_read_image(buffer.getvalue(), executable))
    lines.ocr = True
    return lines
