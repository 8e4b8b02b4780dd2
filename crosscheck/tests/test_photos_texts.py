"""The pure parts: what a photo says about itself, one picture or two, texts and their marks."""

import datetime as dt
import io
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from crosscheck import photos, texts
from crosscheck.scenarios import images
from crosscheck.signals import worsening_run


def test_exif_time_gps_camera_and_software_are_read():
    rng = random.Random(1)
    taken = dt.datetime(2024, 3, 5, 10, 11, 12)
    data = images.jpeg(
        images.shoot(images.Scene.random(rng), rng),
        rng,
        taken=taken,
        where=(34.2583, 108.9421),
        software="美图秀秀",
        phone=("HUAWEI", "ELS-AN00", ""),
    )
    facts = photos.read(data)
    assert facts.taken_at == taken.replace(tzinfo=photos.SHANGHAI)  # no offset: Beijing time
    assert abs(facts.latitude - 34.2583) < 1e-4 and abs(facts.longitude - 108.9421) < 1e-4
    assert facts.software == "美图秀秀" and facts.camera == "HUAWEI ELS-AN00"
    assert len(facts.hashes) == 16


def test_a_photo_without_exif_has_no_time_or_place():
    image = Image.new("RGB", (64, 48), (100, 120, 140))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    facts = photos.read(buffer.getvalue())
    assert facts.taken_at is None and facts.where is None and facts.software == ""


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_garbage_is_not_a_photo_and_never_crashes(data):
    assert photos.read(data) is None or photos.read(data).width > 0
    assert photos.read(b"\xff\xd8\xff\xe0" + data) is None or True  # a broken JPEG: no crash


def test_a_resized_cropped_recompressed_copy_is_one_picture_a_second_shot_is_not():
    rng = random.Random(4)
    for _ in range(3):
        scene = images.Scene.random(rng)
        original = images.shoot(scene, rng)
        copy = images.doctor(original, rng)
        again = images.shoot(scene.later(rng), rng)  # the same site, weeks later
        assert photos.same_photo(original, copy) >= 0.6
        assert photos.same_photo(original, again) < 0.6


def test_close_pairs_finds_a_crop_through_the_window_hashes():
    rng = random.Random(5)
    original = images.shoot(images.Scene.random(rng), rng)
    w, h = original.size
    crop = original.crop((int(w * 0.12), 0, w, int(h * 0.9))).resize((300, 200))
    other = images.shoot(images.Scene.random(rng), rng)
    hashes = {1: photos.window_hashes(original), 2: photos.window_hashes(crop)}
    hashes[3] = photos.window_hashes(other)
    pairs = photos.close_pairs({2: hashes[2]}, hashes, bits=12)
    assert (1, 2) in pairs


def test_shingles_never_span_two_sentences_and_fold_digits():
    pieces = texts.shingles("3月5日完成覆盖。压实责任", 4)
    assert "#月#日" in pieces and "覆盖压实" not in pieces


def test_differences_are_marked_and_escaped():
    old, new = texts.marked("检查<5>次，整改完成", "检查<7>次，整改完成")
    assert "<del>5</del>" in old and "<ins>7</ins>" in new
    assert "&lt;" in old and "整改完成" in new


def test_a_worsening_run_must_include_the_close_out_month():
    months = [dt.date(2024, m, 1) for m in range(1, 9)]
    ranks = dict(zip(months, [3, 4, 6, 9, 5, 6, 7, 4], strict=True))
    assert worsening_run(ranks, dt.date(2024, 3, 20), 3) == months[1:4]  # Feb, Mar, Apr
    assert worsening_run(ranks, dt.date(2024, 7, 2), 3) is None  # only May→Jul: two months
    ranks[dt.date(2024, 1, 1)] = 5  # January worse than February: the run starts later
    assert worsening_run(ranks, dt.date(2024, 2, 1), 3) is None
