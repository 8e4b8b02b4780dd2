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


@pytest.mark.django_db
def test_the_quarantine_page_names_each_reason_in_words_and_pages(client, world):
    """It showed the gateway's codes (``bad_crc``) and stopped at 300 rows."""
    from lantian.lib import tz
    from monitoring.hj212 import errors as E
    from monitoring.models import Quarantine
    from monitoring.names import FRAME_REASONS

    reasons = [v for k, v in vars(E).items() if k.isupper() and isinstance(v, str)]
    assert set(reasons) <= set(FRAME_REASONS), "every refusal the codec can give has a name"
    Quarantine.objects.bulk_create(
        Quarantine(received_at=tz.now(), peer="10.0.0.1", reason="bad_crc", raw=b"##0001x")
        for _ in range(101)
    )
    client.force_login(world.office)
    body = client.get("/monitoring/quarantine/").content.decode()
    assert "CRC 校验错误" in body and "bad_crc" not in body
    assert "近 30 天共 101 条" in body and "page=2" in body
