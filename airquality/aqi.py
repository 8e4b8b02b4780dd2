"""The air quality index of HJ 633 (2012 and 2026 versions). Pure Python: no Django here.

Every number (breakpoints, over-the-top rules, rounding, levels and colours) comes from a
:class:`Table`, built from the regulation versions in ``regulations/data/aqi.json`` (through
``regulations.lookup``, which answers from the database or, without one, the packaged files).

The calculation, in order:
1. map input names to measurements (``pm25`` is the 24 h mean in daily mode, the 1 h mean in
   hourly mode unless a ``pm25_1h`` column is given too);
2. round each concentration per GB/T 8170 (half to even): CO to 0.1 mg/m³, others to 1 µg/m³;
3. interpolate the sub-index (IAQI) on the version's table, rounding UP with exact fractions, so
   a concentration on a breakpoint gives exactly the breakpoint's IAQI;
4. above a table's top breakpoint apply the version's rule (SO2 1 h: 2012 reports the 24 h
   sub-index, 2026 fixes 200; O3 8 h: 2012 reports the 1 h sub-index, 2026 fixes 300), or report
   500 marked ``above_scale`` (爆表) when the table reaches 500;
5. AQI = the largest sub-index; level, category and colour from the level table; the primary
   pollutants are all sub-indices equal to the AQI when it exceeds 50; pollutants over the limit
   are those with IAQI above 100.

:func:`compute` is the scalar path; :func:`compute_arrays` / :func:`compute_frame` the NumPy path
for millions of rows. A property test holds them to identical results.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import numpy as np

DAILY, HOURLY = "daily", "hourly"
MODES = (DAILY, HOURLY)
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

POLLUTANTS = ("so2", "no2", "co", "o3", "pm10", "pm25")
# Sub-indices in report order; the names are also the CLI's ``iaqi_<name>`` columns.
SUBINDEX_NAMES = ("so2", "no2", "co", "o3", "o3_8h", "pm10", "pm25")
# Measurements: pollutant and averaging period.
MEASUREMENTS = (
    "so2_24h",
    "so2_1h",
    "no2_24h",
    "no2_1h",
    "co_24h",
    "co_1h",
    "o3_1h",
    "o3_8h",
    "pm10_24h",
    "pm10_1h",
    "pm25_24h",
    "pm25_1h",
)
TABLE_KEYS = (
    "so2_24h",
    "so2_1h",
    "no2_24h",
    "no2_1h",
    "co_24h",
    "co_1h",
    "o3_1h",
    "o3_8h",
    "pm10_24h",
    "pm25_24h",
)
LABELS = {
    "so2": "SO₂",
    "no2": "NO₂",
    "co": "CO",
    "o3": "O₃",
    "o3_8h": "O₃_8h",
    "pm10": "PM₁₀",
    "pm25": "PM₂.₅",
}
MISSING_MARKS = frozenset({"", "NA", "N/A", "NAN", "-", "—", "--", "/"})
# Far above every table's top; keeps huge inputs finite and exactly representable.
_CLAMP = 10**12


class AQIError(ValueError):
    """A row that cannot be computed; the message says why in plain words."""


class InvalidConcentration(AQIError):
    """Negative, infinite or non-numeric concentration."""


class MissingValue(AQIError):
    """Nothing to compute from, or a rule needs a concentration that was not given."""


def pollutant_of(key: str) -> str:
    """``pm25_24h`` → ``pm25``; ``o3_8h`` → ``o3``."""
    return key.split("_", 1)[0]


def local_date(value: Any) -> dt.date:
    """The Asia/Shanghai date of a date, datetime or ISO string (naive times are local)."""
    if isinstance(value, str):
        text = value.strip().replace("/", "-")
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise AQIError(f"时间无法识别：{value!r}（应为 ISO 日期或日期时间）") from None
        if len(text) <= 10:
            return value.date()
    if isinstance(value, dt.datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    raise AQIError(f"时间无法识别：{value!r}")


# --- tables: the numbers of one version ---


class VersionLike(Protocol):
    code: str
    verified: bool

    def number(self, key: str, variant: str = "") -> Any: ...


@dataclass(frozen=True)
class Level:
    """One of the six AQI levels (HJ 633 table 2)."""

    index: int
    max: int
    level: str
    category: str
    color: str
    rgb: str


@dataclass(frozen=True, eq=False)
class Table:
    """The breakpoints and rules of one HJ 633 version, as data."""

    code: str
    verified: bool
    iaqi: tuple[int, ...]
    breakpoints: Mapping[str, tuple[Fraction, ...]]
    over_top: Mapping[str, Mapping[str, Any]]
    decimals: Mapping[str, int]
    daily_includes_o3_1h: bool
    realtime_includes_o3_8h: bool
    realtime_pm_uses_24h_table: bool
    levels: tuple[Level, ...]
    primary_threshold: int
    over_limit_iaqi: int
    _scaled: dict[str, tuple[int, np.ndarray]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_versions(cls, breakpoints: VersionLike, levels: VersionLike) -> Table:
        """Build from a ``regulations.lookup.Version`` of ``aqi_breakpoints`` and ``aqi_levels``."""

        def get(version: VersionLike, key: str, default: Any = LookupError) -> Any:
            try:
                return version.number(key).value
            except LookupError:
                if default is LookupError:
                    raise
                return default

        iaqi = tuple(int(v) for v in get(breakpoints, "iaqi"))
        tables = {}
        for key in TABLE_KEYS:
            nodes = tuple(Fraction(str(v)) for v in get(breakpoints, key))
            if nodes[0] != 0 or any(b <= a for a, b in zip(nodes, nodes[1:], strict=False)):
                raise ValueError(f"{breakpoints.code} {key}: 分级浓度须从 0 起严格递增")
            if len(nodes) > len(iaqi):
                raise ValueError(f"{breakpoints.code} {key}: 分级多于 IAQI 节点")
            tables[key] = nodes
        over_top = {}
        for key in TABLE_KEYS:
            rule = get(breakpoints, f"{key}_over_top", None)
            if rule is not None:
                over_top[key] = dict(rule)
        rounding = get(breakpoints, "concentration_rounding")
        if rounding.get("method") != "half_even":
            raise ValueError(f"{breakpoints.code}: 不支持的修约方法 {rounding.get('method')}")
        level_rows = get(levels, "levels")
        return cls(
            code=breakpoints.code,
            verified=bool(breakpoints.verified),
            iaqi=iaqi,
            breakpoints=tables,
            over_top=over_top,
            decimals={p: int(d) for p, d in rounding["decimals"].items()},
            daily_includes_o3_1h=bool(get(breakpoints, "daily_includes_o3_1h", False)),
            realtime_includes_o3_8h=bool(get(breakpoints, "realtime_includes_o3_8h", False)),
            realtime_pm_uses_24h_table=bool(get(breakpoints, "realtime_pm_uses_24h_table", True)),
            levels=tuple(
                Level(i, int(r["max"]), r["level"], r["category"], r["color"], r["rgb"])
                for i, r in enumerate(level_rows)
            ),
            primary_threshold=int(get(levels, "primary_threshold")),
            over_limit_iaqi=int(get(levels, "over_limit_iaqi")),
        )

    def level_for(self, aqi: int) -> Level:
        for level in self.levels:
            if aqi <= level.max:
                return level
        return self.levels[-1]

    def top(self, table_key: str) -> Fraction:
        return self.breakpoints[table_key][-1]

    def scaled(self, table_key: str) -> tuple[int, np.ndarray]:
        """(scale, integer breakpoints × scale) for exact integer arithmetic in NumPy."""
        if table_key not in self._scaled:
            digits = self.decimals[pollutant_of(table_key)]
            nodes = self.breakpoints[table_key]
            while any((b * 10**digits).denominator != 1 for b in nodes):
                digits += 1
            scale = 10**digits
            self._scaled[table_key] = (scale, np.array([int(b * scale) for b in nodes]))
        return self._scaled[table_key]


def load_table(standard: str = "auto", *, on: dt.date) -> Table:
    """The table for data of day ``on`` (``auto``) or the named version (``HJ633-2012``)."""
    from regulations import lookup  # pure module: reads the database only when Django runs

    breakpoints = lookup.breakpoints(standard, on=on)
    levels_on = max(on, breakpoints.effective_from)
    return Table.from_versions(breakpoints, lookup.version("aqi_levels", on=levels_on))


class Resolver:
    """Tables by the data's date, each version built once (``standard`` may force one)."""

    def __init__(self, standard: str = "auto", load: Callable[..., Table] = load_table):
        self.standard = standard
        self._load = load
        self._by_date: dict[dt.date, Table] = {}
        self._by_code: dict[str, Table] = {}

    def __call__(self, on: dt.date) -> Table:
        table = self._by_date.get(on)
        if table is None:
            loaded = self._load(self.standard, on=on)
            table = self._by_code.setdefault(loaded.code, loaded)
            self._by_date[on] = table
        return table


# --- which measurements a mode uses ---


@dataclass(frozen=True)
class Spec:
    """One sub-index of a mode: its name, the measurement it reads, the table it uses."""

    name: str
    measurement: str
    table: str


def specs(table: Table, mode: str) -> tuple[Spec, ...]:
    """The sub-indices of the daily (日报) or real-time (实时报) report under ``table``."""
    if mode == DAILY:
        out = [Spec(p, f"{p}_24h", f"{p}_24h") for p in ("so2", "no2", "co")]
        if table.daily_includes_o3_1h:
            out.append(Spec("o3", "o3_1h", "o3_1h"))
        out.append(Spec("o3_8h", "o3_8h", "o3_8h"))
        out += [Spec(p, f"{p}_24h", f"{p}_24h") for p in ("pm10", "pm25")]
        return tuple(out)
    if mode != HOURLY:
        raise AQIError(f"未知模式 {mode!r}（应为 daily 或 hourly）")
    out = [Spec(p, f"{p}_1h", f"{p}_1h") for p in ("so2", "no2", "co", "o3")]
    if table.realtime_includes_o3_8h:
        out.append(Spec("o3_8h", "o3_8h", "o3_8h"))
    # Real-time PM: the 1 h mean on the 24 h table (HJ 633—2026 §4.2.3), else the 24 h mean.
    pm_period = "1h" if table.realtime_pm_uses_24h_table else "24h"
    out += [Spec(p, f"{p}_{pm_period}", f"{p}_24h") for p in ("pm10", "pm25")]
    return tuple(out)


def column_map(columns: Iterable[str], mode: str) -> dict[str, str]:
    """Input column → measurement, for the names the CLI accepts.

    Daily: ``so2`` … ``pm25`` are 24 h means, ``o3`` the daily maximum 1 h, ``o3_8h`` the daily
    maximum 8 h moving mean. Hourly: plain names are 1 h means, unless ``<name>_1h`` is also given,
    in which case the plain name is the 24 h mean (used by the SO2 over-800 rule of 2012).
    Explicit measurement names (``pm25_24h``) always mean themselves. Unknown columns are ignored.
    """
    if mode not in MODES:
        raise AQIError(f"未知模式 {mode!r}（应为 daily 或 hourly）")
    columns = [c.strip().lower() for c in columns]
    present = set(columns)
    out: dict[str, str] = {}
    for column in columns:
        if column in MEASUREMENTS:
            key = column
        elif column in POLLUTANTS:
            if mode == DAILY:
                key = "o3_1h" if column == "o3" else f"{column}_24h"
            elif f"{column}_1h" in present:
                if column == "o3":
                    continue
                key = f"{column}_24h"
            else:
                key = f"{column}_1h"
        else:
            continue
        if key in out.values():
            other = next(c for c, k in out.items() if k == key)
            raise AQIError(f"列 {other} 与 {column} 都表示 {key}，只能给出一个")
        out[column] = key
    return out


# --- the scalar path ---


@dataclass(frozen=True)
class SubIndex:
    """The IAQI of one pollutant: rounded concentration, sub-index, and how it was obtained."""

    name: str
    measurement: str
    concentration: Decimal
    iaqi: int
    above_scale: bool = False
    note: str = ""


@dataclass(frozen=True)
class Result:
    aqi: int
    level: Level
    primary: tuple[str, ...]
    over_limit: tuple[str, ...]
    sub_indices: Mapping[str, SubIndex]
    standard: str
    mode: str

    @property
    def above_scale(self) -> bool:
        return any(s.above_scale for s in self.sub_indices.values())

    @property
    def category(self) -> str:
        return self.level.category

    @property
    def color(self) -> str:
        return self.level.rgb

    def iaqi(self, name: str) -> int | None:
        sub = self.sub_indices.get(name)
        return sub.iaqi if sub else None


def to_decimal(value: Any, name: str = "") -> Decimal | None:
    """A concentration as an exact decimal; ``None`` when missing (empty, NaN, "—")."""
    where = f"{name} " if name else ""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidConcentration(f"{where}浓度不是数值：{value!r}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | np.integer):
        number = Decimal(int(value))
    elif isinstance(value, float | np.floating):
        # repr gives the shortest decimal that is this float: the number the source wrote.
        number = Decimal(repr(float(value)))
    elif isinstance(value, str):
        text = value.strip()
        if text.upper() in MISSING_MARKS:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidConcentration(f"{where}浓度不是数值：{value!r}") from None
    else:
        raise InvalidConcentration(f"{where}浓度不是数值：{value!r}")
    if number.is_nan():
        return None
    if not number.is_finite():
        raise InvalidConcentration(f"{where}浓度无穷大：{value!r}")
    if number < 0:
        raise InvalidConcentration(f"{where}浓度为负：{value}")
    return min(number, Decimal(_CLAMP))


def round_concentration(value: Decimal, pollutant: str, table: Table) -> Decimal:
    """GB/T 8170 rounding (half to even) to the pollutant's decimals: CO 0.1, others 1."""
    quantum = Decimal(1).scaleb(-table.decimals[pollutant])
    return value.quantize(quantum, rounding=ROUND_HALF_EVEN)


def interpolate(nodes: Sequence[Fraction], iaqis: Sequence[int], c: Fraction) -> int:
    """IAQI_Lo + (IAQI_Hi − IAQI_Lo)(C − BP_Lo)/(BP_Hi − BP_Lo), rounded up, exactly."""
    for i in range(1, len(nodes)):
        if c <= nodes[i]:
            lo, hi = nodes[i - 1], nodes[i]
            return iaqis[i - 1] + math.ceil((iaqis[i] - iaqis[i - 1]) * (c - lo) / (hi - lo))
    raise ValueError("concentration above the table")


def _sub_index(spec: Spec, values: Mapping[str, Decimal], table: Table) -> SubIndex | None:
    raw = values.get(spec.measurement)
    if raw is None:
        return None
    c = round_concentration(raw, pollutant_of(spec.table), table)
    nodes = table.breakpoints[spec.table]
    if Fraction(c) <= nodes[-1]:
        return SubIndex(spec.name, spec.measurement, c, interpolate(nodes, table.iaqi, Fraction(c)))
    top = _plain(nodes[-1])
    rule = table.over_top.get(spec.table)
    if rule is None:
        note = f"{spec.measurement} {c} 高于分级上限 {top}，按 {table.iaqi[-1]} 报告（爆表）"
        return SubIndex(spec.name, spec.measurement, c, table.iaqi[-1], True, note)
    if rule["rule"] == "fixed":
        note = f"{spec.measurement} {c} 高于 {top}，{table.code} 规定分指数取 {rule['iaqi']}"
        return SubIndex(spec.name, spec.measurement, c, int(rule["iaqi"]), False, note)
    alternative = _alternative(spec.table, rule)
    alt = _sub_index(Spec(spec.name, alternative, alternative), values, table)
    if alt is None:
        raise MissingValue(
            f"{spec.measurement} {c} 高于 {top}：{table.code} 规定按 {alternative} 浓度计算分指数，"
            f"但未提供 {alternative}"
        )
    note = f"{spec.measurement} {c} 高于 {top}：按 {alternative} {alt.concentration} 计算"
    return SubIndex(spec.name, spec.measurement, c, alt.iaqi, alt.above_scale, note)


def _alternative(table_key: str, rule: Mapping[str, Any]) -> str:
    periods = {"use_24h": "24h", "use_1h": "1h", "use_8h": "8h"}
    if rule["rule"] not in periods:
        raise ValueError(f"未知的超上限规则 {rule['rule']!r}")
    return f"{pollutant_of(table_key)}_{periods[rule['rule']]}"


def _plain(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


def measurements(values: Mapping[str, Any], mode: str) -> dict[str, Decimal | None]:
    """Parse and name the inputs (plain pollutant names or measurement keys) for ``mode``."""
    names = column_map(values.keys(), mode)  # other keys (station, time …) are ignored
    known = {names[k.strip().lower()]: k for k in values if k.strip().lower() in names}
    return {m: to_decimal(values[k], k) for m, k in known.items()}


def compute(values: Mapping[str, Any], *, mode: str = DAILY, table: Table) -> Result:
    """AQI of one row. ``values`` maps pollutant names or measurement keys to concentrations.

    Raises :class:`AQIError` (with a message fit for a person) for a row that cannot be computed.
    """
    parsed = measurements(values, mode)
    subs: dict[str, SubIndex] = {}
    for spec in specs(table, mode):
        sub = _sub_index(spec, parsed, table)
        if sub is not None:
            subs[spec.name] = sub
    if not subs:
        raise MissingValue("没有可用于计算的污染物浓度")
    aqi = max(s.iaqi for s in subs.values())
    primary = (
        tuple(n for n, s in subs.items() if s.iaqi == aqi) if aqi > table.primary_threshold else ()
    )
    over = tuple(n for n, s in subs.items() if s.iaqi > table.over_limit_iaqi)
    return Result(aqi, table.level_for(aqi), primary, over, subs, table.code, mode)


def compute_on(
    values: Mapping[str, Any], *, on: dt.date, mode: str = DAILY, standard: str = "auto"
) -> Result:
    """:func:`compute` with the table of the data's date (or the forced ``standard``)."""
    return compute(values, mode=mode, table=load_table(standard, on=on))


def iaqi(measurement: str, concentration: Any, *, table: Table) -> SubIndex:
    """The sub-index of one measurement on its own table (``iaqi("pm25_24h", 75, table=t)``)."""
    mode = HOURLY if measurement.endswith("_1h") else DAILY
    spec = next((s for s in specs(table, mode) if s.measurement == measurement), None)
    if spec is None:
        spec = Spec(pollutant_of(measurement), measurement, measurement)
    sub = _sub_index(spec, {measurement: to_decimal(concentration, measurement)}, table)
    if sub is None:
        raise MissingValue(f"{measurement} 浓度缺失")
    return sub


# --- the vectorised path ---

OK, INVALID, NOTHING, FALLBACK_MISSING = 0, 1, 2, 3
ERROR_MESSAGES = {
    INVALID: "浓度为负、无穷大或不是数值",
    NOTHING: "没有可用于计算的污染物浓度",
    FALLBACK_MISSING: "浓度高于分级上限，按规定须用另一平均时间的浓度计算，但未提供",
}


@dataclass
class ArrayResult:
    """Per-row results of the NumPy path. Missing sub-indices and failed rows hold -1."""

    names: tuple[str, ...]
    iaqi: dict[str, np.ndarray]
    aqi: np.ndarray
    level: np.ndarray
    primary: np.ndarray
    over_limit: np.ndarray
    above_scale: np.ndarray
    error: np.ndarray
    table: np.ndarray
    tables: list[Table]

    def bits_to_names(self, bits: int) -> tuple[str, ...]:
        return tuple(n for i, n in enumerate(self.names) if bits >> i & 1)


def round_units(x: np.ndarray, decimals: int) -> np.ndarray:
    """GB/T 8170 rounding of floats to integer units of 10^-decimals, as the scalar path rounds.

    The scalar path rounds the shortest decimal of each float (its ``repr``). Here: m = ⌊x·s⌋ and
    the half point h = (m + ½)/s, a correctly rounded division, so h is the float nearest the
    decimal half point; x above h rounds up, below rounds down, equal is a true tie → even.
    """
    s = 10.0**decimals
    m = np.floor(x * s)
    h = (m + 0.5) / s
    up = np.where(x > h, m + 1, np.where(x < h, m, m + np.mod(m, 2)))
    return up.astype(np.int64)


def _array_iaqi(units: np.ndarray, decimals: int, table: Table, key: str):
    """(iaqi, over_top) for rounded concentrations in units of 10^-decimals."""
    scale, nodes = table.scaled(key)
    c = units * (scale // 10**decimals)
    over = c > nodes[-1]
    seg = np.clip(np.searchsorted(nodes, c, side="left"), 1, len(nodes) - 1)
    lo, hi = nodes[seg - 1], nodes[seg]
    iaqis = np.array(table.iaqi[: len(nodes)], dtype=np.int64)
    ilo, ihi = iaqis[seg - 1], iaqis[seg]
    num = (ihi - ilo) * (np.minimum(c, nodes[-1]) - lo)
    value = ilo + -(-num // (hi - lo))
    return value, over


def _one_table(values: Mapping[str, np.ndarray], n: int, mode: str, table: Table):
    names = tuple(SUBINDEX_NAMES)
    invalid = np.zeros(n, dtype=bool)
    units: dict[str, np.ndarray] = {}
    present: dict[str, np.ndarray] = {}
    for key, raw in values.items():
        x = np.asarray(raw, dtype=np.float64)
        invalid |= (x < 0) | np.isinf(x)
        ok = ~np.isnan(x) & (x >= 0) & ~np.isinf(x)
        clean = np.where(ok, np.minimum(x, _CLAMP), 0.0)
        units[key] = round_units(clean, table.decimals[pollutant_of(key)])
        present[key] = ok
    iaqi = {name: np.full(n, -1, dtype=np.int64) for name in names}
    above = np.zeros(n, dtype=bool)
    fallback_missing = np.zeros(n, dtype=bool)
    for spec in specs(table, mode):
        if spec.measurement not in units:
            continue
        digits = table.decimals[pollutant_of(spec.table)]
        value, over = _array_iaqi(units[spec.measurement], digits, table, spec.table)
        has = present[spec.measurement]
        out = np.where(has, value, -1)
        over &= has
        rule = table.over_top.get(spec.table)
        if rule is None:
            out = np.where(over, table.iaqi[-1], out)
            above |= over
        elif rule["rule"] == "fixed":
            out = np.where(over, int(rule["iaqi"]), out)
        else:
            alt = _alternative(spec.table, rule)
            if alt in units:
                alt_value, alt_over = _array_iaqi(units[alt], digits, table, alt)
                alt_has = present[alt]
                alt_value = np.where(alt_over, table.iaqi[-1], alt_value)
                out = np.where(over & alt_has, alt_value, out)
                above |= over & alt_has & alt_over
                fallback_missing |= over & ~alt_has
            else:
                fallback_missing |= over
        iaqi[spec.name] = out
    stacked = np.stack([iaqi[name] for name in names])
    aqi = stacked.max(axis=0)
    error = np.where(
        invalid,
        INVALID,
        np.where(fallback_missing, FALLBACK_MISSING, np.where(aqi < 0, NOTHING, OK)),
    )
    failed = error != OK
    aqi = np.where(failed, -1, aqi)
    for name in names:
        iaqi[name] = np.where(failed, -1, iaqi[name])
    maxes = np.array([lv.max for lv in table.levels])
    level = np.where(failed, -1, np.minimum(np.searchsorted(maxes, aqi), len(maxes) - 1))
    weights = (1 << np.arange(len(names), dtype=np.int64))[:, None]
    is_primary = (stacked == aqi) & (aqi > table.primary_threshold) & ~failed
    is_over = (stacked > table.over_limit_iaqi) & ~failed
    primary = (is_primary * weights).sum(axis=0)
    over_limit = (is_over * weights).sum(axis=0)
    return names, iaqi, aqi, level, primary, over_limit, above & ~failed, error


def compute_arrays(values: Mapping[str, Any], *, mode: str = DAILY, table: Table) -> ArrayResult:
    """The NumPy path for one table. ``values``: name or measurement → float array (NaN missing)."""
    names_map = column_map(values.keys(), mode)
    arrays = {
        names_map[k.strip().lower()]: v for k, v in values.items() if k.strip().lower() in names_map
    }
    n = len(next(iter(values.values()))) if values else 0
    names, iaqi, aqi, level, primary, over, above, error = _one_table(arrays, n, mode, table)
    return ArrayResult(
        names, iaqi, aqi, level, primary, over, above, error, np.zeros(n, dtype=np.int64), [table]
    )


def compute_frame(
    dates: Sequence[Any] | np.ndarray,
    values: Mapping[str, Any],
    *,
    mode: str = DAILY,
    resolver: Resolver | None = None,
) -> ArrayResult:
    """The NumPy path over rows of several dates: each row gets the table of its own date."""
    resolver = resolver or Resolver()
    days = np.asarray(dates, dtype="datetime64[D]")
    n = len(days)
    unique, inverse = np.unique(days, return_inverse=True)
    tables: list[Table] = []
    table_of_day = np.empty(len(unique), dtype=np.int64)
    for i, day in enumerate(unique):
        table = resolver(day.astype(dt.date))
        if table not in tables:
            tables.append(table)
        table_of_day[i] = tables.index(table)
    row_table = table_of_day[inverse.reshape(-1)]
    names_map = column_map(values.keys(), mode)
    arrays = {
        names_map[k.strip().lower()]: np.asarray(v, dtype=np.float64)
        for k, v in values.items()
        if k.strip().lower() in names_map
    }
    result = ArrayResult(
        tuple(SUBINDEX_NAMES),
        {name: np.full(n, -1, dtype=np.int64) for name in SUBINDEX_NAMES},
        np.full(n, -1, dtype=np.int64),
        np.full(n, -1, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
        np.zeros(n, dtype=bool),
        np.full(n, NOTHING, dtype=np.int64),
        row_table,
        tables,
    )
    for index, table in enumerate(tables):
        rows = np.nonzero(row_table == index)[0]
        part = {k: v[rows] for k, v in arrays.items()}
        _, iaqi, aqi, level, primary, over, above, error = _one_table(part, len(rows), mode, table)
        for name in SUBINDEX_NAMES:
            result.iaqi[name][rows] = iaqi[name]
        result.aqi[rows], result.level[rows] = aqi, level
        result.primary[rows], result.over_limit[rows] = primary, over
        result.above_scale[rows], result.error[rows] = above, error
    return result
