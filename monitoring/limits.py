"""How much of the quarantine one address may fill: a token bucket per address.

Every bad frame from an address costs a token; tokens come back at ``rate`` per second up to
``burst``. A frame with a token is quarantined with its first ``max_bytes`` bytes (the length it
had is noted); a frame without one is only counted, and once a minute each address that was
held back gets one summary row (how many frames and bytes, the first bytes of the last one).
A flood therefore costs a few rows a minute instead of thousands a second. Pure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

SUMMARY_EVERY = 60.0


@dataclass
class _Bucket:
    tokens: float
    at: float
    held: int = 0
    held_bytes: int = 0
    sample: bytes = b""
    reasons: dict[str, int] = field(default_factory=dict)


class QuarantineBudget:
    def __init__(self, rate: float = 2.0, burst: int = 20, max_bytes: int = 1024) -> None:
        self.rate, self.burst, self.max_bytes = rate, burst, max_bytes
        self.buckets: dict[str, _Bucket] = {}
        self._summarised = time.monotonic()

    def admit(
        self, address: str, raw: bytes, reason: str, detail: str, now: float | None = None
    ) -> tuple[bytes, str] | None:
        """(bytes to keep, detail) for a frame to quarantine, or None when over budget."""
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(address)
        if bucket is None:
            bucket = self.buckets[address] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens < 1:
            bucket.held += 1
            bucket.held_bytes += len(raw)
            bucket.sample = raw[: self.max_bytes]
            bucket.reasons[reason] = bucket.reasons.get(reason, 0) + 1
            return None
        bucket.tokens -= 1
        if len(raw) > self.max_bytes:
            detail = f"{detail}（原长 {len(raw)} 字节，保留前 {self.max_bytes} 字节）"[:300]
            raw = raw[: self.max_bytes]
        return raw, detail

    def summaries(self, now: float | None = None, every: float = SUMMARY_EVERY):
        """[(address, sample bytes, detail)] of addresses held back, at most once per period;
        full buckets with nothing held are forgotten."""
        now = time.monotonic() if now is None else now
        if now - self._summarised < every:
            return []
        self._summarised = now
        out = []
        for address, bucket in list(self.buckets.items()):
            if bucket.held:
                reasons = "、".join(f"{r} {n}" for r, n in sorted(bucket.reasons.items()))
                out.append(
                    (
                        address,
                        bucket.sample,
                        f"超过隔离写入限额，另有 {bucket.held} 帧（{bucket.held_bytes} 字节）"
                        f"只计数未保存：{reasons}"[:300],
                    )
                )
                bucket.held, bucket.held_bytes, bucket.sample = 0, 0, b""
                bucket.reasons = {}
            elif now - bucket.at > every:
                del self.buckets[address]
        return out
