"""The auditable random draw of enterprises for unannounced spot checks (四不两直). Pure.

Commit–reveal, so that nobody can predict a plan before it is published and nobody can pick
friendly enterprises afterwards:

1. Before the day, the office publishes ``commitment = SHA-256(secret)``; the 32-byte secret
   stays hidden.
2. At the draw, the office enters a public value nobody knew when the commitment was
   published (a randomness beacon's round, a lottery result) and the draw time is recorded.
   ``seed = SHA-256("lantian-draw-v1|secret|beacon|day|drawn_at")``. The office cannot steer
   the seed (the secret was fixed before the beacon existed); the public cannot predict it
   (the secret is revealed only now).
3. Each inspecting unit gets ``SHA-256(seed|unit)``; within a population (the credit codes of a
   district's listed enterprises) every code is ranked by ``SHA-256(unit seed|code)`` and the
   lowest ranks are drawn. Anyone can redo this in any language from the published inputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ALGORITHM = "lantian-draw-v1"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_hex(32)


def commitment_of(secret: str) -> str:
    """The published commitment to a hex secret: SHA-256 of its bytes."""
    return hashlib.sha256(bytes.fromhex(secret)).hexdigest()


def round_seed(secret: str, beacon: str, day: dt.date, drawn_at: str) -> str:
    """The day's seed from the revealed secret, the public beacon, the day and the draw time."""
    return sha256_hex("|".join([ALGORITHM, secret, beacon.strip(), day.isoformat(), drawn_at]))


def sub_seed(seed: str, *labels: str) -> str:
    return sha256_hex("|".join([seed, *labels]))


def population_digest(codes: Iterable[str]) -> str:
    """SHA-256 of the sorted codes, one per line: the identity of a frozen population."""
    return sha256_hex("\n".join(sorted(codes)))


def pick(seed: str, items: Iterable[str], k: int) -> list[str]:
    """The ``k`` items of lowest rank SHA-256(seed|item), in rank order (all if fewer)."""
    ranked = sorted(set(items), key=lambda item: (sub_seed(seed, item), item))
    return ranked[: max(k, 0)]


@dataclass(frozen=True)
class Quota:
    """What one inspecting unit must check in a day.

    ``own_district``: at least ``per_district`` enterprises in ``district``.
    ``districts``: ``districts`` districts chosen at random, ``per_district`` enterprises each.
    """

    kind: str
    per_district: int
    districts: int = 1
    district: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "per_district": self.per_district,
            "districts": self.districts,
            "district": self.district,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Quota:
        return cls(data["kind"], data["per_district"], data.get("districts", 1), data["district"])


@dataclass(frozen=True)
class Pick:
    district: str
    code: str


def draw_unit(seed: str, unit: str, quota: Quota, populations: Mapping[str, Sequence[str]]):
    """The enterprises ``unit`` inspects: a list of ``Pick`` in draw order, per the quota."""
    unit_seed = sub_seed(seed, unit)
    if quota.kind == "own_district":
        districts = [quota.district]
    elif quota.kind == "districts":
        eligible = [d for d, codes in populations.items() if codes]
        districts = pick(sub_seed(unit_seed, "districts"), eligible, quota.districts)
    else:
        raise ValueError(f"unknown quota kind {quota.kind!r}")
    picks = []
    for district in districts:
        chosen = pick(
            sub_seed(unit_seed, district), populations.get(district, ()), quota.per_district
        )
        picks += [Pick(district, code) for code in chosen]
    return picks


def shortfall(quota: Quota, picks: Sequence[Pick]) -> list[str]:
    """Why ``picks`` fall short of ``quota`` (empty when the quota is met)."""
    by_district: dict[str, int] = {}
    for p in picks:
        by_district[p.district] = by_district.get(p.district, 0) + 1
    problems = []
    if quota.kind == "districts" and len(by_district) < quota.districts:
        problems.append(f"仅抽到 {len(by_district)} 个区县，要求 {quota.districts} 个")
    if quota.kind == "own_district" and not by_district:
        by_district[quota.district] = 0
    for district, count in sorted(by_district.items()):
        if count < quota.per_district:
            problems.append(f"{district} 仅 {count} 户，要求不少于 {quota.per_district} 户")
    return problems
