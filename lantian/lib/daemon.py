"""One-shot or ``--loop``: the shape of every lantian daemon (healthchecks' ``sendalerts``).

The database is the queue, so a step can run from cron or in a loop, side by side or restarted,
without doing anything twice; each command's step is idempotent for that reason.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from django.db import close_old_connections


def run(step: Callable[[], object], *, loop: bool, every: float) -> int:
    """``step()`` once; with ``loop``, again every ``every`` seconds until SIGTERM or SIGINT.

    A signal ends the loop after the current step, never inside one. Stale database connections
    are closed before each step, and the wait is cut into short sleeps so that a signal is
    answered within half a second. Returns the number of steps run.
    """
    if not loop:
        step()
        return 1
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    steps = 0
    try:
        while not stopping:
            close_old_connections()
            step()
            steps += 1
            deadline = time.monotonic() + every
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return steps
