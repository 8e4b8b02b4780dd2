import json

import pytest

from accounts.models import Unit, UnitGroup
from accounts.registry import UnitIndex, load_registry
from conftest import GOLD_DIR
from plans.extract.units import expand, parse_bracket


def gold(name):
    return json.loads((GOLD_DIR / name).read_text(encoding="utf-8"))


@pytest.fixture
def xian(registry):
    return UnitIndex(registry["西安市"])


@pytest.fixture
def xianyang(registry):
    return UnitIndex(registry["咸阳市"])


def test_every_unit_list_of_the_rectification_plan_resolves(xian):
    unresolved = []
    for item in gold("seed000.gold.json")["items"]:
        for raw in (item["responsible_raw"], item["acceptance_raw"]):
            mentions = expand(raw)
            assert mentions, raw
            unresolved += [
                (item["no"], m.name) for m in mentions if not xian.resolve(m.name).resolved
            ]
    assert unresolved == []


def test_every_bracket_of_the_work_plan_resolves(xianyang):
    unresolved = []
    for item in gold("seed001.gold.json")["items"]:
        for paragraph in item["paragraphs"]:
            mentions = parse_bracket(paragraph["bracket"])
            assert mentions, paragraph["bracket"]
            unresolved += [
                (item["no"], m.name) for m in mentions if not xianyang.resolve(m.name).resolved
            ]
    assert unresolved == []


def test_gold_leads_are_units_marked_lead(xian):
    for item in gold("seed000.gold.json")["items"]:
        leads = {m.name for m in expand(item["responsible_raw"]) if m.lead}
        if item["no"] == 23:
            assert leads == {"周至县党委", "周至县政府"}
        else:
            assert {xian.resolve(n).unit.name for n in leads} == {
                xian.resolve(n).unit.name for n in item["lead"]
            }


def test_short_names_and_aliases_resolve_to_one_unit(xian, xianyang):
    assert xian.resolve("市发改委").unit == xian.resolve("市发展和改革委员会").unit
    assert xian.resolve("市发改委").unit.full_name == "西安市发展和改革委员会"
    assert xian.resolve("鄠邑区委").unit == xian.resolve("鄠邑区党委").unit
    assert xianyang.resolve("市工业和信息局").unit.name == "咸阳市工业和信息化局"


def test_the_same_short_name_is_a_different_unit_in_each_city(xian, xianyang):
    assert xian.resolve("市生态环境局").unit != xianyang.resolve("市生态环境局").unit
    assert xian.resolve("高新区管委会").unit.city.name == "西安市"


def test_a_zone_is_one_area_with_two_bodies(xian):
    area = xian.resolve("西咸新区")
    assert area.district is not None
    assert sorted(u.name for u in area.units) == ["西咸新区党工委", "西咸新区管委会"]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("各区县党委、政府", 26),
        ("西咸新区、各开发区党工委、管委会", 14),
        ("各县市区政府（管委会）", 14),
    ],
)
def test_group_phrases_resolve_to_their_members(registry, phrase, expected):
    city = registry["咸阳市" if "县市区" in phrase else "西安市"]
    index = UnitIndex(city)
    members = {u.pk for m in expand(phrase) for u in index.resolve(m.name).units}
    assert len(members) == expected


def test_county_governments_group_includes_zone_committees(xianyang):
    names = {u.name for u in xianyang.resolve("各县市区政府（管委会）").units}
    assert {"秦都区政府", "兴平市政府", "淳化县政府", "高新区管委会"} <= names
    assert "秦都区委" not in names


def test_an_unknown_name_is_left_unresolved(xian):
    assert not xian.resolve("市不存在局").resolved


def test_loading_twice_creates_nothing_new(registry):
    before = (Unit.objects.count(), UnitGroup.objects.count())
    load_registry()
    assert (Unit.objects.count(), UnitGroup.objects.count()) == before
