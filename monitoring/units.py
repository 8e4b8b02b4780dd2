"""Concentration units of stored readings, and conversion of limits to them. Pure."""

from __future__ import annotations

# Particles are stored in µg/m³ (profiles scale ng/m³ devices); everything else in mg/m³.
READING_UNIT = {"a34001": "µg/m³", "a34002": "µg/m³", "a34004": "µg/m³", "a34005": "µg/m³"}
DEFAULT_UNIT = "mg/m³"
_TO_UG = {"µg/m³": 1.0, "ug/m³": 1.0, "mg/m³": 1000.0, "ng/m³": 0.001}


def reading_unit(code: str) -> str:
    return READING_UNIT.get(code, DEFAULT_UNIT)


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; unknown units pass through."""
    if from_unit == to_unit or from_unit not in _TO_UG or to_unit not in _TO_UG:
        return value
    return value * _TO_UG[from_unit] / _TO_UG[to_unit]


def background_corrected(tsp: float, pm10: float | None, rule: dict) -> float:
    """DB61/1078 background correction of TSP by the concurrent PM10 (standards.md §4.1).

    TSP ≥ k₁×PM10: no correction; k₂×PM10 ≤ TSP < k₁×PM10: TSP − k₂×PM10; below: unchanged
    (the site is judged to add little, and the raw value stands).
    """
    if pm10 is None or pm10 <= 0:
        return tsp
    if tsp >= rule["no_correction_ratio"] * pm10:
        return tsp
    if tsp >= rule["subtract_factor"] * pm10:
        return tsp - rule["subtract_factor"] * pm10
    return tsp
