from plans.extract.units import expand, parse_bracket, split_literal


def names(raw):
    return [m.name for m in expand(raw)]


def test_shared_bodies_are_distributed_over_the_areas_before_them():
    assert names("临潼区、鄠邑区委、区政府") == [
        "临潼区党委",
        "临潼区政府",
        "鄠邑区党委",
        "鄠邑区政府",
    ]
    assert names("西咸新区、高新区党工委、管委会") == [
        "西咸新区党工委",
        "西咸新区管委会",
        "高新区党工委",
        "高新区管委会",
    ]


def test_a_lead_marker_after_a_pair_marks_both():
    mentions = expand("周至县委、县政府（牵头）、高新区党工委、管委会")
    assert [m.name for m in mentions if m.lead] == ["周至县党委", "周至县政府"]
    assert not any(m.lead for m in mentions if m.name.startswith("高新区"))


def test_half_width_markers_and_commas_are_understood():
    mentions = expand("市生态环境分局(牵头)、市工信局,市发改委")
    assert [(m.name, m.lead) for m in mentions] == [
        ("市生态环境分局", True),
        ("市工信局", False),
        ("市发改委", False),
    ]


def test_a_note_glued_to_the_last_unit_is_kept_apart():
    mentions = expand("市发改委、市生态环境局按职责分工分别验收")
    assert [m.name for m in mentions] == ["市发改委", "市生态环境局"]
    assert mentions[-1].note == "按职责分工分别验收"


def test_spaces_inside_names_are_removed():
    assert names("108 国道沿线区县党委、政府") == ["108国道沿线区县党委", "108国道沿线区县政府"]


def test_bracket_roles_follow_each_clause_verb():
    mentions = parse_bracket(
        "市生态环境局牵头，市集中供热和燃气服务保障中心，兴平市、淳化县政府，高新区管委会落实"
    )
    roles = {m.name: m.roles for m in mentions}
    assert roles["市生态环境局"] == {"lead"}
    assert roles["市集中供热和燃气服务保障中心"] == {"implementer"}
    assert roles["兴平市政府"] == {"implementer"}


def test_bracket_trailing_deng_is_dropped_and_marked_open_ended():
    mentions = parse_bracket(
        "市公安局牵头，市应急管理局、市市场监督管理局等参与，各县市区政府（管委会）落实"
    )
    participants = [m for m in mentions if "participant" in m.roles]
    assert [m.name for m in participants] == ["市应急管理局", "市市场监督管理局"]
    assert participants[-1].open_ended


def test_by_duty_makes_leads():
    mentions = parse_bracket("市自然资源局、市生态环境局按照职责分工负责，各县市政府（管委会）落实")
    assert [m.name for m in mentions if m.lead] == ["市自然资源局", "市生态环境局"]


def test_ji_joins_units():
    mentions = parse_bracket("各县市区政府（管委会）及相关市级部门落实")
    assert [m.name for m in mentions] == ["各县市区政府（管委会）", "相关市级部门"]


def test_literal_split_keeps_fragments():
    assert split_literal("高陵区委、区政府") == ["高陵区委", "区政府"]
