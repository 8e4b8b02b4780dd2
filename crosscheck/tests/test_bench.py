"""The scenario bench, small: one of every kind of scenario, every check run, scored."""

import pytest

from crosscheck.scenarios import build

pytestmark = pytest.mark.django_db


def test_the_small_bench_catches_the_fakes_and_spares_the_honest(registry):
    kinds = build.plan_kinds(32)
    assert set(kinds) == set(
        build.LEDGER_HONEST + list(build.LEDGER_FAKE) + build.INSPECTION_HONEST
        + list(build.INSPECTION_FAKE) + build.AIR_HONEST + list(build.AIR_FAKE)
    )  # fmt: skip
    score, timings = build.measure(32, seed=5)
    lines = build.report(score).splitlines()
    assert lines[-1].startswith("scenarios=32 recall=")
    assert score.recall >= 0.9, build.report(score, verbose=True)
    assert score.false_flag_rate <= 0.1, build.report(score, verbose=True)


def test_air_scenarios_beyond_the_small_bench_never_share_a_districts_months(registry):
    """The 240 bench makes 24 air scenarios for 20 districts: two on one district and month
    gave one rank two contradicting labels (a fake's run broken, an honest path worsened)."""
    from crosscheck import signals

    kinds = [k for k in build.plan_kinds(240) if k in build.AIR_HONEST or k in build.AIR_FAKE]
    assert len(kinds) > len(build.Builder(3).districts)  # more scenarios than districts
    builder = build.Builder(3)
    scenarios = [builder.air_scenario(kind) for kind in kinds]
    pinned = [
        (district, build._shift(month, k))
        for district, month, _, path in builder.air_slots
        for k in range(min(path) - 1, max(path) + 2)
    ]
    assert len(pinned) == len(set(pinned))
    builder.write_air()
    flagged = {w.line_id for w in signals.air_worsening(build.NOW)}
    false_flags = [s.kind for s in scenarios if s.honest and s.lines & flagged]
    missed = [s.kind for s in scenarios if not s.honest and not s.lines & flagged]
    assert false_flags == []
    # A dozen districts pinned in one month among 20 can still push one step a rank off.
    assert len(missed) <= 1, missed
