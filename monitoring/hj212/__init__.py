"""HJ 212 (2005, 2017, 2025) protocol code. Pure Python: no Django, no I/O.

- ``crc``: the HJ 212 CRC16 (not Modbus), single and batched;
- ``frame``: parse a frame by key, build frames and the host's replies;
- ``stream``: cut frames from a TCP byte stream, resynchronising after garbage;
- ``reassembly``: merge split packets (PNUM/PNO);
- ``profiles``: per-device tolerance (lower-case CRC, 2005 codes, unit scale, vendor aliases).
"""

from monitoring.hj212.crc import crc16, crc16_many
from monitoring.hj212.errors import FrameError
from monitoring.hj212.frame import (
    Frame,
    data_ack,
    execution_result,
    notify_ack,
    parse_frame,
    request_response,
    wrap,
)
from monitoring.hj212.profiles import STRICT, TOLERANT, Profile, get_profile
from monitoring.hj212.reassembly import Reassembler, Upload
from monitoring.hj212.stream import Cut, Junk, StreamDecoder

__all__ = [
    "STRICT",
    "TOLERANT",
    "Cut",
    "Frame",
    "FrameError",
    "Junk",
    "Profile",
    "Reassembler",
    "StreamDecoder",
    "Upload",
    "crc16",
    "crc16_many",
    "data_ack",
    "execution_result",
    "get_profile",
    "notify_ack",
    "parse_frame",
    "request_response",
    "wrap",
]
