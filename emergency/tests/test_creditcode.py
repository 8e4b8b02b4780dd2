from hypothesis import given
from hypothesis import strategies as st

from emergency.creditcode import CHARSET, make, problem


def test_published_codes_are_valid():
    for code in ("91440300708461136T", "91330100799655058B", "91110108551385082Q"):
        assert problem(code) is None


def test_it_names_what_is_wrong():
    assert problem("91610000") == "应为 18 位，实为 8 位"
    assert problem("91610000MA6TG1234I").startswith("含非法字符 I")
    good = make("91610131MA6TXXXX1")
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert problem(wrong) == f"校验位应为 {good[-1]}"


@given(st.text(CHARSET, min_size=17, max_size=17), st.integers(0, 16), st.sampled_from(CHARSET))
def test_any_single_character_change_is_caught(body, index, replacement):
    code = make(body)
    assert problem(code) is None
    changed = code[:index] + replacement + code[index + 1 :]
    assert (problem(changed) is None) == (changed == code)
