"""The status table, checked as a whole (pure; no database)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import workflow as wf

ACTORS = [wf.UNIT, wf.REVIEW, wf.OFFICE]


def test_the_main_path_reaches_closed_out():
    status = wf.NOT_STARTED
    for action, actor in [("start", wf.UNIT), ("apply", wf.UNIT), ("pass", wf.REVIEW)]:
        status = wf.next_status(status, action, actor=actor)
    assert status == wf.CLOSED


def test_a_failed_acceptance_returns_the_item_and_it_can_apply_again():
    status = wf.next_status(wf.APPLIED, "fail", actor=wf.REVIEW)
    assert status == wf.RETURNED
    assert wf.next_status(status, "apply", actor=wf.UNIT) == wf.APPLIED


def test_only_the_office_reopens_a_closed_item():
    with pytest.raises(wf.TransitionRefused):
        wf.next_status(wf.CLOSED, "reopen", actor=wf.UNIT)
    assert wf.next_status(wf.CLOSED, "reopen", actor=wf.OFFICE) == wf.IN_PROGRESS


def test_units_cannot_accept_their_own_work():
    with pytest.raises(wf.TransitionRefused):
        wf.next_status(wf.APPLIED, "pass", actor=wf.UNIT)


def test_only_ongoing_items_move_to_sustained():
    with pytest.raises(wf.TransitionRefused):
        wf.next_status(wf.IN_PROGRESS, "sustain", actor=wf.OFFICE, ongoing=False)
    assert wf.next_status(wf.IN_PROGRESS, "sustain", actor=wf.OFFICE, ongoing=True) == wf.SUSTAINED
    assert "sustain" not in wf.allowed_actions(wf.IN_PROGRESS, actors={wf.OFFICE})


def test_nothing_leaves_closed_except_reopen():
    moves = {t.action for t in wf.TRANSITIONS if t.source == wf.CLOSED}
    assert moves == {"reopen"}


def test_every_status_is_reachable_from_not_started():
    seen, frontier = {wf.NOT_STARTED}, [wf.NOT_STARTED]
    while frontier:
        current = frontier.pop()
        for t in wf.TRANSITIONS:
            if t.source == current and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(wf.STATUSES)


@given(
    st.lists(
        st.tuples(st.sampled_from(wf.ACTIONS), st.sampled_from(ACTORS), st.booleans()),
        max_size=30,
    )
)
def test_any_sequence_of_moves_stays_inside_the_table(moves):
    status = wf.NOT_STARTED
    for action, actor, ongoing in moves:
        try:
            new = wf.next_status(status, action, actor=actor, ongoing=ongoing)
        except wf.TransitionRefused:
            continue
        transition = wf.find(action, status)
        assert transition is not None and transition.target == new
        assert actor in transition.actors
        # Closing out is only ever the review unit's or the office's pass.
        if new == wf.CLOSED and status != wf.CLOSED:
            assert action == "pass" and actor in {wf.REVIEW, wf.OFFICE}
        status = new
    assert status in wf.STATUSES


@given(st.sampled_from(wf.STATUSES), st.dates(), st.dates())
def test_overdue_is_derived_from_dates_and_status(status, deadline, today):
    overdue = wf.is_overdue(status, deadline, today)
    assert overdue == (status != wf.CLOSED and today > deadline)
    assert wf.days_overdue(status, deadline, today) == ((today - deadline).days if overdue else 0)
    assert not wf.is_overdue(status, None, today)


def test_due_within_counts_the_window_inclusively():
    today = dt.date(2024, 3, 1)
    assert wf.is_due_within(wf.IN_PROGRESS, dt.date(2024, 3, 31), today, 30)
    assert not wf.is_due_within(wf.IN_PROGRESS, dt.date(2024, 4, 1), today, 30)
    assert not wf.is_due_within(wf.CLOSED, dt.date(2024, 3, 2), today, 30)
