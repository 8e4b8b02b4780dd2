"""Pure extraction code: plan documents → structured tasks. No Django imports here.

``parse_file(path_or_bytes, filename=None, year=None, issued=None)`` and ``parse_text(text, ...)``
return the dict ``lantian plan parse`` prints; ``ExtractError`` is the only exception they raise.
"""

from .errors import ExtractError
from .parse import parse_file, parse_text

__all__ = ["ExtractError", "parse_file", "parse_text"]
