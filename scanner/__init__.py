"""posture: a zero-trust security-posture audit scanner for distributed engineering teams."""

from __future__ import annotations

__version__ = "0.1.0"
