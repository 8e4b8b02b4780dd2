"""The pure draw: commit–reveal seeds and rank-by-hash picks."""

import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emergency.draw import (
    Pick,
    Quota,
    commitment_of,
    draw_unit,
    new_secret,
    pick,
    population_digest,
    round_seed,
    shortfall,
)

codes = st.lists(st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=18, max_size=18), max_size=60)
seeds = st.text("0123456789abcdef", min_size=64, max_size=64)


def test_the_commitment_is_the_sha256_of_the_secret_bytes():
    secret = new_secret()
    assert len(secret) == 64 and secret != new_secret()
    assert commitment_of(secret) == hashlib.sha256(bytes.fromhex(secret)).hexdigest()


def test_the_seed_depends_on_every_input():
    args = ("ab" * 32, "drand 4521337", dt.date(2024, 1, 12), "2024-01-12T08:00:00+08:00")
    seed = round_seed(*args)
    for i, other in enumerate(
        ("cd" * 32, "drand 4521338", dt.date(2024, 1, 13), "2024-01-12T08:01")
    ):
        changed = list(args)
        changed[i] = other
        assert round_seed(*changed) != seed
    assert round_seed(*args) == seed


def test_the_rank_order_is_sha256_of_seed_and_code():
    population = ["B", "A", "C", "D"]
    ranks = sorted(population, key=lambda c: hashlib.sha256(f"s|{c}".encode()).hexdigest())
    assert pick("s", population, 2) == ranks[:2]


@settings(max_examples=200, deadline=None)
@given(seeds, codes, st.integers(min_value=0, max_value=70))
def test_a_pick_is_a_reproducible_subset_of_the_right_size(seed, population, k):
    chosen = pick(seed, population, k)
    assert chosen == pick(seed, list(reversed(population)), k)  # order of the list is irrelevant
    assert set(chosen) <= set(population)
    assert len(chosen) == min(k, len(set(population)))
    assert len(set(chosen)) == len(chosen)


@settings(max_examples=100, deadline=None)
@given(seeds, codes, st.integers(min_value=1, max_value=20))
def test_a_larger_pick_extends_a_smaller_one(seed, population, k):
    assert pick(seed, population, k + 3)[:k] == pick(seed, population, k)


def test_different_seeds_draw_different_samples():
    population = [f"{i:018d}" for i in range(200)]
    samples = {tuple(pick(f"{s:064x}", population, 10)) for s in range(20)}
    assert len(samples) == 20


def test_the_population_digest_ignores_order():
    assert population_digest(["b", "a"]) == population_digest(["a", "b"])
    assert population_digest(["a"]) != population_digest(["a", "b"])


def test_a_city_unit_visits_the_quota_of_districts_and_enterprises_in_each():
    populations = {f"区{i}": [f"{i}-{j}" for j in range(8)] for i in range(6)}
    populations["空区"] = []
    quota = Quota("districts", per_district=3, districts=3)
    picks = draw_unit("f" * 64, "市工信局", quota, populations)
    districts = {p.district for p in picks}
    assert len(districts) == 3 and "空区" not in districts
    assert all(sum(p.district == d for p in picks) == 3 for d in districts)
    assert all(p.code in populations[p.district] for p in picks)
    assert shortfall(quota, picks) == []
    assert picks == draw_unit("f" * 64, "市工信局", quota, populations)
    assert picks != draw_unit("f" * 64, "市生态环境局", quota, populations)


def test_a_district_too_small_for_its_quota_is_reported():
    quota = Quota("own_district", per_district=10, district="小区")
    picks = draw_unit("0" * 64, "小区政府", quota, {"小区": ["a", "b"]})
    assert len(picks) == 2
    assert shortfall(quota, picks) == ["小区 仅 2 户，要求不少于 10 户"]
    assert shortfall(quota, []) == ["小区 仅 0 户，要求不少于 10 户"]
    assert shortfall(Quota("districts", 3, 3), [Pick("甲", "a")] * 3) == [
        "仅抽到 1 个区县，要求 3 个"
    ]


def test_an_unknown_quota_kind_is_an_error():
    with pytest.raises(ValueError):
        draw_unit("0" * 64, "x", Quota("lottery", 1), {})
