"""Monitoring pages name pollutants and configurations; HJ 212 codes and config ids stay data."""

import pytest

from monitoring import names
from monitoring.tests.test_pages_and_import import make_alarm


def test_codes_become_names_and_an_unknown_code_is_said_to_be_one():
    assert names.pollutant("a34001") == "总悬浮颗粒物 TSP"
    assert names.pollutant("a21002") == "氮氧化物"
    assert names.pollutant("x99999") == "未登记因子（x99999）"
    assert names.pollutant("") == ""


@pytest.mark.django_db
def test_a_basis_names_the_platforms_configuration():
    text = names.basis("DB61/1078-2017 TSP 0.8mg/m³；LANTIAN-扬尘-默认")
    assert text == "DB61/1078-2017 TSP 0.8mg/m³；扬尘在线监测三级超标报警（默认配置）"


@pytest.mark.django_db
def test_alarm_pages_show_names_not_codes(client, world, devices):
    alarm = make_alarm(devices[0], basis="DB61/1078-2017 TSP；LANTIAN-扬尘-默认")
    client.force_login(world.office)
    for url in (
        "/monitoring/alarms/",
        f"/monitoring/alarms/{alarm.pk}/",
        f"/monitoring/devices/{devices[0].pk}/",
    ):
        body = client.get(url).content.decode()
        visible = body.split("<main", 1)[1]
        assert "总悬浮颗粒物 TSP" in visible, url
        assert ">a34001<" not in visible and " a34001<" not in visible and "LANTIAN-" not in visible
