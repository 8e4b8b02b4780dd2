"""Cut frames out of a TCP byte stream.

TCP splits long frames and merges short ones, and field links add noise, so frames are found by
``##`` + four digits + that many bytes + CRC, never by ``read()`` boundaries. After garbage the
decoder resynchronises on the next ``##``; a candidate whose CRC fails is reported and the scan
goes on two bytes further, so a good frame hiding behind a false start is never lost.

Two ways to use it:
- ``feed(data)`` checks every CRC itself (simple; the ``parse`` command and tests use it);
- ``feed(data, verify=False)`` only cuts; the caller checks CRCs in a batch (``crc16_many``) and
  calls ``reject(cut)`` for the ones that fail (the gateway does this, one batch per loop turn).

HJ 212-2025 frames whose CP is SM4-encrypted (``CP=&&{0x..,…}tail&&``) cannot be cut by their
length field (it declares the plaintext) nor checked by their CRC (computed over the plaintext):
they are cut by structure and handed to ``opener`` (the device's keys), which returns the
plaintext segment; the cut then carries the plaintext and counts as verified. Without an opener
they are reported as junk (``encrypted``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from monitoring.hj212 import errors as E
from monitoring.hj212.crc import crc16
from monitoring.hj212.errors import FrameError
from monitoring.hj212.sm4 import MARK

# (wire segment, CRC text, declared length) → (plaintext segment, which key); raises FrameError
Opener = Callable[[bytes, bytes, int], tuple[bytes, Any]]
HEADER_SPAN = 400  # the header fields before CP=&& fit in this many bytes

WHITESPACE = b" \t\r\n\x00"
MAX_FRAME = 2 + 4 + 9999 + 4 + 2


@dataclass(slots=True)
class Cut:
    """A frame cut from the stream. ``verified``: its CRC was already checked and matched.

    For an encrypted frame ``segment`` is the decrypted plaintext, ``raw`` what was received
    and ``key`` whatever the opener said about the key that opened it.
    """

    raw: bytes
    segment: bytes
    crc: bytes
    verified: bool
    encrypted: bool = False
    key: Any = None


@dataclass(slots=True)
class Junk:
    """Bytes that are not a frame, with the reason; the gateway quarantines them."""

    raw: bytes
    reason: str
    detail: str = ""


class StreamDecoder:
    """Incremental frame cutter for one connection."""

    def __init__(self, max_buffer: int = 4 * MAX_FRAME, opener: Opener | None = None) -> None:
        self.buf = b""
        self.max_buffer = max_buffer
        self.opener = opener
        self._pending: list[Cut] = []  # unverified cuts handed out, in stream order
        self._reported = 0  # bytes at the start of buf already reported as junk

    def feed(self, data: bytes, *, verify: bool = True) -> list[Cut | Junk]:
        self.buf += data
        out: list[Cut | Junk] = []
        pos = 0
        buf = self.buf
        while True:
            start = buf.find(b"##", pos)
            if start < 0:
                keep = len(buf) - 1 if buf.endswith(b"#") else len(buf)
                self._junk(out, pos, keep)
                pos = keep
                break
            self._junk(out, pos, start)
            step = self._try(start, verify)
            if step is None:  # need more bytes
                pos = start
                if len(buf) - start > self.max_buffer:
                    self._junk(out, start, start + 2, E.TRUNCATED)
                    pos = start + 1
                    continue
                break
            item, pos = step
            out.append(item)
            if isinstance(item, Cut) and not item.verified:
                self._pending.append(item)
        self.buf = buf[pos:]
        self._reported = max(0, self._reported - pos)
        return out

    def flush(self) -> list[Cut | Junk]:
        """End of stream: whatever is left is junk (a frame cut short)."""
        out: list[Cut | Junk] = []
        if self.buf.strip(WHITESPACE):
            self._junk(out, 0, len(self.buf), E.TRUNCATED)
        self.buf = b""
        return out

    def accept(self, cut: Cut) -> None:
        """The caller found an unverified cut's CRC good."""
        self._forget(cut)

    def settle(self) -> None:
        """The caller found every unverified cut handed out so far good."""
        self._pending.clear()

    def reject(self, cut: Cut) -> list[Cut | Junk]:
        """The caller found ``cut``'s CRC bad: report it and rescan everything after its ``##``.

        Later unverified cuts of this connection are void (the caller must drop them); the
        rescan returns them again if they were real.
        """
        try:
            index = self._pending.index(cut)
        except ValueError:
            return []
        later = self._pending[index:]
        self._pending = self._pending[:index]
        rest = b"".join(c.raw for c in later[1:])
        self.buf = cut.raw[1:] + rest + self.buf
        self._reported = len(cut.raw) - 1
        return [Junk(cut.raw, E.BAD_CRC, "CRC mismatch"), *self.feed(b"")]

    def _forget(self, cut: Cut) -> None:
        if cut in self._pending:
            self._pending.remove(cut)

    def _junk(self, out: list, begin: int, end: int, reason: str = E.GARBAGE) -> None:
        begin = max(begin, self._reported)
        if end <= begin:
            return
        raw = self.buf[begin:end]
        if raw.strip(WHITESPACE):
            out.append(Junk(raw, reason))

    def _try(self, start: int, verify: bool) -> tuple[Cut | Junk, int] | None:
        """The frame starting at ``start``: ``(item, next position)``, or None to wait."""
        buf = self.buf
        if len(buf) < start + 6:
            return None
        digits = buf[start + 2 : start + 6]
        if not digits.isdigit():
            self._reported = max(self._reported, start + 6)
            return Junk(buf[start : start + 6], E.BAD_HEADER), start + 1
        mark = buf.find(MARK, start + 6, start + 6 + min(int(digits), HEADER_SPAN))
        if mark >= 0:
            return self._try_encrypted(start, mark)
        seg_end = start + 6 + int(digits)
        end = seg_end + 4
        tail = buf[end : end + 2]
        if len(buf) < end or (tail != b"\r\n" and len(tail) == 2 and tail[:1] != b"#"):
            # Short, or the next bytes are not CRLF: maybe a character-counted length, maybe a
            # false start in garbage. Look for a CRLF-terminated frame instead.
            return self._try_by_crlf(start, waiting=len(buf) < end)
        if tail == b"\r\n":
            after = end + 2
        elif tail[:1] == b"\r":
            return None  # CRLF not complete yet
        else:
            after = end
        segment, crc = buf[start + 6 : seg_end], buf[seg_end:end]
        cut = Cut(buf[start:end], segment, crc, False)
        if not verify:
            return cut, after
        if _crc_matches(segment, crc):
            cut.verified = True
            return cut, after
        better = self._try_by_crlf(start, waiting=False)
        if better is not None and isinstance(better[0], Cut):
            return better
        self._reported = max(self._reported, end)
        return Junk(buf[start:after], E.BAD_CRC, "CRC mismatch"), start + 1

    def _try_encrypted(self, start: int, mark: int) -> tuple[Cut | Junk, int] | None:
        """``##LLLL…CP=&&{0x..,…}tail&&CCCC``: cut at the ``&&`` after the closing brace."""
        buf = self.buf
        close = buf.find(b"}", mark, start + MAX_FRAME)
        if close < 0:
            if len(buf) - start < MAX_FRAME and b"##" not in buf[mark:]:
                return None
            self._reported = max(self._reported, start + 6)
            return Junk(buf[start : start + 6], E.TRUNCATED, "encrypted frame cut short"), start + 1
        amp = buf.find(b"&&", close + 1, close + 1 + 16 + 2)
        if amp < 0:
            if len(buf) < close + 1 + 16 + 2:
                return None
            self._reported = max(self._reported, close + 1)
            return Junk(buf[start : close + 1], E.BAD_SEGMENT, "no && after the ciphertext"), (
                close + 1
            )
        end = amp + 6
        if len(buf) < end or (buf[end : end + 1] == b"\r" and len(buf) < end + 2):
            return None  # the CRC or the CRLF has not arrived yet
        after = end + 2 if buf[end : end + 2] == b"\r\n" else end
        raw = buf[start:end]
        wire, crc = buf[start + 6 : amp + 2], buf[amp + 2 : end]
        if self.opener is None:
            self._reported = max(self._reported, after)
            return Junk(raw, E.ENCRYPTED, "SM4 加密报文，需要密钥"), after
        try:
            plain, key = self.opener(wire, crc, int(buf[start + 2 : start + 6]))
        except FrameError as err:
            self._reported = max(self._reported, after)
            return Junk(raw, err.reason, err.detail), after
        return Cut(raw, plain, crc, True, True, key), after

    def _try_by_crlf(self, start: int, *, waiting: bool) -> tuple[Cut | Junk, int] | None:
        buf = self.buf
        length = int(buf[start + 2 : start + 6])
        stop = buf.find(b"\r\n", start + 6, start + MAX_FRAME)
        while stop >= 0:
            segment, crc = buf[start + 6 : stop - 4], buf[stop - 4 : stop]
            # Only a length counted in characters (UTF-8 text in the segment) may disagree with
            # the byte count. The CRC alone cannot vouch for a longer span: between bytes its
            # state is 8 bits, so a span that swallows a following frame passes 1 time in 256.
            if _char_length(segment) == length and _crc_matches(segment, crc):
                return Cut(buf[start:stop], segment, crc, True), stop + 2
            stop = buf.find(b"\r\n", stop + 2, start + MAX_FRAME)
        if waiting and not self._later_frame(start):
            return None
        self._reported = max(self._reported, start + 6)
        return Junk(buf[start : start + 6], E.TRUNCATED, "frame cut short"), start + 1

    def _later_frame(self, start: int) -> bool:
        """Is there a complete, good frame after ``start``? Then ``start`` was a false start."""
        buf = self.buf
        nxt = buf.find(b"##", start + 2)
        while nxt >= 0:
            digits = buf[nxt + 2 : nxt + 6]
            if len(digits) == 4 and digits.isdigit():
                end = nxt + 6 + int(digits)
                if end + 4 <= len(buf) and _crc_matches(buf[nxt + 6 : end], buf[end : end + 4]):
                    return True
            nxt = buf.find(b"##", nxt + 2)
        return False


def _char_length(segment: bytes) -> int:
    try:
        return len(segment.decode("utf-8"))
    except UnicodeDecodeError:
        return -1


def _crc_matches(segment: bytes, crc: bytes) -> bool:
    if len(crc) != 4:
        return False
    try:
        return int(crc, 16) == crc16(segment)
    except ValueError:
        return False
