"""The one error type the extractor raises."""


class ExtractError(Exception):
    """The document cannot be read as a plan. ``str(exc)`` is one line saying why."""

    def __init__(self, reason: str):
        super().__init__(" ".join(str(reason).split()))
