import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import Assignment
from ledger.tests.factories import import_sample

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def png(name="现场照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def plan(world):
    plan = import_sample(world.office).plan
    plan.issued = dt.date(2023, 10, 9)
    plan.save()
    return plan


def line_of(plan, no, unit_name):
    return Assignment.objects.get(task__plan=plan, task__no=no, unit__name=unit_name)


@pytest.fixture
def huyi_line(plan):
    return line_of(plan, 6, "鄠邑区政府")


@pytest.fixture
def lintong_line(plan):
    return line_of(plan, 6, "临潼区政府")


@pytest.fixture
def fume_line(plan):
    return line_of(plan, 8, "西安市城市管理和综合执法局")
