"""Names and units of the pollutant codes lantian stores (HJ 212-2017 Table B.1, and the
vendor names it normalises to for dust and fume). For display only: limits live in
``regulations``."""

from __future__ import annotations

# code → (name, unit of the stored value)
CODES: dict[str, tuple[str, str]] = {
    "a34013": ("颗粒物", "mg/m³"),
    "a21026": ("二氧化硫", "mg/m³"),
    "a21002": ("氮氧化物", "mg/m³"),
    "a21005": ("一氧化碳", "mg/m³"),
    "a24088": ("非甲烷总烃", "mg/m³"),
    "a25002": ("苯", "mg/m³"),
    "a21001": ("氨", "mg/m³"),
    "a34001": ("总悬浮颗粒物 TSP", "µg/m³"),
    "a34002": ("PM10", "µg/m³"),
    "a34004": ("PM2.5", "µg/m³"),
    "a00000": ("废气流量", "m³/s"),
    "a01011": ("烟气流速", "m/s"),
    "a01012": ("烟气温度", "℃"),
    "a01013": ("烟气压力", "kPa"),
    "a01014": ("烟气湿度", "%"),
    "a01017": ("烟道截面积", "m²"),
    "a19001": ("氧含量", "%"),
    "LA": ("噪声", "dB(A)"),
    "fume": ("油烟浓度", "mg/m³"),
}
# The codes that say how much an enterprise emits (as opposed to flow, temperature, noise …).
POLLUTANTS = (
    "a34013",
    "a21026",
    "a21002",
    "a21005",
    "a24088",
    "a34001",
    "a34002",
    "a34004",
    "fume",
)


def name(code: str) -> str:
    return CODES.get(code, (code, ""))[0]


def unit(code: str) -> str:
    return CODES.get(code, ("", ""))[1]
