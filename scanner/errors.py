"""The error tree of posture. Every message is written for the person running the tool.

    PostureError                     base: anything the CLI turns into a one-line message
    ├── ConfigError                  posture.yaml, flags, environment (exit 2)
    ├── PolicyError                  a policy file or rule that cannot be loaded (exit 2)
    ├── SnapshotError                a snapshot file that cannot be read (exit 2)
    ├── WaiverError                  a waivers file that cannot be read (exit 2)
    ├── CollectorError               a source could not be read; caught per source, recorded
    │   ├── AuthError                credentials missing, invalid or expired
    │   ├── PermissionDenied         credentials valid, a permission is missing
    │   └── ApiError                 the API failed (5xx, throttled for too long, bad answer)
    └── HistoryError                 the run store could not be read or written

Only ``scanner.cli`` catches these and maps them to exit codes; library code raises them with
``raise ... from`` so the cause stays available under ``-v``.
"""

from __future__ import annotations


class PostureError(Exception):
    """Base of every error posture reports to the user as one line."""

    exit_code = 2


class ConfigError(PostureError):
    """The configuration file, a flag or an environment variable is invalid."""


class PolicyError(PostureError):
    """A policy file or rule is invalid. ``location`` is ``file:line`` where known."""

    def __init__(self, message: str, *, location: str | None = None, policy_id: str | None = None):
        self.location = location
        self.policy_id = policy_id
        where = location or ""
        if policy_id:
            where = f"{where} [{policy_id}]" if where else f"[{policy_id}]"
        super().__init__(f"{where}: {message}" if where else message)


class SnapshotError(PostureError):
    """A snapshot file is missing, truncated, of an unknown schema version or malformed."""


class WaiverError(PostureError):
    """A waivers file is invalid."""


class CollectorError(PostureError):
    """A source could not be (fully) read. Collectors record it on the source status."""

    kind = "api"
    exit_code = 3


class AuthError(CollectorError):
    """Credentials are missing, invalid or expired."""

    kind = "auth"
    exit_code = 2


class PermissionDenied(CollectorError):
    """The credentials are valid but lack a permission the check needs."""

    kind = "permission"


class ApiError(CollectorError):
    """The API answered with an error (5xx, throttling beyond patience, malformed body)."""

    kind = "api"


class HistoryError(PostureError):
    """The history store could not be opened, read or written."""
