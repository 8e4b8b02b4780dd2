"""Chinese numerals both ways: ``一千二百`` → 1200 and 29 → ``二十九``.

Small on purpose: plans write task numbers, counts and amounts, and the ``cn2an`` package
that does this too costs a third of a second to import, paid by every command that starts
Django (``ledger.models`` numbers tasks) and by every plan parse. ``cn2an`` stays the oracle
the tests compare against.
"""

from __future__ import annotations

DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_LARGE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}


def _integer(text: str) -> int | None:
    if not text:
        return None
    if all(c in DIGITS for c in text):
        if len(text) == 1:
            return DIGITS[text]
        return int("".join(str(DIGITS[c]) for c in text))  # read digit by digit: 二〇二四
    total = section = 0
    number: int | None = None
    for c in text:
        if c in DIGITS:
            number = DIGITS[c]
        elif c in _SMALL:
            section += (1 if number is None else number) * _SMALL[c]
            number = None
        elif c in _LARGE:
            unit = _LARGE[c]
            value = section + (number or 0)
            if unit > 10_000:
                total = (total + value) * unit
            else:
                total += (value or 1) * unit
            section, number = 0, None
        else:
            return None
    return total + section + (number or 0)


def cn_to_number(text: str) -> int | float | None:
    """A number in Chinese (``一千``, ``两万三千``, ``三点五``, ``二〇二四``) or in digits; None
    when it is neither."""
    text = "".join(text.split())
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        return int(value) if value.is_integer() and "." not in text else value
    whole, dot, fraction = text.partition("点")
    integer = _integer(whole)
    if integer is None:
        return None
    if not dot:
        return integer
    if not fraction or not all(c in DIGITS for c in fraction):
        return None
    return float(f"{integer}." + "".join(str(DIGITS[c]) for c in fraction))


_WRITE = "零一二三四五六七八九"


def _below_10000(n: int, *, leading: bool) -> str:
    out = ""
    zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit == 0:
            zero = bool(out) or not leading
            continue
        if zero and (out or not leading):
            out += "零"
        zero = False
        if unit == 10 and digit == 1 and not out and leading:
            out += "十"  # 十二, not 一十二
        else:
            out += _WRITE[digit] + name
    return out


def number_to_cn(n: int) -> str:
    """A non-negative integer in Chinese numerals as tasks are numbered (12 → 十二, 105 →
    一百零五, 20010 → 二万零一十)."""
    if n < 0:
        return "负" + number_to_cn(-n)
    if n == 0:
        return "零"
    groups = []
    while n:
        groups.append(n % 10_000)
        n //= 10_000
    out = ""
    names = ["", "万", "亿", "万亿"]
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        leading = not out
        if group == 0:
            continue
        if out and group < 1000:
            out += "零"
        part = _below_10000(group, leading=leading)
        out += part.lstrip("零") if not leading else part
        out += names[index]
    return out
