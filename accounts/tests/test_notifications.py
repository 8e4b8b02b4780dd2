from django.core import mail

from accounts.models import Notification
from accounts.notify import notify_units


def test_units_officers_are_notified_once_per_key(world, django_capture_on_commit_callbacks):
    world.huyi.email = "huyi@example.cn"
    world.huyi.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = notify_units(
            [world.unit("鄠邑区政府")],
            kind="reminder",
            title="月报将于月底截止",
            url="/notifications/",
            dedupe_key="r-2024-05",
        )
    assert [n.user for n in sent] == [world.huyi]
    assert len(mail.outbox) == 1 and "月报" in mail.outbox[0].subject
    again = notify_units(
        [world.unit("鄠邑区政府")], kind="reminder", title="x", dedupe_key="r-2024-05"
    )
    assert again == []
    assert not Notification.objects.filter(user=world.lintong).exists()


def test_only_the_owner_can_open_a_notification(client, world):
    [note] = notify_units([world.unit("临潼区政府")], kind="k", title="t", url="/units/")
    client.force_login(world.huyi)
    client.post(f"/notifications/{note.pk}/open/")
    note.refresh_from_db()
    assert note.read_at is None
    client.force_login(world.lintong)
    assert "t" in client.get("/notifications/").content.decode()
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.url == "/units/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_every_notification_is_reachable_by_paging(client, world):
    """The list stopped at the newest 200; older ones could not be opened."""
    Notification.objects.bulk_create(
        Notification(user=world.office, kind="reminder", title=f"提醒{k:03d}") for k in range(51)
    )
    client.force_login(world.office)
    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/?page=2").content.decode()
    titles = {f"提醒{k:03d}" for k in range(51)}
    assert {t for t in titles if t in first} | {t for t in titles if t in second} == titles
    assert "page=2" in first
