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
