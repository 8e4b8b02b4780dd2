"""The pure HJ 212 codec: CRC, framing, parsing by key, replies, stream cutting, reassembly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.hj212 import (
    STRICT,
    Cut,
    FrameError,
    Junk,
    Reassembler,
    StreamDecoder,
    crc16,
    crc16_many,
    data_ack,
    execution_result,
    get_profile,
    notify_ack,
    parse_frame,
    request_response,
    wrap,
)
from monitoring.hj212.crc import crc16_bitwise
from monitoring.hj212.frame import build_segment, data_cp

VECTORS = Path(__file__).resolve().parents[2] / "testdata" / "hj212" / "vectors.txt"


def vectors() -> dict[str, str]:
    out = {}
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        name, frame = line.split(" ", 1)
        out[name] = frame
    return out


def dust_frame(mn="010000A8900016F000169DC0", data_time="20240601120000", tsp=75.6, **kw) -> bytes:
    cp = data_cp(data_time, {"a34001": {"Rtd": tsp, "Flag": "N"}, "a34002": {"Rtd": 40.0}})
    return wrap(build_segment(cn="2011", mn=mn, qn="20240601120000001", cp=cp, **kw))


# --- CRC -------------------------------------------------------------------------------------


def test_crc_check_values_are_hj212_not_modbus():
    assert crc16(b"123456789") == 0x2F80  # Modbus would give 0x4B37
    assert crc16(b"") == 0xFFFF
    assert crc16(b"\x00") == 0x4040


@given(st.lists(st.binary(max_size=300), max_size=40))
def test_table_and_batch_crc_agree_with_the_appendix_algorithm(segments):
    expected = [crc16_bitwise(s) for s in segments]
    assert [crc16(s) for s in segments] == expected
    assert crc16_many(segments) == expected


# --- public vectors (research/hj212.md §2.4) -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "version", "cn"),
    [
        ("V1", "2017", "1062"),
        ("V2", "2025", "1011"),
        ("V3", "2025", "2051"),
        ("V7", "2005", "2011"),
    ],
)
def test_public_vectors_pass_the_crc(name, version, cn):
    frame = parse_frame(vectors()[name])
    assert (frame.version, frame.cn) == (version, cn)


def test_vector_v3_values_by_key():
    frame = parse_frame(vectors()["V3"])
    assert frame.data_time == "20240520210600"
    assert frame.values["a01014"] == {"Min": 3.2, "Avg": 3.211, "Max": 3.212, "Flag": "N"}
    assert frame.needs_ack and frame.flag == 9


def test_modbus_vector_is_refused_with_the_hj212_crc():
    with pytest.raises(FrameError) as err:
        parse_frame(vectors()["N1"])
    assert err.value.reason == "bad_crc"
    assert "A441" in err.value.detail


def test_2005_vector_lower_case_crc_is_refused_in_strict_mode():
    v7 = vectors()["V7"]
    assert parse_frame(v7).flag is None
    with pytest.raises(FrameError) as err:
        parse_frame(v7, STRICT)
    assert err.value.reason == "bad_crc_case"


# --- parsing ---------------------------------------------------------------------------------


def test_fields_are_read_by_key_in_any_order():
    seg = (
        "CN=2011;ST=22;QN=20240601120000001;MN=ABC123;PW=123456;Flag=5;"
        "CP=&&DataTime=20240601120000;a34001-Rtd=80&&"
    )
    frame = parse_frame(wrap(seg))
    assert (frame.qn, frame.mn, frame.flag, frame.values["a34001"]["Rtd"]) == (
        "20240601120000001",
        "ABC123",
        5,
        80.0,
    )


def test_split_flag_and_device_status_fields():
    cp = "DataTime=20240601120000;SB1-RS=1;a34001-ZsRtd=1.5,a34001-SampleTime=20240601115900"
    frame = parse_frame(wrap(build_segment(cn="2021", mn="M1", flag=7, pnum=2, pno=1, cp=cp)))
    assert frame.is_split and frame.needs_ack and (frame.pnum, frame.pno) == (2, 1)
    assert frame.values["SB1"] == {"RS": 1.0}
    assert frame.values["a34001"] == {"ZsRtd": 1.5, "SampleTime": "20240601115900"}


def test_datatime_with_milliseconds_is_tolerated():
    cp = "DataTime=20160824003817000;a34001-Rtd=1"
    assert parse_frame(wrap(build_segment(cn="2011", mn="M", cp=cp))).data_time == "20160824003817"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"#0101QN=1", "bad_header"),
        (b"##01x1QN=1", "bad_header"),
        (b"##0200QN=1;CN=2011;CP=&&&&1C80", "truncated"),
        (b"##0005QN=1;CN=2011;MN=1;CP=&&&&1C80", "bad_length"),
        (wrap("QN=1;ST=22;PW=1;CP=&&&&"), "missing_field"),
        (wrap("QN=1;ST=22;CN=2011;MN=1;CP=&&a34001-Rtd=abc&&"), "bad_field"),
        (wrap("QN=1;ST=22;CN=2011;MN=1;Flag=300;CP=&&&&"), "bad_field"),
        (wrap("QN=1;ST=22;CN=2011;MN=1"), "bad_segment"),
        (wrap("QN=1;CN=2011;MN=1;CP=&&DataTime=20241341000000&&"), "bad_field"),
    ],
)
def test_bad_frames_give_a_clear_reason(raw, reason):
    with pytest.raises(FrameError) as err:
        parse_frame(raw)
    assert err.value.reason == reason


def test_character_counted_length_is_tolerated_unless_strict():
    seg = (
        "QN=20240601120000001;ST=22;CN=3020;PW=123456;MN=M1;Flag=4;"
        "CP=&&PolId=a34001;i13011-Info=西安工地&&"
    )
    data = seg.encode()
    frame = b"##%04d%s%04X\r\n" % (len(seg), data, crc16(data))  # characters, not bytes
    assert parse_frame(frame).extra["PolId"] == "a34001"
    with pytest.raises(FrameError) as err:
        parse_frame(frame, STRICT)
    assert err.value.reason == "bad_length"


def test_profiles_map_vendor_codes_and_scale_units():
    cp = "DataTime=20240601120000;TSP-Rtd=75600.0,TSP-Flag=N;CONC-Rtd=1.2"
    raw = wrap(build_segment(cn="2011", mn="M", cp=cp))
    assert parse_frame(raw, get_profile("dust-ng")).values["a34001"]["Rtd"] == pytest.approx(75.6)
    assert parse_frame(raw, get_profile("fume")).values["fume"] == {"Rtd": 1.2}
    assert parse_frame(raw).values["TSP"]["Rtd"] == 75600.0


def test_strict_mode_needs_qn_and_flag():
    raw = wrap("ST=22;CN=2011;PW=1;MN=M;CP=&&DataTime=20240601120000&&")
    assert parse_frame(raw).qn is None
    with pytest.raises(FrameError) as err:
        parse_frame(raw, STRICT)
    assert err.value.reason == "missing_field"


# --- replies ---------------------------------------------------------------------------------


def test_replies_echo_qn_and_carry_the_version():
    upload = parse_frame(dust_frame())
    ack = parse_frame(data_ack(upload))
    assert (ack.cn, ack.st, ack.qn, ack.mn, ack.flag) == ("9014", "91", upload.qn, upload.mn, 4)
    assert parse_frame(notify_ack(upload)).cn == "9013"
    assert parse_frame(request_response(upload, 3)).extra == {"QnRtn": "3"}
    assert parse_frame(execution_result(upload, 1)).extra == {"ExeRtn": "1"}
    v2025 = parse_frame(vectors()["V2"])
    assert parse_frame(data_ack(v2025)).flag == 8
    assert data_ack(upload).endswith(b"\r\n")


# --- stream ----------------------------------------------------------------------------------


def frames_of(items) -> list[bytes]:
    return [i.raw for i in items if isinstance(i, Cut)]


def test_stream_reassembles_frames_split_at_every_byte():
    frames = [dust_frame(data_time=f"2024060112{m:02d}00") for m in range(3)]
    stream = b"".join(frames)
    decoder = StreamDecoder()
    got = []
    for i in range(len(stream)):
        got += frames_of(decoder.feed(stream[i : i + 1]))
    assert got == [f.rstrip(b"\r\n") for f in frames]


def test_stream_resyncs_after_garbage_and_reports_it():
    good = dust_frame()
    items = StreamDecoder().feed(b"\x00\xffnoise##12ab##9999" + good + b"tail")
    assert frames_of(items) == [good.rstrip(b"\r\n")]
    assert any(isinstance(i, Junk) for i in items)


def test_bad_crc_frame_is_reported_and_does_not_swallow_the_next():
    good = dust_frame()
    bad = bytearray(dust_frame(tsp=99.0))
    bad[-3] = ord("0") if bad[-3] != ord("0") else ord("1")
    items = StreamDecoder().feed(bytes(bad) + good)
    assert frames_of(items) == [good.rstrip(b"\r\n")]
    assert [i.reason for i in items if isinstance(i, Junk)] == ["bad_crc"]


def test_batched_verification_rejects_and_rescans():
    good = dust_frame()
    bad = b"##0010" + b"0123456789" + b"ABCD\r\n"
    decoder = StreamDecoder()
    cuts = decoder.feed(bad + good, verify=False)
    assert [c.verified for c in cuts if isinstance(c, Cut)] == [False, False]
    first = cuts[0]
    assert crc16(first.segment) != int(first.crc, 16)
    again = decoder.reject(first)
    assert [i.reason for i in again if isinstance(i, Junk)] == ["bad_crc"]
    assert frames_of(again) == [good.rstrip(b"\r\n")]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.binary(max_size=100), st.lists(st.integers(1, 64), max_size=20))
def test_fuzz_garbage_never_loses_a_good_frame(before, after, chunks):
    """Any bytes around a good frame: the frame comes out, and nothing raises."""
    good = dust_frame()
    stream = before + good + after
    decoder = StreamDecoder()
    items, pos = [], 0
    for size in chunks or [len(stream)]:
        items += decoder.feed(stream[pos : pos + size])
        pos += size
    items += decoder.feed(stream[pos:])
    items += decoder.flush()
    assert good.rstrip(b"\r\n") in frames_of(items)
    for item in items:
        if isinstance(item, Cut):
            try:
                parse_frame(item.raw, verified=item.verified)
            except FrameError:
                pass


@settings(max_examples=300)
@given(st.binary(max_size=600))
def test_fuzz_any_bytes_give_a_frame_or_a_clear_error(data):
    try:
        frame = parse_frame(data)
    except FrameError as err:
        assert err.reason
    else:
        assert frame.mn and frame.cn


@settings(max_examples=200)
@given(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200),
    st.sampled_from(["tolerant", "strict", "legacy-2005", "dust-ng", "fume"]),
)
def test_fuzz_valid_crc_around_any_segment_never_escapes(segment, profile):
    try:
        frame = parse_frame(wrap(segment), get_profile(profile))
    except FrameError as err:
        assert err.reason
    else:
        assert frame.mn and frame.cn


def test_fuzz_random_corruption_of_a_stream_keeps_intact_frames():
    rng = __import__("random").Random(212)
    frames = [dust_frame(data_time=f"202406011{h}0000") for h in range(6)]
    for _ in range(200):
        chunks = []
        intact = []
        for frame in frames:
            if rng.random() < 0.3:
                chunks.append(os.urandom(rng.randint(0, 30)))
            if rng.random() < 0.3:
                broken = bytearray(frame)
                broken[rng.randrange(len(broken))] ^= 1 << rng.randrange(8)
                chunks.append(bytes(broken))
            else:
                chunks.append(frame)
                intact.append(frame.rstrip(b"\r\n"))
        stream = b"".join(chunks)
        got = frames_of(StreamDecoder().feed(stream))
        for frame in intact:
            assert frame in got


# --- reassembly ------------------------------------------------------------------------------


def test_split_packets_merge_into_one_upload():
    cps = ["DataTime=20240601120000;a34001-Rtd=80", "DataTime=20240601120000;a34002-Rtd=40"]
    packets = [
        parse_frame(
            wrap(build_segment(cn="2011", mn="M", qn=f"Q{i}", flag=7, pnum=2, pno=i + 1, cp=cp))
        )
        for i, cp in enumerate(cps)
    ]
    r = Reassembler(timeout=10)
    assert r.add(packets[1], now=0) is None
    upload = r.add(packets[0], now=1)
    assert upload.complete and [p.qn for p in upload.packets] == ["Q1", "Q0"]
    assert set(upload.merged.values) == {"a34001", "a34002"}
    assert r.add(packets[0], now=2) is None
    assert r.expire(now=5) == [] and len(r.expire(now=13)) == 1


_codes = st.sampled_from(["a34001", "a34002", "SB1", "LA", "B03", "CONC", "a-b", "x y"])
_fields = st.sampled_from(["Rtd", "Avg", "Min", "Flag", "SampleTime", "RS", "ZsRtd", "td"])
_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["N", "", "1e3", "-0", "abc", "inf", " 5", "1,2"]),
)


@settings(max_examples=400)
@given(
    st.lists(st.tuples(_codes, _fields, _values), max_size=8),
    st.sampled_from([";", ","]),
    st.sampled_from(["tolerant", "dust-ng", "fume", "legacy-2005"]),
)
def test_fuzz_fast_and_careful_cp_parsers_agree(items, sep, profile_name):
    from monitoring.hj212.frame import Frame, _parse_cp, _parse_cp_slowly

    cp = "DataTime=20240601120000" + "".join(f"{sep}{c}-{f}={v}" for c, f, v in items)
    profile = get_profile(profile_name)
    results = []
    for parse in (_parse_cp, _parse_cp_slowly):
        frame = Frame(cn="2011", mn="M")
        try:
            parse(cp, frame, profile)
        except FrameError as err:
            results.append(("error", err.reason))
        else:
            results.append((frame.data_time, frame.values, frame.extra))
    assert results[0] == results[1]


@pytest.mark.parametrize("digit", ["²", "①", "３", "٣"])
@pytest.mark.parametrize("field", ["Flag", "PNUM", "PNO", "ST"])
def test_a_number_field_of_non_ascii_digits_is_a_frame_error(field, digit):
    """``str.isdigit`` accepts ``²``; ``int`` does not: ``Flag=²`` escaped as a ValueError."""
    fields = {"ST": "22", "Flag": "4"}
    fields[field] = f"1{digit}"
    header = ";".join(f"{k}={v}" for k, v in fields.items())
    segment = (
        f"QN=20240101000000000;{header};CN=2011;PW=123456;MN=ABC;"
        "CP=&&DataTime=20240101000000;a34001-Rtd=1.0,a34001-Flag=N&&"
    )
    if field in ("PNUM", "PNO"):
        other = "PNO" if field == "PNUM" else "PNUM"
        segment = segment.replace("CP=", f"{other}=1;CP=")
    try:
        frame = parse_frame(wrap(segment))
    except FrameError as err:
        assert err.reason
    else:  # a profile may keep ST as text; never a crash, never a number read from ²
        assert field == "ST" and frame.st == f"1{digit}"
