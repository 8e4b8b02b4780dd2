"""Scans: a PDF without a text layer (or a photo of a page) read by Tesseract.

Tesseract with its Simplified Chinese data (Debian: ``tesseract-ocr tesseract-ocr-chi-sim``)
runs as a child process on each page rendered at 300 dpi. Without it the reader says what to
install, in one line. OCR text is never taken on trust: the extraction is marked ``ocr`` and
every item it gives is flagged for review in the import preview.

Decoding the PDF or image (the risky part) happens in the document reader's limited child
process and gives ``PageImages``; Tesseract then reads them outside it, page by page, within
its own budget (``LANTIAN_DOC_OCR_SECONDS``, 300 s a document): recognising one page takes
seconds, ten on a busy machine, so the reader's 15 s would refuse most scans.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import time

from .errors import ExtractError

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"
MAX_PIXELS = 80_000_000  # a 600 dpi A3 scan is ~70 Mpx
MAX_PAGES = 60
PAGE_TIMEOUT = 120  # seconds for one page on a slow machine
RESOLUTION = 300


class Lines(list):
    """Lines of a document, remembering whether they come from OCR."""

    ocr = False


class PageImages(list):
    """Pages rendered as grey PNG images, to be read by ``read_pages``."""


def budget_seconds() -> int:
    try:
        return max(10, int(os.environ.get("LANTIAN_DOC_OCR_SECONDS", "300")))
    except ValueError:
        return 300


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


def _read_image(png: bytes, executable: str, timeout: float = PAGE_TIMEOUT) -> list[str]:
    try:
        done = subprocess.run(
            [executable, "stdin", "stdout", "-l", "chi_sim", "--psm", "6"],
            input=png,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ExtractError("文字识别超时（页面过多、过大或图片过于复杂，请拆分后重试）") from exc
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


def read_pages(pages: PageImages) -> Lines:
    """The text of rendered pages, by Tesseract, within the document's OCR budget."""
    executable = tesseract()
    if executable is None:
        raise ExtractError(missing_message())
    lines: list[str] = []
    deadline = time.monotonic() + budget_seconds()
    for png in pages:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ExtractError("文字识别超时（页面过多、过大或图片过于复杂，请拆分后重试）")
        lines.extend(_read_image(png, executable, min(PAGE_TIMEOUT, remaining)))
    out = Lines(consistent_punctuation(lines))
    out.ocr = True
    return out


def render_pdf(pdf) -> PageImages:
    """The pages of an open pdfplumber document as images for ``read_pages``."""
    if tesseract() is None:
        raise ExtractError(missing_message())
    if len(pdf.pages) > MAX_PAGES:
        raise ExtractError(f"扫描件页数过多（{len(pdf.pages)} 页，文字识别上限 {MAX_PAGES} 页）")
    pages = PageImages()
    for page in pdf.pages:
        image = page.to_image(resolution=RESOLUTION).original
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="PNG")
        pages.append(buffer.getvalue())
    return pages


def ocr_pdf(pdf) -> Lines:
    """The text of an open pdfplumber document's pages, by OCR."""
    return read_pages(render_pdf(pdf))


def ocr_image(data: bytes) -> Lines:
    """The text of a photographed or scanned page (.png/.jpg/.tif)."""
    return read_pages(render_image(data))


def render_image(data: bytes) -> PageImages:
    """A photographed or scanned page (.png/.jpg/.tif) as an image for ``read_pages``."""
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
    if tesseract() is None:
        raise ExtractError(missing_message("图片中的文字"))
    try:
        image.load()
    except Exception as exc:  # noqa: BLE001
        raise ExtractError(f"无法读取图片：{type(exc).__name__}") from exc
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG")
    return PageImages([buffer.getvalue()])


# Tesseract guesses the width of each comma and the shape of each quote on its own (``，`` here,
# ``,`` there; ``"`` for ``“``), while a document keeps to one form: the stray ones are written
# in the form the rest of the document uses.
_WIDTH_PAIRS = ("，,", "；;", "：:", "（(", "）)", "！!", "？?")
_CJK = "\u4e00-\u9fff"


def consistent_punctuation(lines: list[str]) -> list[str]:
    text = "\n".join(lines)
    for full, half in _WIDTH_PAIRS:
        beside = rf"(?<=[{_CJK}]){{0}}|{{0}}(?=[{_CJK}])"
        n_full = len(re.findall(beside.format(re.escape(full)), text))
        n_half = len(re.findall(beside.format(re.escape(half)), text))
        if n_full + n_half < 3 or min(n_full, n_half) * 3 > max(n_full, n_half):
            continue  # too few to tell, or the document mixes them itself
        stray, usual = (half, full) if n_full > n_half else (full, half)
        text = re.sub(beside.format(re.escape(stray)), usual, text)
    if text.count("“") + text.count("”") >= 2 and '"' in text:
        text = "\n".join(_curly(line) for line in text.split("\n"))
    return text.split("\n")


def _curly(line: str) -> str:
    """``"`` in a document that quotes with “ ”: opening or closing, by the quote before it."""
    out, open_ = [], False
    for char in line:
        if char == '"':
            char = "”" if open_ else "“"
        if char in "“”":
            open_ = char == "“"
        out.append(char)
    return "".join(out)
