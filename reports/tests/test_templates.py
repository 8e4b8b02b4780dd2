"""Office templates: a good one is kept and used, a broken one is refused naming the placeholder
it could not fill; no upload crashes the check (hypothesis)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import document, services
from reports.sample import SAMPLE_HEADER, sample_snapshot

pytestmark = pytest.mark.django_db


def docx_with(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                t.rows[r].cells[c].text = text
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_the_shipped_template_is_built_by_its_script():
    from reports.default_template import build

    assert document.text_of(build()) == document.text_of(document.DEFAULT_TEMPLATE.read_bytes())


def test_the_shipped_template_fills_every_placeholder():
    used = document.check_template(
        document.DEFAULT_TEMPLATE.read_bytes(), sample_snapshot(), SAMPLE_HEADER
    )
    assert set(used) == set(document.PLACEHOLDERS)


def test_an_office_template_is_kept_and_fills_from_the_snapshot(world):
    content = docx_with(
        "{{ header.office }}文件",
        "{{ header.number_label }}",
        "{{ overall.summary }}",
        table=[
            ["单位", "得分"],
            ["{%tr for u in units %}", ""],
            ["{{ u.unit }}", "{{ u.score }}"],
            ["{%tr endfor %}", ""],
        ],
    )
    template = services.upload_template("红头模板", content, acting_user=world.office)
    assert template.active and services.active_template() == template
    assert template.placeholders == ["header", "overall", "units"]
    out = document.render(content, sample_snapshot(), SAMPLE_HEADER)
    text = document.text_of(out)
    assert "示例市大气污染防治专项行动领导小组办公室文件" in text
    assert "甲区政府|80.5" in text and "乙区政府|80.5" in text
    services.activate_template(None, acting_user=world.office)
    assert services.active_template().builtin


@pytest.mark.parametrize(
    ("paragraph", "named"),
    [
        ("{{ header.titel }}", "titel"),
        ("{{ totals.lines }}", "totals"),
        ("{% for u in units %}{{ u.unitname }}{% endfor %}", "unitname"),
        ("{{ header.title ", "模板占位符写法有误"),
        ("{% for u in units %}{{ u.unit }}", "模板占位符写法有误"),
    ],
)
def test_a_broken_template_is_refused_naming_the_placeholder(world, paragraph, named):
    with pytest.raises(ValidationError) as refused:
        services.upload_template(
            "坏模板", docx_with("{{ header.title }}", paragraph), acting_user=world.office
        )
    assert named in refused.value.messages[0]
    assert not services.active_template().name == "坏模板"


def test_a_file_that_is_not_word_is_refused(world):
    with pytest.raises(ValidationError, match="不是有效的 Word"):
        services.upload_template("x", b"PK\x03\x04 not really a zip", acting_user=world.office)


# Text Word can hold (no control characters), with the template syntax's pieces likely.
TEMPLATE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(list("{}%#|.()[]' ")),
        st.sampled_from(["header", "units", "tr ", "for ", "endfor", "if", "u.unit", "title"]),
        st.characters(blacklist_categories=("Cs", "Cc")),
    ),
    max_size=30,
).map("".join)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(TEMPLATE_TEXT)
def test_any_placeholder_text_is_accepted_or_refused_never_crashes(paragraph):
    content = docx_with(paragraph)
    try:
        used = document.check_template(content, sample_snapshot(), SAMPLE_HEADER)
    except document.TemplateRefused as exc:
        assert str(exc)
    else:
        assert set(used) <= set(document.PLACEHOLDERS)


@settings(max_examples=6, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_are_refused_cleanly(content):
    with pytest.raises(document.TemplateRefused):
        document.check_template(content, sample_snapshot(), SAMPLE_HEADER)
