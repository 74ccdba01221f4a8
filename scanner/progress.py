"""Progress events: collectors emit them, the terminal renders them (``scanner.outputs.console``).

Its own module so outputs never import collectors (the layers import-linter holds).
"""

from __future__ import annotations


class Progress:
    """Progress reporting for long scans. The default does nothing (CI, tests, -q).

    The CLI passes a rich-backed implementation on a terminal. Thread-safe implementations only:
    collectors call it from worker threads.
    """

    def task(self, source: str, description: str, total: int | None = None) -> None:
        """Start (or restart) the progress line of ``source``."""

    def advance(self, source: str, amount: int = 1) -> None:
        """Move ``source`` forward by ``amount`` items."""

    def log(self, source: str, message: str) -> None:
        """A notable event worth a line: waiting for a rate limit, retrying a 5xx."""
