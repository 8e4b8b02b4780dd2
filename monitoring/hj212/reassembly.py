"""Split packets (PNUM/PNO): collect the packets of one upload and merge them.

Each packet is a full frame with its own QN and CRC and a complete ``DataTime``; the packets of
one upload share (MN, CN, DataTime, PNUM). An upload whose packets do not all arrive within
``timeout`` seconds is released incomplete, so nothing received is held forever.
"""

from __future__ import annotations

from dataclasses import replace

from monitoring.hj212.frame import Frame

Key = tuple[str, str, str | None, int]


class Upload:
    """One logical upload: its packets (each acknowledged separately) and the merged frame."""

    __slots__ = ("complete", "merged", "packets", "started")

    def __init__(self, packets: list[Frame], complete: bool, started: float = 0.0) -> None:
        self.packets = packets
        self.complete = complete
        self.started = started
        first = packets[0]
        if len(packets) == 1 and first.pnum is None:
            self.merged = first
            return
        values: dict = {}
        extra: dict = {}
        for packet in sorted(packets, key=lambda p: p.pno or 0):
            for code, fields in packet.values.items():
                values.setdefault(code, {}).update(fields)
            extra.update(packet.extra)
        self.merged = replace(first, values=values, extra=extra, pno=None)


class Reassembler:
    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._open: dict[Key, dict[int, Frame]] = {}
        self._started: dict[Key, float] = {}

    def add(self, frame: Frame, now: float) -> Upload | None:
        """The complete upload this packet finishes, or None while packets are missing.

        An unsplit frame is an upload of its own. A repeated packet replaces the earlier copy.
        """
        if frame.pnum is None or frame.pnum == 1:
            return Upload([frame], True, now)
        key = (frame.mn, frame.cn, frame.data_time, frame.pnum)
        packets = self._open.setdefault(key, {})
        self._started.setdefault(key, now)
        packets[frame.pno or 0] = frame
        if len(packets) < frame.pnum:
            return None
        del self._open[key]
        started = self._started.pop(key)
        return Upload(list(packets.values()), True, started)

    def expire(self, now: float) -> list[Upload]:
        """Uploads whose missing packets have not come within the timeout, released as they are."""
        out = []
        for key, started in list(self._started.items()):
            if now - started >= self.timeout:
                packets = self._open.pop(key)
                del self._started[key]
                out.append(Upload(list(packets.values()), False, started))
        return out

    def __len__(self) -> int:
        return len(self._open)
