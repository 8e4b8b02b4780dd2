"""Text forensics, pure: are two narratives one text?

A narrative is cut into overlapping character pieces (shingles, n characters, punctuation and
spaces dropped, digits folded so that a copy with new dates and figures is still a copy).
Pieces that many units write (the standard wording of a programme: 高度重视、压实责任 …) say
nothing about copying and are set aside; what is left is each report's own words, compared
by Jaccard similarity. ``marked`` shows two texts with their differences marked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

DROP = re.compile(r"[\s\u3000，。、；：！？“”‘’（）《》【】,.;:!?()\[\]\"'—\-…·]+")
DIGITS = re.compile(r"\d+(?:\.\d+)?")


def normal(text: str) -> str:
    return DIGITS.sub("#", DROP.sub("", text or ""))


SENTENCE = re.compile(r"[。；！？!?;\n]+")


def shingles(text: str, n: int) -> frozenset[str]:
    """The n-character pieces of each sentence (none across a sentence boundary: which two
    standard sentences follow each other says nothing about copying)."""
    out = set()
    for sentence in SENTENCE.split(text or ""):
        flat = normal(sentence)
        out.update(flat[i : i + n] for i in range(len(flat) - n + 1))
    return frozenset(out)


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def marked(old: str, new: str) -> tuple[SafeString, SafeString]:
    """The two texts as HTML, what only ``old`` has in <del>, what only ``new`` has in <ins>."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = escape(old[i1:i2]), escape(new[j1:j2])
        if op == "equal":
            left.append(a)
            right.append(b)
        else:
            if a:
                left.append(f"<del>{a}</del>")
            if b:
                right.append(f"<ins>{b}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above
