"""Chinese numerals both ways, checked against cn2an (the package they replace at run time),
and the Traditional-character check that decides whether a plan is converted."""

from __future__ import annotations

import cn2an
from hypothesis import given
from hypothesis import strategies as st

from plans.extract.hant import looks_traditional
from plans.extract.numerals import cn_to_number, number_to_cn


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_integers_are_written_as_cn2an_writes_them_and_read_back(n):
    written = cn2an.an2cn(n)
    assert number_to_cn(n) == written
    assert cn_to_number(written) == n


def test_forms_plans_write():
    assert cn_to_number("一千") == 1000
    assert cn_to_number("两万") == 20000
    assert cn_to_number("三点五") == 3.5
    assert cn_to_number("二〇二四") == 2024
    assert cn_to_number("十二") == 12
    assert cn_to_number("117") == 117
    assert cn_to_number("2.8") == 2.8
    assert cn_to_number("三分") is None
    assert cn_to_number("") is None


def test_simplified_text_is_not_taken_for_traditional():
    # characters the table maps to themselves (整改、任务、措施 …) are not Traditional
    assert not looks_traditional("整改任务清单：整改责任单位、整改措施、整改时限、督导验收单位。")
    assert looks_traditional("整改責任單位：市環境局；整改時限：立行立改")
