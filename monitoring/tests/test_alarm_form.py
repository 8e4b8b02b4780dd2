"""The alarm step form keeps what was entered; its error shows once, beside its field
(issue 10, reproduction 5)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import PendingUpload
from evidence.services import evidence_for
from monitoring.tests.test_alarm_flow import PNG
from monitoring.tests.test_pages_and_import import make_alarm

pytestmark = pytest.mark.django_db


def _in(alarm, status):
    type(alarm).objects.filter(pk=alarm.pk).update(status=status)
    alarm.refresh_from_db()
    return alarm


def test_an_empty_reply_is_said_once_beside_the_reply_and_the_note_stays(client, world, devices):
    alarm = _in(make_alarm(devices[0]), "handled")
    client.force_login(world.huyi)
    response = client.post(
        f"/monitoring/alarms/{alarm.pk}/step/", {"step": "reply", "reply": "", "note": "已电话联系"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("请填写答复内容") == 1
    assert html.index("请填写答复内容") > html.index('name="reply"')
    assert "已电话联系" in html and 'value="reply" selected' in html
    alarm.refresh_from_db()
    assert alarm.status == "handled"


def test_handling_without_measures_keeps_the_photo_for_the_next_try(client, world, devices):
    alarm = _in(make_alarm(devices[0]), "investigating")
    client.force_login(world.huyi)
    url = f"/monitoring/alarms/{alarm.pk}/step/"
    photo = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    html = client.post(url, {"step": "handle", "measures": "", "evidence": photo}).content.decode()
    assert html.count("请填写处置措施") == 1 and "现场.png" in html
    kept = PendingUpload.objects.get()
    response = client.post(
        url, {"step": "handle", "measures": "停工洒水", "kept_upload": [str(kept.pk)]}
    )
    assert response.status_code == 302
    assert [e.original_name for e in evidence_for(alarm)] == ["现场.png"]
    assert not PendingUpload.objects.exists()
