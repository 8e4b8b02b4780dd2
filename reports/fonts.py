"""A CJK font for charts and PDF. Debian's fonts-noto-cjk is the one the project installs."""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

DEBIAN_PACKAGE = "fonts-noto-cjk"
# Families tried in order; any one of them renders Simplified Chinese.
FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
)
SEARCH_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts"))
FILE_HINTS = ("NotoSansCJK", "NotoSerifCJK", "SourceHanSans", "wqy-microhei", "wqy-zenhei")
INSTALL_HINT = (
    f"需要中文字体才能绘制图表和生成 PDF：请安装 Debian 软件包 {DEBIAN_PACKAGE}"
    f"（sudo apt-get install {DEBIAN_PACKAGE}），或设置 LANTIAN_CJK_FONT 指向一个中文字体文件"
)


class FontMissing(RuntimeError):
    """No CJK font on this machine; the message says what to install."""


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """The path of a font file with Simplified Chinese glyphs, or ``FontMissing``."""
    configured = os.environ.get("LANTIAN_CJK_FONT", "")
    if configured:
        if Path(configured).is_file():
            return configured
        raise FontMissing(f"LANTIAN_CJK_FONT 指向的文件不存在：{configured}")
    if shutil.which("fc-match"):
        for family in FAMILIES:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}|%{file}", f"{family}:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout
            name, _, path = out.partition("|")
            if family.split()[0].lower() in name.lower() and Path(path).is_file():
                return path
    for directory in SEARCH_DIRS:
        for path in sorted(Path(directory).rglob("*")) if Path(directory).is_dir() else ():
            if path.suffix.lower() in (".ttc", ".otf", ".ttf") and any(
                hint in path.name for hint in FILE_HINTS
            ):
                return str(path)
    raise FontMissing(INSTALL_HINT)


def ensure_cjk_font(write, *, install: bool = True) -> bool:
    """For ``lantian setup``: report the font, installing Debian's package when missing and
    allowed (root with apt-get). Returns whether a font is available afterwards."""
    try:
        write(f"中文字体：{cjk_font_path()}")
        return True
    except FontMissing:
        pass
    if install and os.geteuid() == 0 and shutil.which("apt-get"):
        write(f"未找到中文字体，正在安装 {DEBIAN_PACKAGE}（apt-get）…")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", DEBIAN_PACKAGE], env=env, check=False
        )
        cjk_font_path.cache_clear()
        if done.returncode == 0:
            try:
                write(f"中文字体：{cjk_font_path()}")
                return True
            except FontMissing:
                pass
    write(INSTALL_HINT)
    return False
