"""The cross-checks' thresholds: regulation data (family ``crosscheck_rules``), by date.

None of these numbers is in a standard; they are the platform's defaults, marked unverified,
measured by ``bench/crosscheck_scenarios.py`` and changed by the office in the admin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FAMILY = "crosscheck_rules"


@dataclass(frozen=True)
class Thresholds:
    code: str
    verified: bool
    photo_marks_before: tuple[str, ...]
    photo_period_slack_days: int
    photo_clock_skew_hours: float
    photo_far_km: float
    editing_software: tuple[str, ...]
    photo_candidate_bits: int
    photo_same_score: float
    photo_screen_score: float
    text_shingle_chars: int
    text_boilerplate_units: int
    text_min_shingles: int
    text_same_ratio: float
    travel_speed_kmh: float
    travel_min_km: float
    clone_radius_m: float
    clone_apart_km: float
    clone_min: int
    idle_fraction: float
    idle_min_hours: int
    jump_window_days: int
    jump_min_points: int
    air_worsening_months: int
    share_months: int

    @classmethod
    def on(cls, day: dt.date) -> Thresholds:
        from regulations.lookup import version

        v = version(FAMILY, on=day)

        def get(key):
            return v.number(key).value

        return cls(
            code=v.code,
            verified=v.verified,
            photo_marks_before=tuple(get("photo_marks_before")),
            photo_period_slack_days=int(get("photo_period_slack_days")),
            photo_clock_skew_hours=float(get("photo_clock_skew_hours")),
            photo_far_km=float(get("photo_far_km")),
            editing_software=tuple(s.lower() for s in get("editing_software")),
            photo_candidate_bits=int(get("photo_candidate_bits")),
            photo_same_score=float(get("photo_same_score")),
            photo_screen_score=float(get("photo_screen_score")),
            text_shingle_chars=int(get("text_shingle_chars")),
            text_boilerplate_units=int(get("text_boilerplate_units")),
            text_min_shingles=int(get("text_min_shingles")),
            text_same_ratio=float(get("text_same_ratio")),
            travel_speed_kmh=float(get("travel_speed_kmh")),
            travel_min_km=float(get("travel_min_km")),
            clone_radius_m=float(get("clone_radius_m")),
            clone_apart_km=float(get("clone_apart_km")),
            clone_min=int(get("clone_min")),
            idle_fraction=float(get("idle_fraction")),
            idle_min_hours=int(get("idle_min_hours")),
            jump_window_days=int(get("jump_window_days")),
            jump_min_points=int(get("jump_min_points")),
            air_worsening_months=int(get("air_worsening_months")),
            share_months=int(get("share_months")),
        )

    def source_note(self) -> str:
        return f"判定参数：{self.code}" + ("" if self.verified else "（平台默认值，未经核定）")
