"""Device-health detectors, measured (issue 16 item 5): a small version of
``bench/device_health.py`` checks every detector's recall ≥ 95 % and false alarms ≤ 2 % on a
generated world with labelled faults; unit cases pin each detector; arbitrary series never
crash them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring import detectors, faults
from monitoring.detectors import Hour, Rules, Series

RULES = Rules()


@pytest.mark.parametrize("seed", [11, 12])
def test_every_detector_meets_the_bounds_on_a_small_world(seed):
    world = faults.make_world(districts=8, per_group=16, seed=seed)
    results = faults.measure(world, RULES)
    assert set(results) == set(detectors.DETECTORS)
    for name, r in results.items():
        assert r["faulty"] >= 2, name  # every fault is present
        assert r["recall"] >= 0.95, (name, r)
        assert r["false_alarms"] <= 0.02, (name, r)


def hours(values):
    return [None if v is None else Hour(60, v, v * 0.8, v * 1.2) for v in values]


def wave(n, level=300.0, phase=0.0):
    return [level * (1 + 0.3 * math.sin(t / 3 + phase)) for t in range(n)]


def test_the_single_device_detectors():
    flat = Series("A", "dust", "g", 800, hours(wave(40)[:30] + [123.0] * 10), last_seen=39.5)
    flat.hours[-10:] = [Hour(60, 123.0, 123.0, 123.0)] * 10
    assert detectors.flatline(flat, RULES) and not detectors.zeros(flat, RULES)
    zero = Series("Z", "dust", "g", 800, [Hour(60, 0.0, 0.0, 0.0)] * 10, last_seen=9.5)
    assert detectors.zeros(zero, RULES) and not detectors.flatline(zero, RULES)
    gone = Series("O", "dust", "g", 800, hours(wave(20) + [None] * 5), last_seen=19.6)
    assert detectors.offline(gone, RULES) and not detectors.stuck_clock(gone, RULES)
    stuck = Series("S", "dust", "g", 800, hours(wave(20) + [None] * 5), last_seen=24.8)
    assert detectors.stuck_clock(stuck, RULES) and not detectors.offline(stuck, RULES)
    day = wave(24, phase=1.0)
    replayed = Series("R", "dust", "g", 800, hours(wave(48) + day + day), last_seen=95.5)
    assert detectors.replay(replayed, RULES)
    capped = Series("C", "dust", "g", 800, [Hour(60, 780.0, 700.0, 790.0)] * 30, last_seen=29.5)
    assert detectors.capped(capped, RULES)
    crossing = Series("X", "dust", "g", 800, hours([780.0] * 29 + [900.0]), last_seen=29.5)
    assert not detectors.capped(crossing, RULES)


def test_neighbour_detectors_compare_with_the_same_kind_in_the_same_district():
    n = 120
    group = [
        Series(f"N{i}", "dust", "g", 800, hours(wave(n, 380 + 10 * i, i)), 119.5) for i in range(5)
    ]
    low = Series("LOW", "dust", "g", 800, hours([v * 0.1 for v in wave(n, 380, 2.5)]), 119.5)
    other = Series("ELSE", "dust", "h", 800, hours([v * 0.1 for v in wave(n, 380, 2.5)]), 119.5)
    copy = Series("COPY", "dust", "g", 800, [None] + group[0].hours[:-1], 119.5)
    found = {(f.device, f.detector) for f in detectors.run_all([*group, low, other, copy], RULES)}
    assert ("LOW", "neighbour_low") in found
    assert ("ELSE", "neighbour_low") not in found  # alone in its district: nothing to compare
    assert ("COPY", "copy") in found and ("N0", "copy") not in found  # the lagging one copies


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.builds(
                lambda v, s: Hour(1, v, v - s, v + s, None, None),
                st.floats(-1e6, 1e6, allow_nan=False),
                st.floats(0, 1e3, allow_nan=False),
            ),
        ),
        max_size=80,
    ),
    st.one_of(st.none(), st.floats(0, 100)),
)
def test_any_series_is_judged_without_crashing(values, last_seen):
    others = [Series(f"O{i}", "fume", "g", 2.0, list(values), last_seen) for i in range(3)]
    target = Series("T", "fume", "g", 2.0, list(values), last_seen, announced=[5, 40])
    for finding in detectors.run_all([target, *others], RULES):
        assert finding.detector in detectors.DETECTORS and finding.detail
