"""HJ 212-2025 in the pure codec: SM4 of the data area (official Appendix A.2 examples, checked
against an independent SM4), cutting encrypted frames from a stream, RF=1, the 1024-character
split rule and the host's requests."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.hj212 import Cut, FrameError, Junk, StreamDecoder, parse_frame, sm4
from monitoring.hj212 import commands as C
from monitoring.hj212.crc import crc16
from monitoring.hj212.frame import build_segment, data_cp, upload_segments, wrap

TESTDATA = Path(__file__).resolve().parents[2] / "testdata" / "hj212"
# HJ 212-2025 Appendix A.2 (PDF pp. 32–33) as quoted in Daidai52640/cems-data-pipeline
# tests/protocol/hj212/test_vectors.json: A2-1/A2-3 sent in plaintext, A2-2/A2-4 the same
# segments encrypted with "密钥使用16个0x30". A2-4 has a 3-character plain tail ("g=N").
OFFICIAL = dict(line.split(" ", 1) for line in (TESTDATA / "sm4_a2.txt").read_text().splitlines())
KEY = bytes([0x30]) * 16
OTHER = bytes(range(16))


def segment_of(frame: str) -> bytes:
    return frame[6:-4].encode()


# --- the official examples -------------------------------------------------------------------


@pytest.mark.parametrize(("plain", "sealed"), [("A2-1", "A2-2"), ("A2-3", "A2-4")])
def test_official_examples_are_reproduced_byte_for_byte(plain, sealed):
    assert sm4.seal(segment_of(OFFICIAL[plain]), KEY).rstrip(b"\r\n") == OFFICIAL[sealed].encode()


@pytest.mark.parametrize(("plain", "sealed"), [("A2-1", "A2-2"), ("A2-3", "A2-4")])
def test_official_encrypted_frames_decrypt_to_the_plaintext_frames(plain, sealed):
    frame = parse_frame(OFFICIAL[sealed], keys=[OTHER, KEY])
    reference = parse_frame(OFFICIAL[plain])
    assert frame.encrypted and not reference.encrypted
    assert (frame.values, frame.data_time, frame.qn) == (
        reference.values,
        reference.data_time,
        reference.qn,
    )


def test_the_declared_length_counts_the_plaintext_segment_not_the_wire():
    """The standard builds the frame (length and CRC) before encrypting: ##0295 on the wire is
    followed by 1,128 characters of data segment, and the CRC (2200) is the plaintext's."""
    sealed = OFFICIAL["A2-2"]
    declared, wire, crc = sm4.frame_parts(sealed.encode())
    plain = segment_of(OFFICIAL["A2-1"])
    assert declared == len(plain) == 295
    assert len(wire) == 1128
    assert crc == b"2200" == b"%04X" % crc16(plain)
    assert crc16(wire) != 0x2200  # the CRC cannot be checked before decrypting
    # a frame whose length field counts the wire instead is accepted too
    assert parse_frame(sm4.seal(plain, KEY, declare="wire"), keys=[KEY]).values
    wrong = b"##0300" + sealed.encode()[6:]
    with pytest.raises(FrameError) as err:
        parse_frame(wrong, keys=[KEY])
    assert err.value.reason == "bad_length"


def test_a_tail_shorter_than_a_block_stays_plain():
    plain = segment_of(OFFICIAL["A2-3"])
    wire = sm4.encrypt_segment(plain, KEY)
    cp = plain[plain.find(b"CP=&&") + 5 : -2]
    assert len(cp) % 16 == 3
    assert wire.endswith(b"}" + cp[-3:] + b"&&") and cp[-3:] == b"g=N"
    short = b"QN=1;ST=91;CN=9014;PW=1;MN=M;Flag=8;CP=&&DataTime=1&&"  # CP under one block
    assert sm4.encrypt_segment(short, KEY) == short


# --- an independent SM4 ----------------------------------------------------------------------


def test_sm4_matches_the_gbt32907_vector_and_gmssl():
    from gmssl.sm4 import SM4_ENCRYPT, CryptSM4

    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4.encrypt_blocks(key, key).hex() == "681edf34d206965e86b3e94f536e4246"
    gm = CryptSM4()
    gm.set_key(KEY, SM4_ENCRYPT)
    block = segment_of(OFFICIAL["A2-1"])[:64]
    # gmssl's crypt_ecb always pads (PKCS#7): its first len(block) bytes are the ECB output
    assert gm.crypt_ecb(block)[:64] == sm4.encrypt_blocks(block, KEY)


@settings(max_examples=60, deadline=None)
@given(
    st.binary(min_size=16, max_size=16),
    st.integers(1, 8).flatmap(lambda n: st.binary(min_size=16 * n, max_size=16 * n)),
)
def test_cryptography_and_gmssl_agree_on_random_keys_and_blocks(key, data):
    from gmssl.sm4 import SM4_DECRYPT, SM4_ENCRYPT, CryptSM4

    gm = CryptSM4()
    gm.set_key(key, SM4_ENCRYPT)
    ours = sm4.encrypt_blocks(data, key)
    assert gm.crypt_ecb(data)[: len(data)] == ours
    back = CryptSM4()
    back.set_key(key, SM4_DECRYPT)
    padded = gm.crypt_ecb(data)  # gmssl decrypts its own padded form
    assert back.crypt_ecb(padded) == data == sm4.decrypt_blocks(ours, key)


@settings(max_examples=80, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="&"),
        max_size=300,
    ).filter(lambda t: not t.startswith("{0"))
)
def test_any_data_area_round_trips(text):
    segment = f"QN=20260101000000000;ST=39;CN=2011;PW=123456;MN=M1;Flag=9;CP=&&{text}&&".encode()
    wire = sm4.encrypt_segment(segment, KEY)
    assert sm4.decrypt_segment(wire, KEY) == segment
    plain, index = sm4.open_segment(wire, b"%04X" % crc16(segment), [OTHER, KEY])
    assert plain == segment
    assert index == (1 if len(text) >= 16 else 0)  # under one block nothing is encrypted


# --- wrong keys, malformed ciphertext --------------------------------------------------------


def test_a_wrong_key_or_no_key_is_a_clear_refusal():
    sealed = OFFICIAL["A2-4"]
    with pytest.raises(FrameError) as err:
        parse_frame(sealed, keys=[OTHER])
    assert err.value.reason == "sm4_failed"
    with pytest.raises(FrameError) as err:
        parse_frame(sealed)
    assert err.value.reason == "encrypted"


@pytest.mark.parametrize(
    "damage",
    [
        lambda s: s.replace("0xE4,", "0xZZ,", 1),  # not hex
        lambda s: s.replace("0xE4,", "", 1),  # 143 bytes: not whole blocks
        lambda s: s.replace("}g=N", "}g=Nabcdefghijklmnopq"),  # a tail of a block or more
        lambda s: s.replace("}", "", 1),  # no closing brace
        lambda s: s[:-30],  # cut short
    ],
)
def test_damaged_ciphertext_is_refused_never_crashes(damage):
    with pytest.raises(FrameError):
        parse_frame(damage(OFFICIAL["A2-4"]), keys=[KEY])


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 1200))
def test_random_damage_gives_frame_errors_only(noise, at):
    sealed = OFFICIAL["A2-2"].encode()
    at = min(at, len(sealed))
    try:
        parse_frame(sealed[:at] + noise + sealed[at:], keys=[KEY])
    except FrameError:
        pass


# --- the stream ------------------------------------------------------------------------------


def opener(keys):
    def open_(wire, crc, declared):
        plain, index = sm4.open_segment(wire, crc, keys, declared=declared)
        return plain, index

    return open_


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 97), min_size=1, max_size=40))
def test_encrypted_frames_are_cut_across_any_reads_between_plain_ones(sizes):
    plain = (OFFICIAL["A2-3"] + "\r\n").encode()
    sealed = sm4.seal(segment_of(OFFICIAL["A2-1"]), KEY)
    stream = plain + sealed + b"garbage" + sealed + plain
    decoder = StreamDecoder(opener=opener([OTHER, KEY]))
    out, pos, k = [], 0, 0
    while pos < len(stream):
        size = sizes[k % len(sizes)]
        out += decoder.feed(stream[pos : pos + size])
        pos, k = pos + size, k + 1
    cuts = [item for item in out if isinstance(item, Cut)]
    assert [c.encrypted for c in cuts] == [False, True, True, False]
    assert {c.segment for c in cuts if c.encrypted} == {segment_of(OFFICIAL["A2-1"])}
    assert [c.key for c in cuts if c.encrypted] == [1, 1]
    junk = [j for j in out if isinstance(j, Junk)]
    assert {j.reason for j in junk} == {"garbage"}
    assert b"".join(j.raw for j in junk).strip() == b"garbage"


def test_an_encrypted_frame_with_a_wrong_key_is_junk_and_the_next_frame_survives():
    sealed = sm4.seal(segment_of(OFFICIAL["A2-1"]), KEY)
    decoder = StreamDecoder(opener=opener([OTHER]))
    out = decoder.feed(sealed + (OFFICIAL["A2-3"] + "\r\n").encode())
    assert isinstance(out[0], Junk) and out[0].reason == "sm4_failed"
    assert out[0].raw == sealed.rstrip(b"\r\n")
    assert isinstance(out[1], Cut) and not out[1].encrypted
    assert [i.reason for i in StreamDecoder().feed(sealed)] == ["encrypted"]


# --- RF, the 1024-character rule, edition bits -----------------------------------------------


def test_rf_1_marks_a_back_fill_and_nothing_else_does():
    cp = data_cp("20260101100000", {"a34001": {"Rtd": 80.0, "Flag": "N"}})
    back = parse_frame(wrap(build_segment(cn="2011", mn="M1", qn="1", flag=9, rf=True, cp=cp)))
    assert back.rf and b";RF=1;CP=" in back.raw
    assert not parse_frame(wrap(build_segment(cn="2011", mn="M1", qn="1", flag=9, cp=cp))).rf
    other = build_segment(cn="2011", mn="M1", qn="1", flag=9, cp=cp).replace("CP=", "RF=0;CP=")
    assert not parse_frame(wrap(other)).rf  # "非补传时，无本字段": RF=0 is not a back-fill


def test_a_data_segment_over_1024_characters_is_split_with_sequence_numbers():
    items = [
        f"a{n:05d}-Min=1.25,a{n:05d}-Avg=1.5,a{n:05d}-Max=1.75,a{n:05d}-Flag=N" for n in range(40)
    ]
    segments = upload_segments(
        cn="2051", mn="M" * 24, qn="20260101100000998", data_time="20260101100000", items=items
    )
    assert len(segments) >= 3
    frames = [parse_frame(wrap(s)) for s in segments]
    assert all(len(s.encode()) <= 1024 for s in segments)
    assert [f.pno for f in frames] == list(range(1, len(frames) + 1))
    assert {f.pnum for f in frames} == {len(frames)} and all(f.flag == 11 for f in frames)
    assert [f.qn for f in frames][:3] == [
        "20260101100000998",
        "20260101100000999",
        "20260101100001000",
    ]
    assert all(f.data_time == "20260101100000" for f in frames)
    merged = {code for f in frames for code in f.values}
    assert len(merged) == 40
    short = upload_segments(cn="2051", mn="M1", qn="1", data_time="20260101100000", items=items[:2])
    assert len(short) == 1 and parse_frame(wrap(short[0])).pnum is None
    with pytest.raises(FrameError):
        upload_segments(cn="2051", mn="M1", qn="1", data_time="20260101100000", items=["x" * 1100])


def test_requests_carry_the_device_edition_and_ask_for_an_answer():
    seg = C.request("1012", mn="M1", pw="123456", qn="20260101100000000", version_bits=2, cp="X=1")
    frame = parse_frame(wrap(seg))
    assert frame.flag == 9 and frame.version == "2025" and frame.needs_ack
    assert parse_frame(wrap(C.request("1011", mn="M1", pw="1", qn="1", version_bits=1))).flag == 5
    with pytest.raises(ValueError):
        C.rtd_interval_cp(10)
    with pytest.raises(ValueError):
        C.min_interval_cp(7)
    assert C.min_interval_cp(5) == "MinInterval=5"


# --- the command line ------------------------------------------------------------------------


def run_parse(monkeypatch, capsys, text: str, *args: str) -> list[dict]:
    from django.core.management import call_command

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    call_command("hj212", "parse", *args)
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_parse_command_decrypts_with_the_key_given(monkeypatch, capsys):
    lines = "\n".join([OFFICIAL["A2-4"], OFFICIAL["A2-2"], OFFICIAL["A2-3"]]) + "\n"
    out = run_parse(monkeypatch, capsys, lines, "--sm4-key", "30" * 16)
    assert [o["ok"] for o in out] == [True, True, True]
    assert out[0]["values"] == out[2]["values"]
    plain = run_parse(monkeypatch, capsys, OFFICIAL["A2-3"] + "\n")
    assert set(out[0]) == set(plain[0])  # the same contract, encrypted or not
    wrong = run_parse(monkeypatch, capsys, lines, "--sm4-key", "31" * 16, "--sm4-key", "0" * 32)
    assert [o.get("error") for o in wrong] == ["sm4_failed", "sm4_failed", None]
    none = run_parse(monkeypatch, capsys, lines)
    assert [o.get("error") for o in none] == ["encrypted", "encrypted", None]
    with pytest.raises(CommandError, match="SM4"):
        run_parse(monkeypatch, capsys, "", "--sm4-key", "xyz")


def test_a_wrong_key_whose_plaintext_happens_to_match_the_crc_is_not_taken():
    """CRC-16 has 65,536 values: one wrong key in as many turns a frame into bytes with the
    sent CRC (hypothesis found one). Such bytes are not text; the right key, tried next, wins."""
    import hashlib

    segment = b"QN=20260101000000000;ST=39;CN=2011;PW=123456;MN=M1;Flag=9;CP=&&" + (
        b"DataTime=20260101000000;a34001-Rtd=52.1,a34001-Flag=N&&"
    )
    wire = sm4.encrypt_segment(segment, KEY)
    sent = crc16(segment)
    begin, end = sm4._cp_bounds(wire)
    cipher, tail = sm4.split_wire_cp(wire[begin:end])
    head, rear = wire[:begin], wire[end:]
    for n in range(1_000_000):
        wrong = hashlib.sha256(n.to_bytes(4, "big")).digest()[:16]
        if crc16(head + sm4.decrypt_blocks(cipher, wrong) + tail + rear) == sent:
            break
    else:  # pragma: no cover - a million tries always meet a collision
        pytest.fail("no CRC collision found")
    plain, index = sm4.open_segment(wire, b"%04X" % sent, [wrong, KEY])
    assert (plain, index) == (segment, 1)
    with pytest.raises(FrameError) as refused:
        sm4.open_segment(wire, b"%04X" % sent, [wrong])
    assert refused.value.reason == "sm4_failed"
