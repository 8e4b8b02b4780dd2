"""Preview corrections are read by the import's own readers; an unreadable value is an error
beside its field with the input kept, never a silently dropped deadline (issue 10, item 4)."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from plans import services
from plans.forms import ItemForm
from plans.models import ImportDraft
from plans.tests.test_variants import TASK_LIST

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft(client, world):
    client.force_login(world.office)
    client.post(reverse("plan-import"), {"text": TASK_LIST, "issued": "2024-07-30"})
    return ImportDraft.objects.get()


def _post(client, draft, **fields):
    """Post the form as a browser does: every field as shown, some of them retyped."""
    form = ItemForm(item=draft.extraction["items"][0])
    data = {name: form[name].initial for name in form.fields}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data.update(fields)
    return client.post(reverse("plan-draft-item", args=[draft.pk, 0]), data, headers=HTMX)


@pytest.mark.parametrize(
    "typed, deadline, flags",
    [
        ("2024年6月底", "2024-06-30", (False, False)),
        ("2024-06-30", "2024-06-30", (False, False)),
        ("2024.9.30", "2024-09-30", (False, False)),
        ("11月底前", "2024-11-30", (False, False)),
        ("长期坚持", None, (False, True)),
        ("立行立改", None, (True, False)),
    ],
)
def test_a_typed_deadline_means_what_it_would_mean_in_the_document(
    client, draft, typed, deadline, flags
):
    response = _post(client, draft, deadline=typed)
    assert response.status_code == 200 and 'class="error"' not in response.content.decode()
    draft.refresh_from_db()
    item = draft.extraction["items"][0]
    assert item["deadline"] == deadline and item["deadline_raw"] == typed
    assert (item["immediate"], item["ongoing"]) == flags


@pytest.mark.parametrize("typed", ["", "6月低", "明年再说"])
def test_a_cleared_or_mistyped_deadline_is_an_error_beside_the_field_with_the_input_kept(
    client, draft, typed
):
    before = draft.extraction["items"][0]["deadline"]
    assert before  # the reading had a deadline
    response = _post(client, draft, deadline=typed)
    html = response.content.decode()
    assert html.count('class="error"') == 1
    field = html[html.index('name="deadline"') :]
    assert field.index('class="error"') < field.index("</p>")  # beside the field
    assert f'value="{typed}"' in html or (typed == "" and 'value=""' not in html[:0])
    draft.refresh_from_db()
    assert draft.extraction["items"][0]["deadline"] == before
    assert not AuditEvent.objects.filter(action="plan.draft_corrected").exists()


def test_the_change_note_uses_the_fields_chinese_label_and_the_commit_keeps_the_date(
    client, world, draft
):
    html = _post(client, draft, deadline="2024年6月底").content.decode()
    assert "已修改：完成时限" in html and "deadline" not in re.sub(r"<[^>]+>", " ", html)
    draft.refresh_from_db()
    outcome = services.commit_draft(draft, acting_user=world.office)
    task = outcome.plan.tasks.order_by("no").first()
    assert task.deadline.isoformat() == "2024-06-30"
    log = client.get(reverse("audit-list")).content.decode()
    assert "任务1 完成时限" in log


def test_a_milestone_date_goes_through_the_same_reader(client, draft):
    item = draft.extraction["items"][0]
    keys = [
        f"milestone:{m}:{n}"
        for m, measure in enumerate(item.get("measures") or [])
        for n, _ in enumerate(measure.get("milestones") or [])
    ]
    if not keys:
        pytest.skip("the sample has no milestone in its first item")
    html = _post(client, draft, **{keys[0]: "2024年8月底"}).content.decode()
    assert 'class="error"' not in html
    draft.refresh_from_db()
    m, n = map(int, keys[0].split(":")[1:])
    assert draft.extraction["items"][0]["measures"][m]["milestones"][n]["date"] == "2024-08-31"
    html = _post(client, draft, **{keys[0]: "八月份吧"}).content.decode()
    assert html.count('class="error"') == 1 and 'value="八月份吧"' in html


def test_the_service_refuses_a_deadline_that_is_not_a_date(world, draft):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.correct_item(draft, 0, {"deadline": "6月低"}, acting_user=world.office)


def test_the_plans_issue_date_is_read_like_the_document_and_errors_keep_the_input(client, draft):
    url = reverse("plan-draft-plan", args=[draft.pk])
    data = {"title": draft.extraction["title"], "issued": "2024年7月31日"}
    assert client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.extraction["issued"] == "2024-07-31"
    response = client.post(url, {**data, "issued": "七月某日"})
    html = response.content.decode()
    assert response.status_code == 200 and 'value="七月某日"' in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert html.count("无法识别") == 1 and "issued" not in visible
    draft.refresh_from_db()
    assert draft.extraction["issued"] == "2024-07-31"
