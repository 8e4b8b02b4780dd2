"""Typed coordinates: both or neither, in range, not swapped."""

import pytest

from lantian.lib import coords


def test_coordinates_are_read_as_typed_and_their_mistakes_named():
    assert coords.parse("108.94", " 34.26 ") == (108.94, 34.26)
    assert coords.parse(108.94, 34.26) == (108.94, 34.26)
    assert coords.parse(None, "") is None
    for lon, lat, words in (
        ("108.94", "", "同时填写"),
        ("东经108", "34", "同时填写"),
        ("34.26", "108.94", "疑似填反"),
        ("200", "34", "超出范围"),
    ):
        with pytest.raises(ValueError, match=words):
            coords.parse(lon, lat)
