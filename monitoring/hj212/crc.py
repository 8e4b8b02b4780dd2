"""The HJ 212 CRC16 (Appendix A), which is *not* CRC-16/MODBUS.

HJ 212 folds each byte into the high byte of the register, ``reg = (reg >> 8) ^ b``, then shifts
eight times with 0xA001. Because ``(reg >> 8) ^ b`` is below 256, a byte step is one lookup in a
256-entry table. The check value of ``b"123456789"`` is 0x2F80 (Modbus gives 0x4B37).

Only the register's high byte survives a step, so the state between bytes is 8 bits:
``h = HIGH[h ^ b]``. ``crc16_many`` uses that to check a batch of frames at once with numpy.
"""

from __future__ import annotations

from collections.abc import Sequence


def _table() -> list[int]:
    table = []
    for value in range(256):
        reg = value
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        table.append(reg)
    return table


TABLE: list[int] = _table()
# High byte of each table entry: the 8-bit state transition (a permutation of 0..255).
HIGH = bytes(t >> 8 for t in TABLE)
# A byte that leaves the initial state 0xFF unchanged: left padding that costs nothing.
NEUTRAL_PAD = next(x for x in range(256) if HIGH[0xFF ^ x] == 0xFF)


def crc16(segment: bytes) -> int:
    """The HJ 212 CRC of the data segment (the bytes between the length field and the CRC)."""
    if not segment:
        return 0xFFFF
    high, table = HIGH, TABLE
    h = 0xFF
    for b in segment[:-1]:
        h = high[h ^ b]
    return table[h ^ segment[-1]]


def crc16_hex(segment: bytes) -> bytes:
    """The four upper-case hex digits sent on the wire (high byte first)."""
    return b"%04X" % crc16(segment)


def crc16_bitwise(segment: bytes) -> int:
    """The algorithm exactly as Appendix A states it; the reference for tests."""
    reg = 0xFFFF
    for b in segment:
        reg = (reg >> 8) ^ b
        for _ in range(8):
            lsb = reg & 1
            reg >>= 1
            if lsb:
                reg ^= 0xA001
    return reg


def crc16_many(segments: Sequence[bytes]) -> list[int]:
    """CRCs of many segments in one pass; the same result as ``crc16`` for each.

    The 8-bit state runs over all segments in lockstep; shorter segments are left-padded with
    ``NEUTRAL_PAD``, which keeps the initial state, so every segment ends on the same step.
    """
    if len(segments) < 16:
        return [crc16(s) for s in segments]
    import numpy as np

    width = max(len(s) for s in segments)
    if width == 0:
        return [0xFFFF] * len(segments)
    pad = bytes([NEUTRAL_PAD])
    block = np.frombuffer(
        b"".join(pad * (width - len(s)) + s if s else pad * width for s in segments), np.uint8
    ).reshape(len(segments), width)
    high = np.frombuffer(HIGH, np.uint8)
    state = np.full(len(segments), 0xFF, np.uint8)
    columns = np.ascontiguousarray(block.T)
    for column in columns[:-1]:
        state = high[state ^ column]
    table = np.array(TABLE, np.uint16)
    out = table[state ^ columns[-1]].tolist()
    return [o if s else 0xFFFF for o, s in zip(out, segments, strict=True)]
