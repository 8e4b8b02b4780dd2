"""HJ 212-2025 encryption of the data area: SM4, ECB mode, no padding (§6.4, Appendix A.2).

What the 2025 text prescribes (quoted page by page in ``Daidai52640/cems-data-pipeline``; the
research note §1 and §4.4):

- over the Internet the CP content of CN 2000–2999, 1014 and 3020 "应" be encrypted;
- SM4 with a 16-byte key, ECB, NoPadding, over the characters between ``CP=&&`` and ``&&``;
- the content is cut into 16-character blocks; a tail shorter than a block stays **plain**;
- each encrypted byte is written as ``0xHH``, the whole ciphertext in braces:
  ``CP=&&{0xE4,0x3E,…,0x41}g=N&&`` (``g=N`` being the plain tail);
- "先完成 CRC 校验并组包，再对数据段加密": the frame (length field and CRC) is built over the
  plaintext and only then is CP encrypted. So the CRC must be checked after decryption, and the
  length field declares the *plaintext* segment (the official examples: ``##0295`` for a
  segment that is 1,128 characters on the wire). Some implementations declare the length on the
  wire instead; receivers accept both and cut encrypted frames by their structure.

Pure Python over ``cryptography``'s SM4 (OpenSSL); no Django, no I/O.
"""

from __future__ import annotations

import re
from binascii import unhexlify
from collections.abc import Iterable, Sequence
from functools import lru_cache

from monitoring.hj212 import errors as E
from monitoring.hj212.crc import crc16
from monitoring.hj212.errors import FrameError

BLOCK = 16
KEY_BYTES = 16
# CN whose CP content the 2025 edition encrypts (data 2000–2999, 1014 new key, 3020 site info).
EXTRA_ENCRYPTED_CNS = frozenset({"1014", "3020"})
MARK = b"CP=&&{0"  # then x or X
_HEX = re.compile(rb"\s*0[xX]([0-9A-Fa-f]{2})\s*")
# the usual ciphertext, written exactly as the standard does: one regex check, then fromhex
_TIDY = re.compile(rb"0[xX][0-9A-Fa-f]{2}(?:,0[xX][0-9A-Fa-f]{2})*")


def cn_is_encrypted(cn: str) -> bool:
    """Does the 2025 edition encrypt this command's CP content?"""
    return (
        len(cn) == 4 and cn.isascii() and cn.isdigit() and "2000" <= cn <= "2999"
    ) or cn in EXTRA_ENCRYPTED_CNS


def parse_key(text: str) -> bytes:
    """A key as operators write it: 32 hex digits, or 16 characters taken as their bytes
    (the standard's example key is sixteen ``0x30``, i.e. the text ``0000000000000000``)."""
    text = text.strip()
    if len(text) == 2 * KEY_BYTES and all(c in "0123456789abcdefABCDEF" for c in text):
        return bytes.fromhex(text)
    data = text.encode("utf-8")
    if len(data) == KEY_BYTES and text.isprintable():
        return data
    raise ValueError("SM4 密钥应为 32 位十六进制数或 16 个字符")


@lru_cache(maxsize=4096)
def _cipher(key: bytes):
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if len(key) != KEY_BYTES:
        raise ValueError("an SM4 key has 16 bytes")
    return Cipher(algorithms.SM4(key), modes.ECB())


def encrypt_blocks(data: bytes, key: bytes) -> bytes:
    """SM4-ECB over whole blocks (``len(data)`` a multiple of 16)."""
    enc = _cipher(key).encryptor()
    return enc.update(data) + enc.finalize()


def decrypt_blocks(data: bytes, key: bytes) -> bytes:
    dec = _cipher(key).decryptor()
    return dec.update(data) + dec.finalize()


# --- the data area ---------------------------------------------------------------------------


def encrypt_cp(plain: bytes, key: bytes) -> bytes:
    """CP content → its wire form: ``{0x..,…}`` for the whole blocks, then the plain tail.

    Content shorter than one block has no whole block and goes out unchanged.
    """
    whole = len(plain) - len(plain) % BLOCK
    if not whole:
        return plain
    cipher = encrypt_blocks(plain[:whole], key)
    notation = b"0x" + cipher.hex(",").upper().replace(",", ",0x").encode("ascii")
    return b"{" + notation + b"}" + plain[whole:]


def is_encrypted_cp(wire: bytes) -> bool:
    return wire[:3] in (b"{0x", b"{0X")


def split_wire_cp(wire: bytes) -> tuple[bytes, bytes]:
    """``{0x..,…}tail`` → (ciphertext bytes, plain tail); ``FrameError`` if malformed."""
    close = wire.find(b"}")
    if not wire.startswith(b"{") or close < 0:
        raise FrameError(E.BAD_SEGMENT, "加密数据区缺少 {…}")
    inner = wire[1:close]
    if _TIDY.fullmatch(inner):
        out = bytearray(unhexlify(inner.replace(b"0x", b"").replace(b"0X", b"").replace(b",", b"")))
        items = ()
    else:  # spaces around items, or something that is not 0xHH: item by item, precise error
        items = inner.split(b",")
        out = bytearray()
    for item in items:
        found = _HEX.fullmatch(item)
        if found is None:
            raise FrameError(E.BAD_SEGMENT, f"加密数据区含非 0xHH 项：{item[:12]!r}")
        out.append(int(found.group(1), 16))
    tail = wire[close + 1 :]
    if len(out) % BLOCK:
        raise FrameError(E.BAD_SEGMENT, f"密文 {len(out)} 字节，不是 16 字节的整数倍")
    if len(tail) >= BLOCK:
        raise FrameError(E.BAD_SEGMENT, f"明文尾部 {len(tail)} 字节，应不足 16 字节")
    return bytes(out), tail


def decrypt_cp(wire: bytes, key: bytes) -> bytes:
    """Wire form of a CP content → plaintext (content without ``{`` is returned as is)."""
    if not is_encrypted_cp(wire):
        return wire
    cipher, tail = split_wire_cp(wire)
    return decrypt_blocks(cipher, key) + tail


# --- whole segments and frames ---------------------------------------------------------------


def _cp_bounds(segment: bytes) -> tuple[int, int]:
    start = segment.find(b"CP=&&")
    end = segment.rfind(b"&&")
    if start < 0 or end < start + 5:
        raise FrameError(E.BAD_SEGMENT, "no CP=&&…&& data area")
    return start + 5, end


def encrypt_segment(segment: bytes, key: bytes) -> bytes:
    """A plaintext data segment with its CP content encrypted."""
    begin, end = _cp_bounds(segment)
    return segment[:begin] + encrypt_cp(segment[begin:end], key) + segment[end:]


def decrypt_segment(segment: bytes, key: bytes) -> bytes:
    begin, end = _cp_bounds(segment)
    return segment[:begin] + decrypt_cp(segment[begin:end], key) + segment[end:]


def is_encrypted_segment(segment: bytes) -> bool:
    return MARK in segment[:400]


def seal(plain_segment: bytes | str, key: bytes, *, declare: str = "plain") -> bytes:
    """A complete encrypted frame, built the standard's way: the CRC over the plaintext
    segment, the CP encrypted afterwards. ``declare`` says what the length field counts:
    ``plain`` (the official examples) or ``wire`` (the characters actually sent)."""
    if isinstance(plain_segment, str):
        plain_segment = plain_segment.encode("utf-8")
    wire = encrypt_segment(plain_segment, key)
    length = len(plain_segment) if declare == "plain" else len(wire)
    if length > 9999:
        raise FrameError(E.BAD_LENGTH, f"segment of {length} bytes cannot be framed")
    return b"##%04d%s%04X\r\n" % (length, wire, crc16(plain_segment))


def open_segment(
    wire: bytes, crc_text: bytes, keys: Sequence[bytes], *, declared: int | None = None
) -> tuple[bytes, int]:
    """Decrypt an encrypted segment with the first of ``keys`` whose plaintext has the
    frame's CRC: ``(plain segment, index of the key)``.

    Raises ``FrameError``: ``sm4_no_key`` (no key to try), ``sm4_failed`` (no key gives a
    plaintext with this CRC: a wrong key, or a corrupted frame), ``bad_length`` when the
    declared length is neither the plaintext's nor the wire's.
    """
    if not keys:
        raise FrameError(E.SM4_NO_KEY, "加密报文，未登记可用密钥")
    try:
        sent = int(crc_text, 16)
    except ValueError:
        raise FrameError(E.BAD_CRC, "CRC is not four hex digits") from None
    begin, end = _cp_bounds(wire)
    if not is_encrypted_cp(wire[begin:end]):  # a CP under one block goes out plain
        if crc16(wire) != sent:
            raise FrameError(E.BAD_CRC, f"expected {crc16(wire):04X}, got {crc_text.decode()}")
        return wire, 0
    cipher, tail = split_wire_cp(wire[begin:end])
    head, rear = wire[:begin], wire[end:]
    for index, key in enumerate(keys):
        opened = decrypt_blocks(cipher, key)
        plain = head + opened + tail + rear
        if crc16(plain) == sent and _is_text(opened):
            if declared is not None and declared not in (len(plain), len(wire)):
                raise FrameError(
                    E.BAD_LENGTH,
                    f"length field says {declared}: plaintext {len(plain)}, wire {len(wire)}",
                )
            return plain, index
    raise FrameError(E.SM4_FAILED, f"{len(keys)} 个有效密钥均不能解密出校验一致的报文")


def _is_text(data: bytes) -> bool:
    """A data area is text: UTF-8 without control characters. A wrong key gives random bytes,
    and one wrong key in 65,536 gives bytes with the frame's CRC; those are not text (the
    chance that 16 random bytes are is below one in a million)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def frame_parts(raw: bytes) -> tuple[int, bytes, bytes]:
    """(declared length, wire segment, CRC text) of one encrypted frame, cut by structure."""
    raw = raw.strip(b" \t\r\n")
    if raw[:2] != b"##" or not raw[2:6].isdigit():
        raise FrameError(E.BAD_HEADER, "frame does not start with ## and four digits")
    mark = raw.find(MARK, 6)
    close = raw.find(b"}", mark) if mark >= 0 else -1
    amp = raw.find(b"&&", close + 1) if close >= 0 else -1
    if amp < 0:
        raise FrameError(E.TRUNCATED, "encrypted frame cut short")
    return int(raw[2:6]), raw[6 : amp + 2], raw[amp + 2 : amp + 6]


def open_frame(raw: bytes, keys: Iterable[bytes]) -> tuple[bytes, int]:
    """(plain segment, key index) of one complete encrypted frame; see ``open_segment``."""
    declared, wire, crc = frame_parts(raw)
    if len(crc) != 4:
        raise FrameError(E.TRUNCATED, "no CRC after the data segment")
    return open_segment(wire, crc, list(keys), declared=declared)
