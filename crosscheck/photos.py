"""Photo forensics, pure (Pillow, numpy, imagehash; no Django).

``read`` takes what a photo says about itself: when it was taken (EXIF), where (GPS), with
which camera, through which software, and a perceptual hash. ``same_photo`` tells whether two
photos are one picture (resized, cropped, recompressed, retouched) rather than two pictures of
the same place: it aligns them and correlates their fine detail, which a second photograph of
the same place never shares (other light, other standpoint, other grain), while a copy keeps it.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import warnings
from dataclasses import dataclass

import imagehash
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from scipy import fft as sp_fft
from scipy import ndimage

Image.MAX_IMAGE_PIXELS = 80_000_000  # a phone photo is ~50 Mpx at most; more is a bomb

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME_DIGITIZED, OFFSET_ORIGINAL = 0x9003, 0x9004, 0x9011
SOFTWARE, PROCESSING_SOFTWARE, MAKE, MODEL = 0x0131, 0x000B, 0x010F, 0x0110
CREATOR_TOOL = re.compile(rb"CreatorTool(?:>|=\")([^<\"]{1,120})")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
WORK = 160
BROKEN = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    Image.DecompressionBombWarning,
    Image.DecompressionBombError,
)  # working width for the comparison, in pixels


@dataclass(frozen=True)
class PhotoFacts:
    width: int
    height: int
    hashes: tuple[str, ...]  # 64-bit perceptual hashes (hex): the whole picture, then windows
    taken_at: dt.datetime | None = None  # aware; a camera without offset is taken as Beijing time
    latitude: float | None = None
    longitude: float | None = None
    software: str = ""
    camera: str = ""

    @property
    def where(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


def open_image(data: bytes) -> Image.Image | None:
    """The picture, upright (EXIF orientation applied), RGB; None when it is not an image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.draft("RGB", (WORK * 4, WORK * 4))  # JPEG: decode at a reduced size, fast
            image = ImageOps.exif_transpose(image)
            return image.convert("RGB")
    except BROKEN:
        return None


def read(data: bytes) -> PhotoFacts | None:
    """What the photo says about itself; None when the bytes are not a readable image."""
    try:
        raw = Image.open(io.BytesIO(data))
        exif = raw.getexif()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    image = open_image(data)
    if image is None:
        return None
    sub = _ifd(exif, EXIF_IFD)
    software = " ".join(
        s
        for s in (
            _text(exif.get(SOFTWARE)),
            _text(exif.get(PROCESSING_SOFTWARE)),
            _creator_tool(data),
        )
        if s
    )
    lat, lon = _gps(_ifd(exif, GPS_IFD))
    camera = " ".join(s for s in (_text(exif.get(MAKE)), _text(exif.get(MODEL))) if s)
    return PhotoFacts(
        width=raw.width,
        height=raw.height,
        hashes=window_hashes(image),
        taken_at=_taken(sub),
        latitude=lat,
        longitude=lon,
        software=software[:200],
        camera=camera[:120],
    )


def _ifd(exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except (KeyError, ValueError, TypeError, OSError, SyntaxError):
        return {}


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str) and not value.isascii():
        try:  # Chinese apps write UTF-8 into EXIF's ASCII fields; Pillow reads it as Latin-1
            value = value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return str(value).strip("\x00 ").strip() if value is not None else ""


def _creator_tool(data: bytes) -> str:
    match = CREATOR_TOOL.search(data[:200_000])
    return match.group(1).decode("utf-8", "replace").strip() if match else ""


def _taken(sub: dict) -> dt.datetime | None:
    stamp = _text(sub.get(DATETIME_ORIGINAL) or sub.get(DATETIME_DIGITIZED))
    try:
        naive = dt.datetime.strptime(stamp[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _text(sub.get(OFFSET_ORIGINAL))
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", offset)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        zone = dt.timezone(
            sign * dt.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        )
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=SHANGHAI)


def _gps(gps: dict) -> tuple[float | None, float | None]:
    try:
        lat = _degrees(gps[2]) * (-1 if _text(gps.get(1)).upper() == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if _text(gps.get(3)).upper() == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, None  # (0, 0): a phone that had no fix writes zeros
    return round(lat, 6), round(lon, 6)


def _degrees(dms) -> float:
    d, m, s = (float(x) for x in dms)
    return d + m / 60 + s / 3600


def window_hashes(image: Image.Image) -> tuple[str, ...]:
    """pHash of the whole picture and of 15 windows with a tenth cut off some sides: a copy
    cropped by up to about a sixth still lands close to one of them."""
    w, h = image.size
    out = []
    for left, top, right, bottom in itertools.product((0, 0.1), repeat=4):
        box = (int(w * left), int(h * top), w - int(w * right), h - int(h * bottom))
        out.append(str(imagehash.phash(image.crop(box))))
    return tuple(out)


def hash_distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def close_pairs(
    new: dict[int, tuple[str, ...]], old: dict[int, tuple[str, ...]], bits: int
) -> set[tuple[int, int]]:
    """Pairs (new, any) whose closest windows differ by at most ``bits``: candidates only."""
    if not new or not old:
        return set()
    old_ids = np.array([k for k, hs in old.items() for _ in hs], dtype=np.int64)
    old_bits = np.array([int(x, 16) for hs in old.values() for x in hs], dtype=np.uint64)
    pairs: set[tuple[int, int]] = set()
    for key, hs in new.items():
        mine = np.array([int(x, 16) for x in hs], dtype=np.uint64)
        xor = mine[:, None] ^ old_bits[None, :]
        counts = np.unpackbits(xor.view(np.uint8), axis=1).reshape(len(mine), -1, 64).sum(axis=2)
        for other in set(old_ids[(counts <= bits).any(axis=0)].tolist()):
            if other != key:
                pairs.add((min(key, other), max(key, other)))
    return pairs


# --- one picture or two? ----------------------------------------------------------------------


def _grey(image: Image.Image) -> Image.Image:
    grey = image.convert("L")
    if grey.width > WORK * 2:
        grey = grey.resize((WORK * 2, max(8, round(grey.height * WORK * 2 / grey.width))))
    return grey


def _detail(grey: Image.Image, width: int) -> np.ndarray:
    height = max(8, round(grey.height * width / grey.width))
    pixels = np.asarray(grey.resize((width, height), Image.BILINEAR), dtype=float)
    return pixels - ndimage.gaussian_filter(pixels, 2.0)  # fine detail only: edges and grain


class _Big:
    """A picture prepared once for correlating many templates against it (FFT, integral
    images of values and squares)."""

    def __init__(self, pixels: np.ndarray):
        self.pixels = pixels
        self.shape = tuple(sp_fft.next_fast_len(n * 2, real=True) for n in pixels.shape)
        self.spectrum = sp_fft.rfft2(pixels, self.shape)
        padded = np.pad(pixels, ((1, 0), (1, 0)))
        self.sums = padded.cumsum(0).cumsum(1)
        self.squares = (padded**2).cumsum(0).cumsum(1)

    def window_sums(self, table: np.ndarray, h: int, w: int) -> np.ndarray:
        return table[h:, w:] - table[:-h, w:] - table[h:, :-w] + table[:-h, :-w]

    def best_ncc(self, small: np.ndarray) -> float:
        """Best normalised cross-correlation of ``small`` anywhere inside the picture."""
        h, w = small.shape
        big_h, big_w = self.pixels.shape
        if h > big_h or w > big_w or h < 8 or w < 8:
            return 0.0
        tmpl = small - small.mean()
        norm = np.sqrt((tmpl**2).sum())
        if norm == 0:
            return 0.0
        full = sp_fft.irfft2(self.spectrum * sp_fft.rfft2(tmpl[::-1, ::-1], self.shape), self.shape)
        numerator = full[h - 1 : big_h, w - 1 : big_w]
        local_sum = self.window_sums(self.sums, h, w)
        local_sq = self.window_sums(self.squares, h, w)
        variance = np.maximum(local_sq - local_sum**2 / (h * w), 1e-9)
        return float((numerator / (np.sqrt(variance) * norm)).max())


def _inside(big_grey: Image.Image, small_grey: Image.Image, work: int = WORK) -> float:
    """How well ``small`` is a (cropped, rescaled) part of ``big``: the best over the share of
    big's width that small shows (coarse steps, then around the best one)."""
    big = _Big(_detail(big_grey, work))

    def score(fraction: float) -> float:
        small = _detail(small_grey, max(8, round(work * fraction)))
        if small.shape[0] > big.pixels.shape[0] + 2:
            return 0.0
        return big.best_ncc(small[: big.pixels.shape[0], : big.pixels.shape[1]])

    tried = {f: score(f) for f in (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65)}
    best = max(tried, key=tried.get)
    for f in (best - 0.025, best + 0.025):
        if 0.6 <= f <= 1.0:
            tried[f] = score(f)
    return max(tried.values())


def prepare(image: Image.Image) -> Image.Image:
    """The grey working copy ``same_photo`` compares (make it once per photo)."""
    return image if getattr(image, "_lantian_grey", False) else _mark(_grey(image))


def _mark(grey: Image.Image) -> Image.Image:
    grey._lantian_grey = True
    return grey


def same_photo(a: Image.Image, b: Image.Image, *, screen: float = 0.0) -> float:
    """How much ``a`` and ``b`` are one picture: 1 for a copy, low for two shots of one place.

    With ``screen``, a coarse look first: a pair scoring below it there is answered with that
    coarse score (two different shots), which saves the fine comparison."""
    a, b = prepare(a), prepare(b)
    if screen:
        coarse = max(_inside(a, b, WORK // 3), _inside(b, a, WORK // 3))
        if coarse < screen:
            return round(coarse, 3)
    return round(max(_inside(a, b), _inside(b, a)), 3)
