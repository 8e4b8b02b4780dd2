"""Why a frame was refused. ``reason`` is a short stable code; ``detail`` says more."""

from __future__ import annotations


class FrameError(ValueError):
    """A frame (or a stretch of bytes) that is not a usable HJ 212 message."""

    def __init__(self, reason: str, detail: str = "", raw: bytes = b"") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.raw = raw


# Reasons, in the order a frame is checked.
BAD_HEADER = "bad_header"  # no "##" + four digits
BAD_LENGTH = "bad_length"  # length field disagrees with the data segment
TRUNCATED = "truncated"  # the bytes end before the frame does
BAD_CRC = "bad_crc"
BAD_CRC_CASE = "bad_crc_case"  # lower-case CRC from a device in strict mode
BAD_ENCODING = "bad_encoding"
BAD_SEGMENT = "bad_segment"  # the data segment is not key=value;… with a CP=&&…&&
MISSING_FIELD = "missing_field"
BAD_FIELD = "bad_field"
GARBAGE = "garbage"  # bytes between frames
ENCRYPTED = (
    "encrypted"  # an SM4-encrypted frame and no key to open it with (parse without --sm4-key)
)
SM4_NO_KEY = "sm4_no_key"  # an encrypted frame from a device with no valid key registered
SM4_FAILED = "sm4_failed"  # no valid key decrypts it to a plaintext with the frame's CRC
