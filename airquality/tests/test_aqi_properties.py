"""Properties of the AQI calculator (hypothesis): the NumPy path equals the scalar path,
and sub-indices never fall as concentrations rise."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from airquality import aqi
from airquality.tests.tables import T2012, T2026

concentration = st.one_of(
    st.none(),
    st.floats(min_value=0, max_value=1300, allow_nan=False),
    st.integers(min_value=0, max_value=4000).map(float),
    st.integers(min_value=0, max_value=1500).map(lambda v: v / 10),  # one decimal, CO-like
    st.integers(min_value=0, max_value=3000).map(lambda v: v + 0.5),  # exact halves
    st.floats(min_value=-5, max_value=-0.01),
    st.floats(min_value=1e5, max_value=1e20),
    st.just(float("inf")),
)
rows = st.dictionaries(st.sampled_from(aqi.MEASUREMENTS), concentration, min_size=1, max_size=12)


def scalar_outcome(values: dict, mode: str, table: aqi.Table):
    try:
        r = aqi.compute(values, mode=mode, table=table)
    except aqi.InvalidConcentration:
        return ("error", aqi.INVALID)
    except aqi.MissingValue as exc:
        code = aqi.NOTHING if "没有可用于计算" in str(exc) else aqi.FALLBACK_MISSING
        return ("error", code)
    subs = {n: s.iaqi for n, s in r.sub_indices.items()}
    return (r.aqi, r.level.index, r.primary, r.over_limit, r.above_scale, subs)


def vector_outcome(result: aqi.ArrayResult, i: int):
    if result.error[i]:
        return ("error", int(result.error[i]))
    subs = {n: int(a[i]) for n, a in result.iaqi.items() if a[i] >= 0}
    return (
        int(result.aqi[i]),
        int(result.level[i]),
        result.bits_to_names(int(result.primary[i])),
        result.bits_to_names(int(result.over_limit[i])),
        bool(result.above_scale[i]),
        subs,
    )


@settings(max_examples=300, deadline=None)
@given(
    batch=st.lists(rows, min_size=1, max_size=25),
    mode=st.sampled_from(aqi.MODES),
    table=st.sampled_from([T2012, T2026]),
)
def test_vectorised_path_equals_scalar_path(batch, mode, table):
    keys = sorted({k for row in batch for k in row})
    arrays = {
        k: np.array([np.nan if row.get(k) is None else row[k] for row in batch]) for k in keys
    }
    result = aqi.compute_arrays(arrays, mode=mode, table=table)
    for i, row in enumerate(batch):
        full = {k: row.get(k) for k in keys}
        assert vector_outcome(result, i) == scalar_outcome(full, mode, table), full


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(aqi.TABLE_KEYS),
    a=st.integers(min_value=0, max_value=40000),
    b=st.integers(min_value=0, max_value=40000),
    table=st.sampled_from([T2012, T2026]),
)
def test_iaqi_never_falls_as_concentration_rises(key, a, b, table):
    lo, hi = sorted((a / 10, b / 10))
    top = table.top(key)
    if hi > top and key in table.over_top:
        return  # above the top a rule may substitute another measurement
    assert aqi.iaqi(key, lo, table=table).iaqi <= aqi.iaqi(key, hi, table=table).iaqi


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e7, allow_nan=False), st.sampled_from([0, 1]))
def test_array_rounding_is_decimal_rounding_of_the_written_number(x, decimals):
    from decimal import ROUND_HALF_EVEN, Decimal

    expected = Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
    got = aqi.round_units(np.array([x]), decimals)[0]
    assert Decimal(int(got)).scaleb(-decimals) == expected


@settings(max_examples=150, deadline=None)
@given(
    batch=st.lists(
        st.tuples(st.integers(min_value=-40, max_value=40), rows), min_size=1, max_size=30
    ),
    mode=st.sampled_from(aqi.MODES),
)
def test_rows_of_both_versions_in_one_frame_equal_the_scalar_path(batch, mode):
    import datetime as dt

    switch = dt.date(2026, 3, 1)

    def loader(standard, *, on):
        return T2012 if on < switch else T2026

    days = [switch + dt.timedelta(days=offset) for offset, _ in batch]
    keys = sorted({k for _, row in batch for k in row})
    arrays = {
        k: np.array([np.nan if row.get(k) is None else row[k] for _, row in batch]) for k in keys
    }
    result = aqi.compute_frame(days, arrays, mode=mode, resolver=aqi.Resolver(load=loader))
    for i, (day, row) in enumerate(zip(days, (r for _, r in batch), strict=True)):
        full = {k: row.get(k) for k in keys}
        table = loader("auto", on=day)
        assert vector_outcome(result, i) == scalar_outcome(full, mode, table), (day, full)
        if not result.error[i]:
            assert result.tables[result.table[i]] is table
